"""Results of `rosgit check`: one StageResult per (stage, overlay) cell, and the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rosgit.findings import Finding

# ok: ran, nothing to report; findings: ran and found something; skipped: deliberately not run (a tool is
# missing, --skip, or an earlier stage failed); failed: the stage itself could not run (counts as an error).
Status = Literal["ok", "findings", "skipped", "failed"]

# Column order of the summary table. Repo-wide stages (generate, argocd, secrets, helm) attribute their
# findings to an overlay row when the finding's source lies in that overlay's directory.
STAGES: tuple[str, ...] = ("generate", "build", "kustomize", "validate", "lint", "argocd", "secrets", "helm")
REPO_STAGES = frozenset({"generate", "argocd", "secrets", "helm"})
REPO_ROW = "(repo)"


@dataclass(frozen=True)
class StageResult:
    stage: str
    overlay: str  # an overlay name, or REPO_ROW
    status: Status
    findings: tuple[Finding, ...] = ()
    detail: str = ""
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error") + (1 if self.status == "failed" else 0)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def cell(self) -> str:
        """The summary-table text: ok / N errors / N warnings / skipped / failed."""
        if self.status == "failed":
            return "failed"
        if self.status == "skipped":
            return "skipped"
        parts = []
        if self.errors:
            parts.append(f"{self.errors} error{'s' if self.errors != 1 else ''}")
        if self.warnings:
            parts.append(f"{self.warnings} warning{'s' if self.warnings != 1 else ''}")
        infos = len(self.findings) - self.errors - self.warnings
        if not parts and infos:
            parts.append(f"{infos} note{'s' if infos != 1 else ''}")
        return ", ".join(parts) or "ok"


@dataclass
class CheckReport:
    overlays: list[str]
    results: list[StageResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.results)

    @property
    def warnings(self) -> int:
        return sum(r.warnings for r in self.results)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def rows(self) -> list[str]:
        rows = list(self.overlays)
        if any(r.overlay == REPO_ROW for r in self.results):
            rows.append(REPO_ROW)
        return rows

    def cell(self, overlay: str, stage: str) -> StageResult | None:
        for result in self.results:
            if result.overlay == overlay and result.stage == stage:
                return result
        return None

    def findings(self) -> list[tuple[StageResult, Finding]]:
        return [(r, f) for r in self.results for f in r.findings]
