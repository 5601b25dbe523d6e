from __future__ import annotations

import os
from pathlib import Path

import pytest

from rosgit import build
from rosgit.build import Builds
from rosgit.catalog import load_catalog
from rosgit.check import pipeline
from rosgit.check import stages as S
from rosgit.check.model import REPO_ROW
from rosgit.errors import UsageError
from rosgit.findings import Finding
from rosgit.tools import ToolResult
from tests.check.repo_copy import copy_repo, plant
from tests.conftest import REPO_ROOT, require_real_tool

FAST = {"generate", "kustomize", "validate", "argocd", "secrets", "helm"}


def cells(report: pipeline.CheckReport) -> dict[tuple[str, str], str]:
    return {(r.overlay, r.stage): r.cell() for r in report.results}


def test_each_overlay_feeds_lint() -> None:
    report = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=["minimal", "openshift-minimal"], skip=FAST)
    got = cells(report)
    assert got[("minimal", "build")] == "ok" and got[("openshift-minimal", "lint")] == "ok"
    assert got[("minimal", "validate")] == "skipped"
    assert report.ok


def count_calls(monkeypatch: pytest.MonkeyPatch, log: Path, name: str) -> None:
    """Log every call of rosgit.build.NAME to a file, so calls in forked children are counted too."""
    original = getattr(build, name)

    def logged(path: Path) -> object:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{name} {Path(path).resolve().name}\n")
        return original(path)

    monkeypatch.setattr(build, name, logged)


def calls(log: Path) -> list[str]:
    return sorted(log.read_text(encoding="utf-8").splitlines()) if log.exists() else []


@pytest.mark.tools
@pytest.mark.parametrize("selected", [[], ["minimal"]], ids=["all", "one-selected"])
def test_each_overlay_is_built_exactly_once_per_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, selected: list[str]
) -> None:
    """Every stage that reads overlays (validate, lint, argocd, secrets, helm) shares one build of each;
    overlays the selection leaves out are built once too, for the repo-wide stages."""
    require_real_tool("kustomize")
    require_real_tool("helm")
    log = tmp_path / "builds.log"
    count_calls(monkeypatch, log, "builtin_build_and_inputs")
    count_calls(monkeypatch, log, "run_kustomize")
    report = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=selected, skip={"generate"})
    assert report.ok, [f.line() for _, f in report.findings() if f.severity == "error"]
    ran = {r.stage for r in report.results if r.status in ("ok", "findings")}
    assert ran >= {"build", "validate", "lint", "argocd", "secrets", "helm"}
    overlays = sorted(o.name for o in load_catalog(REPO_ROOT / "rosgit.yaml").overlays)
    assert calls(log) == [f"builtin_build_and_inputs {name}" for name in overlays]


def test_the_overlays_a_process_builds_accumulate_each_base_directory_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """kustomize.subbuilds: the overlays built in a row take the base directories they share from one
    accumulation (inline here: one process builds them all)."""
    from rosgit.kustomize import target

    accumulated: list[str] = []
    real = target._build  # noqa: SLF001 (the accumulation itself is counted)

    def counted(directory: Path, *args: object) -> object:
        accumulated.append(str(directory.resolve().relative_to(REPO_ROOT)))
        return real(directory, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(target, "_build", counted)
    monkeypatch.setattr(pipeline, "can_fork", lambda: False)
    report = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=[], skip=FAST)
    assert report.ok
    overlays = [a for a in accumulated if a.startswith("overlays/")]
    bases = [a for a in accumulated if a.startswith("base/")]
    assert len(overlays) == len(load_catalog(REPO_ROOT / "rosgit.yaml").overlays)
    assert bases and len(bases) == len(set(bases))


