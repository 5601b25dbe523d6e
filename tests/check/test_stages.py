from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.check import stages as S
from rosgit.findings import Finding
from tests.check.repo_copy import copy_repo, plant


def test_drift_reports_changed_missing_and_stale_files(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    catalog = load_catalog(repo / "rosgit.yaml")
    plant(repo / "base/kruize/deployment.yaml", "  replicas: 1\n", "  replicas: 3\n")
    (repo / "base/redis/service.yaml").unlink()
    stale = repo / "base/old/deployment.yaml"
    stale.parent.mkdir()
    stale.write_text((repo / "base/kruize/service.yaml").read_text())
    findings = {(f.id, f.object): f.message for f in S.drift_findings(repo, catalog, "rosgit.yaml")}
    expected = "out of date: line 15: 'replicas: 3' should be 'replicas: 1'"
    assert findings[("CHK001", "base/kruize/deployment.yaml")] == expected
    assert findings[("CHK001", "base/redis/service.yaml")].startswith("missing")
    assert findings[("CHK001", "base/old/deployment.yaml")].startswith("stale")
    assert len(findings) == 3


def test_engine_comparison() -> None:
    assert S.compare_engines("overlays/x", "a\nb\n", "a\nb\n") == []
    [finding] = S.compare_engines("overlays/x", "a\nc\n", "a\nb\n")
    assert finding.id == "CHK011" and "line 2: 'b' should be 'c'" in finding.message


def test_repo_findings_are_attributed_to_overlays_by_path() -> None:
    overlays = ["dev", "openshift-dev"]

    def at(source: str) -> str | None:
        return S.overlay_of(Finding("X", "error", "o", "m", "", source), overlays)

    assert at("overlays/dev/sealed-secrets/a.yaml") == "dev"
    assert at("overlays/openshift-dev") == "openshift-dev"
    assert at("overlays/dev:12") == "dev"
    assert at("argocd/applications/dev.yaml") is None


def test_missing_stage_modules_are_unavailable_not_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(S.REPO_CHECKS, "helm", ("rosgit.helm.nonexistent_module", "check"))
    with pytest.raises(S.Unavailable):
        S.resolve_repo_check("helm")
    monkeypatch.setitem(S.REPO_CHECKS, "helm", ("rosgit.findings", "no_such_function"))
    with pytest.raises(S.Unavailable):
        S.resolve_repo_check("helm")
