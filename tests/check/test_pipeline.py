from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.check import pipeline
from rosgit.check import stages as S
from rosgit.check.model import REPO_ROW
from rosgit.errors import UsageError
from tests.check.repo_copy import copy_repo, plant
from tests.conftest import REPO_ROOT

FAST = {"generate", "kustomize", "validate", "argocd", "secrets", "helm"}


def cells(report: pipeline.CheckReport) -> dict[tuple[str, str], str]:
    return {(r.overlay, r.stage): r.cell() for r in report.results}


def test_each_overlay_is_built_once_and_feeds_lint() -> None:
    report = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=["minimal", "openshift-minimal"], skip=FAST)
    got = cells(report)
    assert got[("minimal", "build")] == "ok" and got[("openshift-minimal", "lint")] == "ok"
    assert got[("minimal", "validate")] == "skipped"
    assert report.ok


def test_broken_overlay_fails_build_and_skips_the_rest(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    plant(repo / "overlays/minimal/kustomization.yaml", "resources:\n", "resources:\n- missing.yaml\n")
    report = pipeline.run_pipeline(repo / "rosgit.yaml", overlays=["minimal"], skip=FAST - {"kustomize"})
    build = next(r for r in report.results if r.stage == "build")
    assert build.findings[0].id == "CHK010" and build.findings[0].object == "overlays/minimal"
    lint = next(r for r in report.results if r.stage == "lint")
    assert lint.status == "skipped" and lint.detail == "the overlay does not build"
    assert report.exit_code == 1


def test_failing_and_unavailable_repo_stages_never_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(S.REPO_CHECKS, "helm", ("rosgit.helm.not_there", "check"))
    monkeypatch.setitem(S.REPO_CHECKS, "argocd", ("rosgit.findings", "has_errors"))  # wrong signature: raises
    outcomes = pipeline.run_repo_stages(REPO_ROOT, None, "rosgit.yaml", ("argocd", "helm"))  # type: ignore[arg-type]
    assert [(o.stage, o.status) for o in outcomes] == [("argocd", "failed"), ("helm", "unavailable")]
    assert outcomes[0].detail.startswith("internal error: TypeError")
    # an unavailable repo stage is one "not available" cell in the repo row, never per-overlay cells
    report = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=["minimal"], skip=FAST - {"helm"})
    assert [(r.overlay, r.cell()) for r in report.results if r.stage == "helm"] == [(REPO_ROW, "not available")]


def test_production_stubs_are_warnings_unless_sealing_is_required() -> None:
    from rosgit.findings import Finding

    stub = Finding("ROS501", "error", "SealedSecret/p/s", "stub", "", "overlays/prod/sealed-secrets/s.yaml")
    outcome = pipeline.RepoOutcome("secrets", "ok", (stub,), "", 0.0)
    assert pipeline.relax_stubs(outcome).findings[0].severity == "warning"
    assert pipeline.relax_stubs(pipeline.RepoOutcome("argocd", "ok", (stub,), "", 0.0)).findings == (stub,)


def test_unknown_stage_names_are_usage_errors() -> None:
    assert pipeline.parse_skip(["lint,helm", "argocd"]) == {"lint", "helm", "argocd"}
    with pytest.raises(UsageError, match="unknown stage"):
        pipeline.parse_skip(["lnt"])


def test_prebuilt_overlays_are_served_as_fresh_copies() -> None:
    from rosgit.build import build_objects, build_overlay, set_prebuilt

    path = REPO_ROOT / "overlays/minimal"
    fake = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "only"}}]
    set_prebuilt({(path, "builtin"): "kind: ConfigMap\n"}, {(path, "builtin"): fake})
    try:
        assert build_overlay(path) == "kind: ConfigMap\n"
        first = build_objects(path)
        assert first == fake and first is not fake
        first[0]["metadata"]["name"] = "changed"
        assert build_objects(path) == fake
    finally:
        set_prebuilt({})
    assert len(build_objects(path)) > 1


def test_require_sealed_makes_production_stubs_errors() -> None:
    skip = {"generate", "kustomize", "validate", "lint", "argocd", "helm"}
    strict = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=["prod"], skip=skip, require_sealed=True)
    assert not strict.ok
    errors = [(r.overlay, f.id, f.source) for r in strict.results for f in r.findings if f.severity == "error"]
    secrets = {"ros-db-credentials", "koku-db-credentials", "koku-django-secret", "hive-metastore-db-credentials",
               "object-storage-credentials"}
    # prod's stubs land in its row; openshift-prod (also production, not selected) in the repo-wide row
    assert sorted(errors) == sorted(
        [("prod", "ROS501", f"overlays/prod/sealed-secrets/{s}.yaml") for s in secrets]
        + [(REPO_ROW, "ROS501", f"overlays/openshift-prod/sealed-secrets/{s}.yaml") for s in secrets]
    )


def test_single_core_runs_repo_stages_inline_with_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    skip = {"generate", "kustomize", "validate", "lint", "argocd", "helm"}
    forked = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=["minimal"], skip=skip)
    monkeypatch.setattr(pipeline, "can_fork", lambda: False)
    inline = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=["minimal"], skip=skip)

    def secrets(report: pipeline.CheckReport) -> list[tuple[str, tuple[str, ...]]]:
        return [(r.overlay, tuple(f.line() for f in r.findings)) for r in report.results if r.stage == "secrets"]

    assert secrets(inline) == secrets(forked) and secrets(inline)
