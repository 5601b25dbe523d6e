"""Result types of a validation run: one result per resource, and the report that holds them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["valid", "invalid", "error", "skipped"]
STATUSES: tuple[Status, ...] = ("valid", "invalid", "error", "skipped")


@dataclass(frozen=True)
class FieldError:
    """One schema violation: the JSON pointer of the offending field (`/spec/replicas`) and why."""

    path: str
    message: str

    def line(self) -> str:
        return f"{self.path or '/'}: {self.message}"


@dataclass(frozen=True)
class ResourceResult:
    """The verdict on one resource (or on one unreadable document, which has no kind or name)."""

    source: str
    line: int
    status: Status
    kind: str = ""
    name: str = ""
    namespace: str = ""
    api_version: str = ""
    message: str = ""
    errors: tuple[FieldError, ...] = ()
    # set when the object's apiVersion is deprecated in the target Kubernetes version (still served there)
    deprecation: str = ""

    @property
    def ref(self) -> str:
        """`Kind/name`, or the document's location when it has no kind or name."""
        if self.kind and self.name:
            return f"{self.kind}/{self.name}"
        if self.kind:
            return self.kind
        return f"document at line {self.line}"

    @property
    def qualified(self) -> str:
        """kubeconform's `apiVersion/Kind/namespace/name`."""
        return f"{self.api_version}/{self.kind}/{self.namespace}/{self.name}"

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}"

    def detail(self) -> str:
        """The one-line reason: every field error joined, or the message."""
        if self.errors:
            return "; ".join(error.line() for error in self.errors)
        return self.message


@dataclass(frozen=True)
class ValidationReport:
    results: tuple[ResourceResult, ...]
    validator: str
    kubernetes_version: str
    sources: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(result.status in ("valid", "skipped") for result in self.results)

    def counts(self) -> dict[Status, int]:
        counter = Counter(result.status for result in self.results)
        return {status: counter.get(status, 0) for status in STATUSES}

    @property
    def exit_code(self) -> int:
        """0 when everything is valid or skipped, 1 otherwise (kubeconform's rule)."""
        return 0 if self.ok else 1
