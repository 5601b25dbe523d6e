from __future__ import annotations

import pytest

from rosgit.check.model import REPO_ROW, CheckReport, StageResult
from rosgit.findings import Finding


def f(severity: str) -> Finding:
    return Finding("X1", severity, "o", "m")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("result", "cell"),
    [
        (StageResult("lint", "dev", "ok"), "ok"),
        (StageResult("lint", "dev", "findings", (f("error"), f("error"), f("warning"))), "2 errors, 1 warning"),
        (StageResult("lint", "dev", "findings", (f("warning"),)), "1 warning"),
        (StageResult("lint", "dev", "findings", (f("info"),)), "1 note"),
        (StageResult("lint", "dev", "skipped"), "skipped"),
        (StageResult("helm", REPO_ROW, "failed"), "failed"),
    ],
)
def test_cells(result: StageResult, cell: str) -> None:
    assert result.cell() == cell


def test_only_errors_and_failed_stages_fail_the_check() -> None:
    report = CheckReport(overlays=["dev"])
    report.results = [
        StageResult("lint", "dev", "findings", (f("warning"),)),
        StageResult("helm", REPO_ROW, "skipped"),
    ]
    assert report.ok and report.exit_code == 0 and report.rows() == ["dev", REPO_ROW]
    report.results.append(StageResult("argocd", REPO_ROW, "failed"))
    assert not report.ok and report.exit_code == 1
