"""The one result type every check returns: lint, validation summaries, Argo CD checks, Helm equivalence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NewType

Severity = Literal["error", "warning", "info"]
# A finding id. Only rosgit.ids makes them, one per declaration, so mypy proves every finding names a declared id.
RuleId = NewType("RuleId", str)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found. `id` is declared in rosgit.ids and stable, so it can be suppressed and searched for.

    `object` names what is wrong as `Kind/namespace/name` (or a file path), `hint` says how to fix it.
    """

    id: RuleId
    severity: Severity
    object: str
    message: str
    hint: str = ""
    source: str = ""

    def line(self) -> str:
        where = f"{self.source}: " if self.source else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{self.severity} {self.id} {self.object}: {self.message}{hint}"


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
