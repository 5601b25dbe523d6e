"""Running every stage of `rosgit check` once, concurrently where that helps (2 cores).

Each overlay is built once with the builtin engine; the objects feed validation, lint and, through
`rosgit.build.set_prebuilt`, the repo-wide stages. The repo-wide stages are pure Python, so they run in
forked processes (threads would share one core): the drift check from the start, Argo CD, sealed secrets
and Helm once the builds exist. Subprocess work (the real kustomize for the byte comparison, one
kubeconform run for every overlay) is only waited on by threads.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

from rosgit.catalog import load_catalog
from rosgit.catalog.model import Catalog
from rosgit.check import stages as S
from rosgit.check.model import REPO_ROW, REPO_STAGES, STAGES, CheckReport, StageResult, Status
from rosgit.check.progress import Progress
from rosgit.errors import UsageError
from rosgit.findings import Finding
from rosgit.lint.objects import Obj
from rosgit.lint.targets import OverlayTarget, resolve_targets
from rosgit.tools import find_tool


@dataclass(frozen=True)
class RepoOutcome:
    """What one repo-wide stage produced, before its findings are split into overlay rows."""

    stage: str
    status: Status
    findings: tuple[Finding, ...]
    detail: str
    seconds: float


def run_repo_stages(root: Path, catalog: Catalog, catalog_name: str, wanted: tuple[str, ...]) -> list[RepoOutcome]:
    outcomes: list[RepoOutcome] = []
    for stage in wanted:
        started = time.perf_counter()
        try:
            if stage == "generate":
                findings = S.drift_findings(root, catalog, catalog_name)
            else:
                findings = S.call_repo_check(S.resolve_repo_check(stage), root, catalog)
            outcome = RepoOutcome(stage, "ok", tuple(findings), "", time.perf_counter() - started)
        except S.Unavailable as err:
            outcome = RepoOutcome(stage, "unavailable", (), str(err), 0.0)
        except Exception as err:  # a stage that cannot run is a failed cell, never a crashed check
            outcome = RepoOutcome(stage, "failed", (), S.error_text(err), time.perf_counter() - started)
        outcomes.append(outcome)
    return outcomes


class _Child:
    """Repo-wide stages running in a forked process; results come back over a pipe.

    Forked (not spawned) so the child starts with the loaded catalog, the imported modules and the
    overlays already built; it must be forked while this process has no other threads.
    """

    def __init__(self, work: Callable[[], list[RepoOutcome]], stages: tuple[str, ...]) -> None:
        context = multiprocessing.get_context("fork")
        self.stages = stages
        self.reader, writer = context.Pipe(duplex=False)
        self.process = context.Process(target=self._main, args=(work, writer), daemon=True)
        self.process.start()
        writer.close()

    @staticmethod
    def _main(work: Callable[[], list[RepoOutcome]], writer: Connection) -> None:
        try:
            writer.send(work())
        except BaseException as err:  # report, never hang the parent
            writer.send(S.error_text(err))
        finally:
            writer.close()

    def result(self) -> list[RepoOutcome]:
        try:
            payload = self.reader.recv()
        except EOFError:
            payload = "the worker process died"
        finally:
            self.process.join()
            self.reader.close()
        if isinstance(payload, str):
            return [RepoOutcome(s, "failed", (), payload, 0.0) for s in self.stages]
        outcomes: list[RepoOutcome] = payload
        return outcomes


def can_fork() -> bool:
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def _split_repo(outcome: RepoOutcome, overlays: list[str]) -> list[StageResult]:
    """One cell per overlay (findings under overlays/<name>) plus the repo row for the rest."""
    if outcome.status != "ok":
        status: Status = outcome.status
        return [StageResult(outcome.stage, REPO_ROW, status, (), outcome.detail, outcome.seconds)]
    rows: dict[str, list[Finding]] = {name: [] for name in [*overlays, REPO_ROW]}
    for finding in outcome.findings:
        rows[S.overlay_of(finding, overlays) or REPO_ROW].append(finding)
    results = []
    for row, findings in rows.items():
        status = "findings" if findings else "ok"
        seconds = outcome.seconds if row == REPO_ROW else 0.0
        results.append(StageResult(outcome.stage, row, status, tuple(findings), "", seconds))
    return results


def _cell(stage: str, overlay: str, findings: list[Finding], seconds: float) -> StageResult:
    return StageResult(stage, overlay, "findings" if findings else "ok", tuple(findings), "", seconds)


class _Overlay:
    """Per-overlay work: build once, then compare, validate and lint the same objects."""

    def __init__(self, target: OverlayTarget, skip: set[str]) -> None:
        self.target = target
        self.skip = skip
        self.results: list[StageResult] = []
        self.objects: list[Obj] | None = None
        self.text: str | None = None

    def build(self) -> None:
        """Builtin build; on failure fall back on the real kustomize so the other stages still run."""
        from rosgit.build import build_overlay, run_kustomize

        name, source = self.target.name, self.target.context.source
        started = time.perf_counter()
        try:
            self.text = build_overlay(self.target.path)
            self.objects = S.parse_objects(self.text)
            self.results.append(_cell("build", name, [], time.perf_counter() - started))
            return
        except Exception as err:
            builtin_error = S.error_text(err)
        text: str | None = None
        try:
            if find_tool("kustomize"):
                text = run_kustomize(self.target.path)
        except Exception:
            text = None
        if text is None:
            finding = Finding("CHK010", "error", source, f"does not build: {builtin_error}", "", source)
            self.results.append(_cell("build", name, [finding], time.perf_counter() - started))
            return
        self.objects = S.parse_objects(text)
        finding = Finding(
            "CHK012", "error", source, f"builtin engine failed where kustomize builds: {builtin_error}",
            "a bug in rosgit's kustomize engine: report it; `--engine kustomize` works around it", source,
        )
        self.results.append(_cell("build", name, [finding], time.perf_counter() - started))

    def compare(self, kustomized: cf.Future[str] | None) -> None:
        name, source = self.target.name, self.target.context.source
        if "kustomize" in self.skip:
            self.results.append(StageResult("kustomize", name, "skipped", detail="--skip kustomize"))
            return
        if kustomized is None:
            self.results.append(StageResult("kustomize", name, "skipped", detail="kustomize is not installed"))
            return
        started = time.perf_counter()
        try:
            text = kustomized.result()
        except Exception as err:
            finding = Finding("CHK013", "error", source, f"kustomize build fails: {S.error_text(err)}", "", source)
            self.results.append(_cell("kustomize", name, [finding], time.perf_counter() - started))
            return
        if self.text is None:
            self.results.append(StageResult("kustomize", name, "skipped", detail="builtin engine failed"))
            return
        findings = S.compare_engines(source, self.text, text)
        self.results.append(_cell("kustomize", name, findings, time.perf_counter() - started))

    def validation(self, batch: cf.Future[dict[str, list[Finding]]] | None) -> StageResult:
        """This overlay's share of the batched validation run."""
        source = self.target.context.source
        if batch is None or self.objects is None:
            return self.run_stage("validate", lambda objects: [])
        started = time.perf_counter()
        try:
            findings = batch.result().get(source, [])
        except S.Unavailable as err:
            return StageResult("validate", self.target.name, "unavailable", detail=str(err))
        except Exception as err:
            return StageResult("validate", self.target.name, "failed", detail=S.error_text(err))
        return _cell("validate", self.target.name, findings, time.perf_counter() - started)

    def run_stage(self, stage: str, work: Callable[[list[Obj]], list[Finding]]) -> StageResult:
        name = self.target.name
        if stage in self.skip:
            return StageResult(stage, name, "skipped", detail=f"--skip {stage}")
        if self.objects is None:
            return StageResult(stage, name, "skipped", detail="the overlay does not build")
        started = time.perf_counter()
        try:
            return _cell(stage, name, work(self.objects), time.perf_counter() - started)
        except S.Unavailable as err:
            return StageResult(stage, name, "unavailable", detail=str(err))
        except Exception as err:
            return StageResult(stage, name, "failed", detail=S.error_text(err), seconds=time.perf_counter() - started)