@pytest.mark.tools
def test_a_builtin_engine_failure_falls_back_once_and_is_reported_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    require_real_tool("kustomize")
    log = tmp_path / "builds.log"
    count_calls(monkeypatch, log, "run_kustomize")
    original = build.builtin_build_and_inputs

    def broken_on_minimal(path: Path) -> tuple[str, str | None]:
        if Path(path).name == "minimal":
            raise RuntimeError("planted engine bug")
        return original(path)

    monkeypatch.setattr(build, "builtin_build_and_inputs", broken_on_minimal)
    report = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=["minimal"], skip={"generate", "helm"})
    fallbacks = [(r.stage, r.overlay, f.message) for r, f in report.findings() if f.id == "CHK012"]
    why = "builtin engine failed where kustomize builds: internal error: RuntimeError: planted engine bug"
    assert fallbacks == [("build", "minimal", why)]
    got = cells(report)
    # the stages still ran, on kustomize's output: the builtin engine produced none
    assert got[("minimal", "lint")] == "ok" and got[("minimal", "validate")] == "ok"
    assert got[("minimal", "argocd")] == "ok" and got[("minimal", "secrets")] == "6 warnings"
    assert got[("minimal", "kustomize")] == "skipped"
    assert calls(log) == ["run_kustomize minimal"]  # one fallback build, shared by every stage


def test_broken_overlay_fails_build_and_skips_the_rest(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    plant(repo / "overlays/minimal/kustomization.yaml", "resources:\n", "resources:\n- missing.yaml\n")
    report = pipeline.run_pipeline(repo / "rosgit.yaml", overlays=["minimal"], skip=FAST - {"kustomize"})
    build = next(r for r in report.results if r.stage == "build")
    assert build.findings[0].id == "CHK010" and build.findings[0].object == "overlays/minimal"
    lint = next(r for r in report.results if r.stage == "lint")
    assert lint.status == "skipped" and lint.detail == "the overlay does not build"
    assert report.exit_code == 1


def test_a_failing_repo_stage_is_a_failed_cell_never_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(repo: S.RepoInput) -> list[Finding]:
        raise KeyError("x")

    monkeypatch.setitem(S.REPO_STAGE_RUNNERS, "argocd", broken)
    repo = S.RepoInput(REPO_ROOT, load_catalog(REPO_ROOT / "rosgit.yaml"), "rosgit.yaml", Builds())
    [outcome] = pipeline.run_repo_stages(repo, ("argocd",))
    assert (outcome.stage, outcome.status) == ("argocd", "failed")
    assert outcome.detail == "internal error: KeyError: 'x'"
    split = pipeline.split_outcome(outcome, ["dev"], {})
    assert [(r.overlay, r.cell()) for r in split] == [(REPO_ROW, "failed")]


def test_production_stubs_are_warnings_unless_sealing_is_required() -> None:
    stub = Finding("ROS501", "error", "SealedSecret/p/s", "stub", "", "overlays/prod/sealed-secrets/s.yaml")
    outcome = pipeline.RepoOutcome("secrets", "ok", (stub,), "", 0.0)
    assert pipeline.relax_stubs(outcome).findings[0].severity == "warning"
    assert pipeline.relax_stubs(pipeline.RepoOutcome("argocd", "ok", (stub,), "", 0.0)).findings == (stub,)


def test_unknown_stage_names_are_usage_errors() -> None:
    assert pipeline.parse_skip(["lint,helm", "argocd"]) == {"lint", "helm", "argocd"}
    with pytest.raises(UsageError, match="unknown stage"):
        pipeline.parse_skip(["lnt"])


def test_require_sealed_makes_production_stubs_errors() -> None:
    skip = {"generate", "kustomize", "validate", "lint", "argocd", "helm"}
    strict = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=["prod"], skip=skip, require_sealed=True)
    assert not strict.ok
    errors = [(r.overlay, f.id, f.source) for r in strict.results for f in r.findings if f.severity == "error"]
    secrets = {"ros-db-credentials", "koku-db-credentials", "koku-django-secret", "hive-metastore-db-credentials",
               "object-storage-credentials", "redis-credentials",
               # insights-rbac's: prod runs authorization rbac
               "rbac-db-credentials", "rbac-django-secret"}
    # prod's stubs land in its row; openshift-prod's (also production) are not reported: `--overlay prod`
    # filters the repo-wide stages too (issue 16), so nothing lands in the repo row either
    assert sorted(errors) == sorted([("prod", "ROS501", f"overlays/prod/sealed-secrets/{s}.yaml") for s in secrets])
    assert not [f for r in strict.results for f in r.findings if "openshift-prod" in f.source]
    assert REPO_ROW not in {overlay for overlay, _, _ in errors}


