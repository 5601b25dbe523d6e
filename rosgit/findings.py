"""The one result type every check returns: lint, validation summaries, Argo CD checks, Helm equivalence."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NewType, TextIO

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


# ANSI colours of a severity on a terminal (red, yellow, dim)
_COLOURS = {"error": "31", "warning": "33", "info": "2"}


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (no-color.org) or TERM=dumb."""
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, severity: str, colour: bool) -> str:
    code = _COLOURS.get(severity)
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


def finding_lines(
    findings: list[tuple[str, Finding]], *, verbose: bool, describe: Callable[[RuleId], str],
    colour: bool = False,
) -> list[str]:
    """Report lines: one per error; warnings and notes one per (prefix, severity, id) with a count unless
    `verbose` (a fresh repository's 36 sealed-secret stubs are one line, not 36 of 250 characters).
    `prefix` is what the caller puts before each line (`[secrets] ` for a check stage); `describe` gives an
    id's meaning, which the grouped line shows instead of one member's message."""
    groups: dict[tuple[str, str | int, RuleId], list[Finding]] = {}
    for index, (prefix, finding) in enumerate(findings):
        if finding.severity == "error" or verbose:
            groups[(prefix, index, finding.id)] = [finding]
        else:
            groups.setdefault((prefix, finding.severity, finding.id), []).append(finding)
    lines = []
    for (prefix, _, rule), members in groups.items():
        first = members[0]
        if len(members) == 1:
            text = f"{prefix}{first.line()}"
        else:
            example = first.source or first.object
            text = (
                f"{prefix}{len(members)} {first.severity}s {rule}: {describe(rule)} (e.g. {example}; "
                "--verbose lists all)"
            )
        lines.append(paint(text, first.severity, colour) + "\n")
    return lines