STUB_ID = "ROS501"  # rosgit.secrets.stubs.ID_STUB


def relax_stubs(outcome: RepoOutcome) -> RepoOutcome:
    """Stubs in production overlays become warnings unless --require-sealed.

    A freshly generated repository has stubs everywhere until `rosgit seal` runs against the cluster's
    certificate; the check must pass on such a repository, and still say loudly what is unsealed.
    """
    if outcome.stage != "secrets":
        return outcome
    relaxed = tuple(
        replace(f, severity="warning", message=f"{f.message} (--require-sealed makes this an error)")
        if f.id == STUB_ID and f.severity == "error"
        else f
        for f in outcome.findings
    )
    return replace(outcome, findings=relaxed)


def parse_skip(values: list[str]) -> set[str]:
    skip = {part.strip() for value in values for part in value.split(",") if part.strip()}
    unknown = sorted(skip - set(STAGES))
    if unknown:
        raise UsageError(f"unknown stage(s) {', '.join(unknown)}; stages are {', '.join(STAGES)}")
    return skip


def _start_kustomize(path: Path, binary: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(binary), "build", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish_kustomize(path: Path, proc: subprocess.Popen[str]) -> str:
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        message = stderr.strip().splitlines()[-1] if stderr.strip() else "kustomize build failed"
        raise UsageError(f"{path}: kustomize: {message}")
    return stdout


def run_pipeline(
    catalog_path: Path,
    *,
    overlays: list[str],
    skip: set[str],
    progress: Progress | None = None,
    require_sealed: bool = False,
) -> CheckReport:
    """Order of work, for 2 cores: fork the drift check; build every overlay with the builtin engine;
    fork the other repo-wide stages with those builds in memory; then start the real kustomize builds,
    validate (one kubeconform run on a thread) and lint here while the children run."""
    from rosgit.build import set_prebuilt

    started = time.perf_counter()
    catalog = load_catalog(catalog_path)
    root = catalog_path.resolve().parent
    targets = resolve_targets(catalog, root, overlays)
    names = [t.name for t in targets]
    report = CheckReport(overlays=names)
    progress = progress or Progress(total=1, enabled=False)
    progress.total = 3 * len(targets) + 1
    fork = can_fork()

    def repo_work(stages: tuple[str, ...]) -> Callable[[], list[RepoOutcome]]:
        return partial(run_repo_stages, root, catalog, catalog_path.name, stages)

    drift_stages = ("generate",) if "generate" not in skip else ()
    other_stages = tuple(s for s in STAGES if s in REPO_STAGES - {"generate"} and s not in skip)
    drift = _Child(repo_work(drift_stages), drift_stages) if fork and drift_stages else None

    # The real kustomize runs only for the byte comparison. When a repo-wide worker waits for the builtin
    # builds (the longest path) it starts after them; otherwise right away, overlapping the builds.
    binary = find_tool("kustomize") if "kustomize" not in skip else None
    late_kustomize = fork and bool(other_stages)
    running = {t.name: _start_kustomize(t.path, binary) for t in targets} if binary and not late_kustomize else {}

    work: list[_Overlay] = []
    for target in targets:
        overlay = _Overlay(target, skip)
        work.append(overlay)
        progress.step(f"build {target.name}")
        if "build" in skip:
            overlay.results.append(StageResult("build", target.name, "skipped", detail="--skip build"))
            continue
        overlay.build()

    prebuilt = {(o.target.path, "builtin"): o.text for o in work if o.text is not None}
    parsed = {(o.target.path, "builtin"): o.objects for o in work if o.text is not None and o.objects is not None}
    others: _Child | None = None
    if fork and other_stages:
        set_prebuilt(prebuilt, parsed)
        try:
            others = _Child(repo_work(other_stages), other_stages)
        finally:
            set_prebuilt({})

    if binary and late_kustomize:
        running = {t.name: _start_kustomize(t.path, binary) for t in targets}
    kustomized: dict[str, cf.Future[str]] = {name: cf.Future() for name in running}
    with cf.ThreadPoolExecutor(max_workers=3) as threads:
        for target in targets:
            if target.name in running:
                finish = partial(_finish_kustomize, target.path, running[target.name])
                threads.submit(_settle, kustomized[target.name], finish)
        built = {o.target.context.source: o.objects for o in work if o.objects is not None}
        batch = threads.submit(S.validate_batch, built) if built and "validate" not in skip else None
        for overlay in work:
            progress.step(f"lint {overlay.target.name}")
            overlay.results.append(
                overlay.run_stage("lint", partial(S.lint_findings, context=overlay.target.context))
            )
        for overlay in work:
            progress.step(f"compare and validate {overlay.target.name}")
            overlay.compare(kustomized.get(overlay.target.name))
            overlay.results.append(overlay.validation(batch))
            report.results.extend(overlay.results)

    progress.step("repo-wide checks")
    outcomes: list[RepoOutcome] = []
    for child, stages in ((drift, drift_stages), (others, other_stages)):
        if child is not None:
            outcomes.extend(child.result())
        elif stages:
            if stages != drift_stages:
                set_prebuilt(prebuilt, parsed)
            try:
                outcomes.extend(run_repo_stages(root, catalog, catalog_path.name, stages))
            finally:
                set_prebuilt({})
    for outcome in outcomes:
        report.results.extend(_split_repo(outcome if require_sealed else relax_stubs(outcome), names))
    for stage in sorted(REPO_STAGES & skip):
        report.results.append(StageResult(stage, REPO_ROW, "skipped", detail=f"--skip {stage}"))
    progress.finish()
    report.seconds = time.perf_counter() - started
    return report


def _settle(future: cf.Future[str], finish: Callable[[], str]) -> None:
    if future.done():
        return
    try:
        future.set_result(finish())
    except Exception as err:
        future.set_exception(err)