def test_single_core_runs_repo_stages_inline_with_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    skip = {"generate", "kustomize", "validate", "lint", "argocd", "helm"}
    forked = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=["minimal"], skip=skip)
    monkeypatch.setattr(pipeline, "can_fork", lambda: False)
    inline = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=["minimal"], skip=skip)

    def secrets(report: pipeline.CheckReport) -> list[tuple[str, tuple[str, ...]]]:
        return [(r.overlay, tuple(f.line() for f in r.findings)) for r in report.results if r.stage == "secrets"]

    assert secrets(inline) == secrets(forked) and secrets(inline)


@pytest.mark.tools
@pytest.mark.parametrize("skip", [FAST - {"kustomize"}, {"generate"}], ids=["before-the-builds", "after-them"])
def test_at_most_a_few_kustomize_comparisons_run_at_once(monkeypatch: pytest.MonkeyPatch, skip: set[str]) -> None:
    """Every overlay's comparison is queued, but only KUSTOMIZE_AT_ONCE real kustomize processes run at a time
    (at 16x the overlays, starting all of them meant 96 processes and a load of 39 on 2 cores)."""
    require_real_tool("kustomize")
    import threading
    import time

    lock, running, most = threading.Lock(), [0], [0]
    original = pipeline.start_kustomize

    class Counted:
        """A kustomize run, counted from its start until its output is read."""

        def __init__(self, path: Path) -> None:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.2)  # long enough for every queued run to start, were none held back
            self.run = original(path)

        def result(self) -> ToolResult:
            try:
                return self.run.result()
            finally:
                with lock:
                    running[0] -= 1

    monkeypatch.setattr(pipeline, "start_kustomize", Counted)
    report = pipeline.run_pipeline(REPO_ROOT / "rosgit.yaml", overlays=[], skip=skip)
    compared = [r for r in report.results if r.stage == "kustomize"]
    assert len(compared) == 6 and all(r.status == "ok" for r in compared), [r.cell() for r in compared]
    assert most[0] == pipeline.KUSTOMIZE_AT_ONCE


def test_a_forked_helper_takes_every_other_overlay_and_the_report_is_the_inline_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """pre-commit's stages (no repo-wide stage waits for the builds): half the overlays are built, linted and
    validated in a forked helper; the cells, findings and their order are those of a run without it."""
    repo = copy_repo(tmp_path)
    # a finding in an overlay the helper takes, so its cells carry something to compare
    plant(repo / "overlays/dev/kustomization.yaml", "resources:\n", "resources:\n- missing.yaml\n")
    skip = {"kustomize", "argocd", "secrets", "helm"}
    log = tmp_path / "builders.log"
    original = build.builtin_build_and_inputs

    def logged(path: Path) -> tuple[str, str | None]:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {Path(path).resolve().name}\n")
        return original(path)

    monkeypatch.setattr(build, "builtin_build_and_inputs", logged)
    forked = pipeline.compute_report(repo / "rosgit.yaml", overlays=[], skip=skip)
    builders: dict[str, list[str]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        pid, name = line.split(" ", 1)
        builders.setdefault(pid, []).append(name)
    assert builders.pop(str(os.getpid())) == ["minimal", "prod", "openshift-dev"]
    assert list(builders.values()) == [["dev", "openshift-minimal", "openshift-prod"]]

    monkeypatch.setattr(pipeline, "can_fork", lambda: False)
    inline = pipeline.compute_report(repo / "rosgit.yaml", overlays=[], skip=skip)

    def cells(report: pipeline.CheckReport) -> list[tuple[str, str, str, tuple[str, ...]]]:
        return [(r.overlay, r.stage, r.cell(), tuple(f.line() for f in r.findings)) for r in report.results]

    assert cells(forked) == cells(inline)
    assert ("dev", "build", "1 error") in [c[:3] for c in cells(forked)]
