"""`rosgit check` as a new user meets it: warnings grouped by kind, --overlay filtering every stage, a
missing tool reported one way for every tool, and the target Kubernetes taken from the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit import ids
from rosgit.check import pipeline
from rosgit.check.model import REPO_ROW, CheckReport, StageResult
from rosgit.check.report import render_text
from rosgit.findings import Finding
from rosgit.tools import find_tool
from tests.check.repo_copy import copy_repo, plant
from tests.conftest import REPO_ROOT

ONLY_DRIFT = {"build", "kustomize", "validate", "lint", "argocd", "secrets", "helm"}


def _stubs(count: int) -> tuple[Finding, ...]:
    return tuple(
        Finding(ids.ROS501, "warning", f"SealedSecret/ns/s{i}", "SealedSecret is a stub " + "x" * 200,
                "run `rosgit seal`", f"overlays/dev/sealed-secrets/s{i}.yaml")
        for i in range(count)
    )


def test_warnings_are_one_line_per_kind_and_verbose_lists_them() -> None:
    error = Finding(ids.CHK001, "error", "overlays/dev/a.yaml", "out of date", "", "overlays/dev/a.yaml")
    report = CheckReport(
        overlays=["dev"],
        results=[StageResult("secrets", "dev", "findings", _stubs(30)),
                 StageResult("generate", "dev", "findings", (error, error))],
    )
    grouped = render_text(report).split("\n\n")[0].splitlines()
    assert grouped[-1].startswith("[secrets] 30 warnings ROS501: ")
    assert "--verbose lists all" in grouped[-1] and len(grouped[-1]) < 250
    assert grouped[:2] == [f"[generate] {error.line()}"] * 2, "errors are never grouped"
    verbose = render_text(report, verbose=True).split("\n\n")[0].splitlines()
    assert len([line for line in verbose if "ROS501" in line]) == 30


def test_a_single_warning_is_shown_whole() -> None:
    report = CheckReport(overlays=["dev"], results=[StageResult("secrets", "dev", "findings", _stubs(1))])
    assert render_text(report).startswith(f"[secrets] {_stubs(1)[0].line()}\n")


def test_overlay_filters_the_repo_wide_stages_too(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    plant(repo / "overlays/prod/kustomization.yaml", "namespace: ros-ocp-prod", "namespace: ros-ocp-elsewhere")
    everything = pipeline.run_pipeline(repo / "rosgit.yaml", overlays=[], skip=ONLY_DRIFT)
    assert [f.object for _, f in everything.findings()] == ["overlays/prod/kustomization.yaml"]
    dev_only = pipeline.run_pipeline(repo / "rosgit.yaml", overlays=["dev"], skip=ONLY_DRIFT)
    assert dev_only.findings() == [], "prod's drift is not dev's, nor the repo row's"
    assert dev_only.rows() == ["dev", REPO_ROW]


@pytest.mark.parametrize("require_tools", [False, True], ids=["laptop", "ci"])
def test_a_missing_tool_is_reported_the_same_way_for_every_tool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, require_tools: bool
) -> None:
    absent = {"kustomize", "helm", "kubeconform"}
    monkeypatch.setattr(pipeline, "find_tool", lambda name: None if name in absent else find_tool(name))
    report = pipeline.run_pipeline(
        REPO_ROOT / "rosgit.yaml", overlays=["minimal"], skip={"generate", "lint", "argocd", "secrets", "validate"},
        require_tools=require_tools,
    )
    missing = {f.object: f for _, f in report.findings() if f.id == ids.CHK030}
    assert set(missing) == {"kustomize", "helm"}, "validate was skipped: its tool is not asked about"
    for tool, finding in missing.items():
        assert finding.message.startswith(f"{tool} is not installed: ")
        assert "scripts/install-tools.sh" in finding.hint and "go install " in finding.hint
        assert finding.severity == ("error" if require_tools else "warning")
    assert report.cell(REPO_ROW, "helm").status == "skipped"  # type: ignore[union-attr]
    assert report.cell("minimal", "kustomize").status == "skipped"  # type: ignore[union-attr]
    assert not [f for _, f in report.findings() if f.id == ids.ROS904], "no chart-render failure with a wrong hint"
    assert report.ok is not require_tools


def test_check_validates_against_the_catalogs_target_version(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    plant(repo / "rosgit.yaml", 'kubernetesVersion: "1.33"', 'kubernetesVersion: "1.36"')
    (repo / "overlays/dev/old-pdb.yaml").write_text(
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: old}\n"
        "spec: {minAvailable: 1, selector: {matchLabels: {a: b}}}\n", encoding="utf-8",
    )
    plant(repo / "overlays/dev/kustomization.yaml", "resources:\n", "resources:\n- old-pdb.yaml\n")
    report = pipeline.run_pipeline(
        repo / "rosgit.yaml", overlays=["dev"], skip={"generate", "kustomize", "lint", "argocd", "secrets", "helm"}
    )
    removed = [f for _, f in report.findings() if f.id == ids.VAL005]
    assert [f.object for f in removed] == ["PodDisruptionBudget/ros-ocp-dev/old"]
    assert "removed in Kubernetes 1.25; use policy/v1" in removed[0].message
    assert not [f for _, f in report.findings() if f.id == ids.VAL004], "not 'could not find schema'"


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_colour_on_a_terminal_unless_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from rosgit.findings import colour_wanted

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert colour_wanted(_Terminal(True)) and not colour_wanted(_Terminal(False))  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "")  # set at all, even empty (no-color.org)
    assert not colour_wanted(_Terminal(True))  # type: ignore[arg-type]
    report = CheckReport(overlays=["dev"], results=[StageResult("secrets", "dev", "findings", _stubs(3))])
    assert "\x1b[33m[secrets] 3 warnings ROS501" in render_text(report, colour=True)
    assert "\x1b[" not in render_text(report)


def test_lint_groups_its_warnings_too() -> None:
    from rosgit.lint.command import render_findings

    stubs = list(_stubs(4))
    assert len(render_findings(stubs, "text", verbose=False).splitlines()) == 1
    assert len(render_findings(stubs, "text", verbose=True).splitlines()) == 4


def test_a_fresh_repositorys_stub_warnings_are_one_line() -> None:
    # the case: every overlay's sealed-secret stubs (36 here) were 36 lines of 250 characters
    skip = {"generate", "kustomize", "validate", "lint", "argocd", "helm"}
    report = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=[], skip=skip)
    stubs = [f for _, f in report.findings() if f.id == ids.ROS501]
    assert len(stubs) >= 30
    findings_part = render_text(report).split("\n\n")[0].splitlines()
    assert findings_part == [line for line in findings_part if "ROS501" in line] and len(findings_part) == 1
    assert findings_part[0].startswith(f"[secrets] {len(stubs)} warnings ROS501: ")
    assert len([line for line in render_text(report, verbose=True).splitlines() if "ROS501" in line]) == len(stubs)
