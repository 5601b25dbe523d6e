"""Running every stage of `rosgit check` once, concurrently where that helps (2 cores).

Each overlay is built once (`rosgit.build.build_with_fallback`); its objects feed validation and lint, and
the builds reach the repo-wide stages as an argument (`RepoInput.builds`). The repo-wide stages are mostly
Python, so they run in forked processes (threads would share one core): the drift check from the start,
Argo CD, sealed secrets and Helm once the builds exist, which the fork hands over for free. Subprocess work
(the real kustomize for the byte comparison, one kubeconform run for every overlay) is only waited on by
threads.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path, PurePosixPath
from typing import Generic, TypeVar

from rosgit import cache, ids
from rosgit.build import Builds, BuiltOverlay, build_with_fallback, failure_text, start_kustomize
from rosgit.catalog import load_catalog
from rosgit.catalog.model import Catalog
from rosgit.check import stages as S
from rosgit.check.memo import (
    StageMemos,
    kustomize_stamp,
    lint_inputs,
    lint_stamp,
    schema_inputs,
    validate_stamp,
)
from rosgit.check.model import REPO_ROW, REPO_STAGES, STAGES, CheckReport, StageResult, Status
from rosgit.check.progress import Progress
from rosgit.contracts import contracts_for
from rosgit.contracts.loader import DIRECTORY_VARIABLE as CONTRACTS_VARIABLE
from rosgit.errors import UsageError
from rosgit.fileset.state import tree_root
from rosgit.findings import Finding, Severity
from rosgit.k8s.objects import Obj
from rosgit.lint.targets import OverlayTarget, resolve_targets
from rosgit.tools import find_tool, run_tool

# The real kustomize builds of the byte comparison, at most this many at a time: each is a Go process that
# keeps more than a core busy, so starting every overlay's at once (96 at 16x the overlays) adds memory and
# load, not throughput.
KUSTOMIZE_AT_ONCE = max(2, os.cpu_count() or 1)

T = TypeVar("T")


@dataclass(frozen=True)
class RepoOutcome:
    """What one repo-wide stage produced, before its findings are split into overlay rows."""

    stage: str
    status: Status
    findings: tuple[Finding, ...]
    detail: str
    seconds: float


def run_repo_stages(repo: S.RepoInput, wanted: tuple[str, ...]) -> list[RepoOutcome]:
    outcomes: list[RepoOutcome] = []
    for stage in wanted:
        started = time.perf_counter()
        try:
            findings = S.REPO_STAGE_RUNNERS[stage](repo)
            outcome = RepoOutcome(stage, "ok", tuple(findings), "", time.perf_counter() - started)
        except Exception as err:  # a stage that cannot run is a failed cell, never a crashed check
            outcome = RepoOutcome(stage, "failed", (), failure_text(err), time.perf_counter() - started)
        outcomes.append(outcome)
    return outcomes


class _Child(Generic[T]):
    """Work running in a forked process; its result comes back over a pipe.

    Forked (not spawned) so the child starts with the loaded catalog, the imported modules and the
    overlays already built; it must be forked while this process has no other threads.
    """

    def __init__(self, work: Callable[[], T]) -> None:
        context = multiprocessing.get_context("fork")
        self.reader, writer = context.Pipe(duplex=False)
        self.process = context.Process(target=self._main, args=(work, writer), daemon=True)
        self.process.start()
        writer.close()

    @staticmethod
    def _main(work: Callable[[], T], writer: Connection) -> None:
        try:
            writer.send(work())
        except BaseException as err:  # report, never hang the parent
            writer.send(_Failure(failure_text(err)))
        finally:
            writer.close()

    def result(self) -> T | _Failure:
        try:
            payload = self.reader.recv()
        except EOFError:
            payload = _Failure("the worker process died")
        finally:
            self.process.join()
            self.reader.close()
        result: T | _Failure = payload
        return result


@dataclass(frozen=True)
class _Failure:
    """Why a forked child returned no result."""

    reason: str


def _repo_child(repo: S.RepoInput, stages: tuple[str, ...]) -> _Child[list[RepoOutcome]]:
    return _Child(partial(run_repo_stages, repo, stages))


def can_fork() -> bool:
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def split_outcome(
    outcome: RepoOutcome, overlays: list[str], rows: Mapping[PurePosixPath, str]
) -> list[StageResult]:
    """One cell per overlay (the findings in its directory, see `stages.row_of`) plus the repo row for the rest.
    A finding in the directory of an overlay not selected (`rows` knows every catalog overlay) is left out:
    `--overlay X` is about X, the repo-wide stages included."""
    if outcome.status != "ok":
        status: Status = outcome.status
        return [StageResult(outcome.stage, REPO_ROW, status, (), outcome.detail, outcome.seconds)]
    cells: dict[str, list[Finding]] = {name: [] for name in [*overlays, REPO_ROW]}
    for finding in outcome.findings:
        row = S.row_of(finding, rows) or REPO_ROW
        if row in cells:
            cells[row].append(finding)
    results = []
    for row, findings in cells.items():
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
        self.built: BuiltOverlay | None = None

    @property
    def objects(self) -> list[Obj] | None:
        return self.built.objects if self.built is not None else None

    def build(self, builds: Builds) -> None:
        """Build with the one fallback policy, and record the outcome in `builds` for the repo-wide stages."""
        name, source = self.target.name, self.target.context.source
        started = time.perf_counter()
        try:
            built = build_with_fallback(self.target.path)
        except Exception as err:
            reason = failure_text(err)
            builds.add_failure(self.target.path, reason)
            finding = Finding(ids.CHK010, "error", source, f"does not build: {reason}", "", source)
            self.results.append(_cell("build", name, [finding], time.perf_counter() - started))
            return
        builds.add(built)
        self.built = built
        findings = []
        if built.fallback is not None:
            findings.append(
                Finding(
                    ids.CHK012, "error", source, f"builtin engine failed where kustomize builds: {built.fallback}",
                    "a bug in rosgit's kustomize engine: report it; `--engine kustomize` works around it", source,
                )
            )
        self.results.append(_cell("build", name, findings, time.perf_counter() - started))

    def compare(self, kustomized: cf.Future[str] | None) -> None:
        name, source = self.target.name, self.target.context.source
        if "kustomize" in self.skip:
            self.results.append(StageResult("kustomize", name, "skipped", detail="--skip kustomize"))
            return
        if kustomized is None:
            # reported once, in the repo row, as every missing tool is (missing_tools)
            self.results.append(StageResult("kustomize", name, "skipped", detail="kustomize is not installed"))
            return
        started = time.perf_counter()
        try:
            text = kustomized.result()
        except Exception as err:
            finding = Finding(ids.CHK013, "error", source, f"kustomize build fails: {failure_text(err)}", "", source)
            self.results.append(_cell("kustomize", name, [finding], time.perf_counter() - started))
            return
        if self.built is None or self.built.engine != "builtin":
            self.results.append(StageResult("kustomize", name, "skipped", detail="builtin engine failed"))
            return
        findings = S.compare_engines(source, self.built.text, text)
        self.results.append(_cell("kustomize", name, findings, time.perf_counter() - started))

    def validation(self, batch: cf.Future[dict[str, list[Finding]]] | None) -> StageResult:
        """This overlay's share of the batched validation run."""
        source = self.target.context.source
        if batch is None or self.objects is None:
            return self.run_stage("validate", lambda _objects: [])
        started = time.perf_counter()
        try:
            findings = batch.result().get(source, [])
        except Exception as err:
            return StageResult("validate", self.target.name, "failed", detail=failure_text(err))
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
        except Exception as err:
            return StageResult(stage, name, "failed", detail=failure_text(err), seconds=time.perf_counter() - started)


def relax_stubs(outcome: RepoOutcome) -> RepoOutcome:
    """Stubs in production overlays become warnings unless --require-sealed.

    A freshly generated repository has stubs everywhere until `rosgit seal` runs against the cluster's
    certificate; the check must pass on such a repository, and still say loudly what is unsealed.
    """
    if outcome.stage != "secrets":
        return outcome
    relaxed = tuple(
        replace(f, severity="warning", message=f"{f.message} (--require-sealed makes this an error)")
        if f.id == ids.ROS501 and f.severity == "error"
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


# The stages that need a pinned tool, and what happens without it. The one policy for a missing tool: a
# CHK030 finding in the repo row naming the tool, what did not run and the install command; a warning (an
# error with --require-tools, as CI runs), never a stage failure with some other stage's hint.
STAGE_TOOLS: dict[str, tuple[str, str]] = {
    "kustomize": ("kustomize", "the byte comparison of the builtin engine with kustomize did not run"),
    "validate": ("kubeconform", "validation used the builtin validator (the same schemas) instead"),
    "helm": ("helm", "the Helm equivalence proof did not run"),
}


def missing_tools(skip: set[str], *, require_tools: bool) -> dict[str, Finding]:
    """A finding per stage whose tool is not installed (stages skipped on purpose are not asked about)."""
    from rosgit.tools import missing_tool_message

    found: dict[str, Finding] = {}
    for stage, (tool, consequence) in STAGE_TOOLS.items():
        if stage in skip or find_tool(tool) is not None:
            continue
        severity: Severity = "error" if require_tools else "warning" if stage != "validate" else "info"
        found[stage] = Finding(
            ids.CHK030, severity, tool, f"{tool} is not installed: {consequence}",
            missing_tool_message(tool), "",
        )
    return found


def run_pipeline(
    catalog_path: Path,
    *,
    overlays: list[str],
    skip: set[str],
    progress: Progress | None = None,
    require_sealed: bool = False,
    require_tools: bool = False,
    catalog: Catalog | None = None,
) -> CheckReport:
    """The report of every stage; an earlier run's when no input changed at all (see `report_inputs`).
    `catalog`: the catalog at catalog_path, when the caller has loaded it already."""
    started = time.perf_counter()
    identity = (
        os.path.abspath(catalog_path), os.getcwd(), *overlays, "--skip", *sorted(skip),
        f"sealed={require_sealed}", f"tools={require_tools}",
    )
    root = tree_root(catalog_path)
    inputs = report_inputs(root) if cache.enabled() else None
    entry = cache.load("check", identity) if inputs is not None else None
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == inputs and isinstance(entry[1], CheckReport):
        return replace(entry[1], seconds=time.perf_counter() - started)
    began = time.time_ns()
    report = compute_report(
        catalog_path, overlays=overlays, skip=skip, progress=progress, require_sealed=require_sealed,
        require_tools=require_tools, catalog=catalog,
    )
    # Not stored: a failed stage (it may pass next time: a tool timed out), or a tree a file of which was
    # written shortly before or during the run (it may have been read half-way; cache.RACY_NS).
    if (
        inputs is not None
        and all(r.status != "failed" for r in report.results)
        and not cache.tree_modified_since([root], began - cache.RACY_NS)
    ):
        cache.store("check", identity, (inputs, report))
    return report


# Every tool a stage may run (git: the chart-version check compares with the main branch).
CHECK_TOOLS = ("kustomize", "kubeconform", "helm", "helm3", "kubeseal", "git")


def report_inputs(root: Path) -> tuple[str, ...] | None:
    """What a check's report is computed from: every file of the tree, rosgit itself, the tools, the Git
    refs (the base of the chart-version check) and rosgit's environment. None: too large to cache."""
    contracts = os.environ.get(CONTRACTS_VARIABLE)  # contracts read from outside the tree
    try:
        tree = cache.tree_digest([root, *([Path(contracts)] if contracts else [])])
    except cache.TooLarge:
        return None
    git = find_tool("git")
    refs = run_tool(git, ["-C", str(root), "show-ref", "--head"]).stdout if git is not None else ""
    environment = sorted(
        f"{k}={v}" for k, v in os.environ.items() if k.startswith("ROSGIT_") and not k.startswith("ROSGIT_SECRET")
    )
    return (
        tree, cache.source_digest(), cache.tools_digest([find_tool(name) for name in CHECK_TOOLS]), refs,
        *environment,
    )


def compute_report(
    catalog_path: Path,
    *,
    overlays: list[str],
    skip: set[str],
    progress: Progress | None = None,
    require_sealed: bool = False,
    require_tools: bool = False,
    catalog: Catalog | None = None,
) -> CheckReport:
    """Order of work, for 2 cores: fork the drift check; build every overlay; fork the other repo-wide
    stages with those builds; then start the real kustomize builds, validate (one kubeconform run on a
    thread) and lint here while the children run. With no repo-wide stage but the drift check and no
    comparison (pre-commit), a forked helper builds, validates and lints every other overlay instead."""
    started = time.perf_counter()
    began = time.time_ns()
    catalog = load_catalog(catalog_path) if catalog is None else catalog
    root = tree_root(catalog_path)
    contracts = contracts_for(catalog, catalog_path)
    targets = resolve_targets(catalog, root, overlays, contracts)
    memos = StageMemos([root, *contracts.files.values()], began)
    names = [t.name for t in targets]
    report = CheckReport(overlays=names)
    progress = progress or Progress(total=1, enabled=False)
    progress.total = 3 * len(targets) + 1
    fork = can_fork()
    # Filled below before the second fork; overlays it lacks (not selected, or --skip build) are built
    # on first use by whichever repo-wide stage needs them, once for all of them.
    selected = tuple(t.name for t in targets if catalog.overlay(t.name) is not None) if overlays else None
    repo = S.RepoInput(root, catalog, catalog_path.name, Builds(), overlays=selected)
    missing = missing_tools(skip, require_tools=require_tools)
    skip = skip | {stage for stage in missing if stage in REPO_STAGES}

    drift_stages = ("generate",) if "generate" not in skip else ()
    other_stages = tuple(s for s in STAGES if s in REPO_STAGES - {"generate"} and s not in skip)
    drift = _repo_child(repo, drift_stages) if fork and drift_stages else None

    # The real kustomize runs only for the byte comparison. When a repo-wide worker waits for the builtin
    # builds (the longest path), or its output may be remembered (which needs the build's inputs), it starts
    # after them; otherwise right away, overlapping the builds.
    compare = "kustomize" not in skip and "kustomize" not in missing
    late_kustomize = (fork and bool(other_stages)) or cache.enabled()
    # Its threads exist once a run is submitted: early runs mean no fork follows (see late_kustomize).
    with cf.ThreadPoolExecutor(max_workers=KUSTOMIZE_AT_ONCE, thread_name_prefix="kustomize") as kustomize_pool:
        kustomized = (
            _start_comparisons(targets, {}, memos, kustomize_pool) if compare and not late_kustomize else {}
        )

        work = [_Overlay(target, skip) for target in targets]
        lint_context_inputs = lint_inputs(catalog_path, contracts) if cache.enabled() else None
        judge = partial(
            _judge_overlays, catalog=catalog, memos=memos, lint_context_inputs=lint_context_inputs, skip=skip
        )
        # Without repo-wide stages waiting for every build (pre-commit), nothing would keep the second core
        # busy once the drift check ends: a forked helper takes every other overlay, start to end.
        helper: _Child[list[list[StageResult]]] | None = None
        theirs: list[_Overlay] = []
        if fork and not other_stages and not compare and len(work) > 1 and "build" not in skip:
            theirs, work = work[1::2], work[0::2]
            helper = _Child(partial(_overlays_alone, theirs, repo.builds, memos, judge))
        _build_overlays(work, repo.builds, progress)

        others = _repo_child(repo, other_stages) if fork and other_stages else None

        if compare and late_kustomize:
            kustomized = _start_comparisons(targets, {o.target.name: o.built for o in work}, memos, kustomize_pool)
        judge(work, kustomized=kustomized, progress=progress)

    results = {o.target.name: o.results for o in work}
    if helper is not None:
        results.update(_helper_results(helper, theirs, progress))
    for target in targets:
        report.results.extend(results[target.name])

    progress.step("repo-wide checks")
    outcomes = [*_outcomes(drift, repo, drift_stages), *_outcomes(others, repo, other_stages)]
    memos.commit()
    every_overlay = {o.name: root / "overlays" / o.name for o in catalog.overlays}
    rows = S.overlay_rows(root, {**every_overlay, **{t.name: t.path for t in targets}})
    for outcome in outcomes:
        report.results.extend(split_outcome(outcome if require_sealed else relax_stubs(outcome), names, rows))
    for stage in sorted(REPO_STAGES & skip):
        if stage not in missing:
            report.results.append(StageResult(stage, REPO_ROW, "skipped", detail=f"--skip {stage}"))
    for stage, finding in sorted(missing.items()):
        ran: Status = "findings" if stage == "validate" else "skipped"  # validate ran, on the builtin validator
        report.results.append(StageResult(stage, REPO_ROW, ran, (finding,), finding.message))
    progress.finish()
    report.seconds = time.perf_counter() - started
    return report


def _build_overlays(work: list[_Overlay], builds: Builds, progress: Progress) -> None:
    """Built in a row, the overlays accumulate each base directory they share once (kustomize.subbuilds)."""
    from rosgit.kustomize.subbuilds import sharing

    with sharing():
        for overlay in work:
            progress.step(f"build {overlay.target.name}")
            if "build" in overlay.skip:
                overlay.results.append(StageResult("build", overlay.target.name, "skipped", detail="--skip build"))
                continue
            overlay.build(builds)


def _judge_overlays(
    work: list[_Overlay], *, catalog: Catalog, memos: StageMemos, lint_context_inputs: str | None,
    skip: set[str], kustomized: Mapping[str, cf.Future[str]], progress: Progress,
) -> None:
    """Validate the built overlays (one kubeconform run, on a thread), lint them here, then compare each with
    kustomize's output: every overlay's cells, in stage order."""
    with cf.ThreadPoolExecutor(max_workers=1) as threads:
        built = {o.target.context.source: o.built for o in work if o.built is not None}
        versions = {
            o.target.context.source: version
            for o in work
            if (version := S.target_version(catalog, o.target.name)) is not None
        }
        batch = threads.submit(_validated, built, versions, memos) if built and "validate" not in skip else None
        for overlay in work:
            progress.step(f"lint {overlay.target.name}")
            linted = partial(_linted, overlay, lint_context_inputs, memos)
            overlay.results.append(overlay.run_stage("lint", linted))
        for overlay in work:
            progress.step(f"compare and validate {overlay.target.name}")
            overlay.compare(kustomized.get(overlay.target.name))
            overlay.results.append(overlay.validation(batch))


def _overlays_alone(
    work: list[_Overlay], builds: Builds, memos: StageMemos, judge: Callable[..., None]
) -> list[list[StageResult]]:
    """A forked helper's share: build and judge these overlays, keep what it computed, return their cells."""
    quiet = Progress(total=1, enabled=False)
    _build_overlays(work, builds, quiet)
    judge(work, kustomized={}, progress=quiet)
    memos.commit()  # the helper's memory ends with it
    return [overlay.results for overlay in work]


def _helper_results(
    helper: _Child[list[list[StageResult]]], work: list[_Overlay], progress: Progress
) -> dict[str, list[StageResult]]:
    result = helper.result()
    for overlay in work:
        for stage in ("build", "lint", "compare and validate"):
            progress.step(f"{stage} {overlay.target.name}")
    if isinstance(result, _Failure):
        return {
            o.target.name: [StageResult("build", o.target.name, "failed", detail=result.reason)] for o in work
        }
    return {o.target.name: cells for o, cells in zip(work, result, strict=True)}


def _start_comparisons(
    targets: list[OverlayTarget], built: Mapping[str, BuiltOverlay | None], memos: StageMemos,
    pool: cf.ThreadPoolExecutor,
) -> dict[str, cf.Future[str]]:
    """Per overlay, kustomize's output: the remembered one for the same inputs, or a run queued in `pool`
    (remembered once it succeeds)."""
    outputs: dict[str, cf.Future[str]] = {}
    for target in targets:
        overlay = built.get(target.name)
        stamp = kustomize_stamp(overlay.inputs) if overlay is not None and overlay.engine == "builtin" else None
        text = memos.recall("kustomize", target.path, stamp) if stamp is not None and cache.enabled() else None
        if isinstance(text, str):
            outputs[target.name] = cf.Future()
            outputs[target.name].set_result(text)
        else:
            outputs[target.name] = pool.submit(_kustomize_output, target.path, stamp, memos)
    return outputs


def _validated(
    built: Mapping[str, BuiltOverlay], versions: Mapping[str, str], memos: StageMemos
) -> dict[str, list[Finding]]:
    """`stages.validate_batch` on the overlays whose findings are not remembered for the same text, version,
    validator and schemas; one kubeconform run for all of those."""
    found: dict[str, list[Finding]] = {}
    todo: dict[str, tuple[str, ...] | None] = {}
    schemas = schema_inputs() if cache.enabled() else None
    for source, overlay in built.items():
        stamp = validate_stamp(overlay.text, versions.get(source), schemas) if schemas is not None else None
        remembered = memos.recall("validate", overlay.path, stamp) if stamp is not None else None
        if isinstance(remembered, list):
            found[source] = remembered
        else:
            todo[source] = stamp
    if todo:
        computed = S.validate_batch(
            {source: built[source].objects for source in todo},
            {source: version for source, version in versions.items() if source in todo},
        )
        for source, findings in computed.items():
            stamp = todo.get(source)
            if stamp is not None:
                memos.keep("validate", built[source].path, stamp, findings)
        found.update(computed)
    return found


def _linted(overlay: _Overlay, inputs: str | None, memos: StageMemos, objects: list[Obj]) -> list[Finding]:
    """`inputs`: this run's `memo.lint_inputs` (None: nothing is remembered)."""
    built, context = overlay.built, overlay.target.context
    if built is None or inputs is None:
        return S.lint_findings(objects, context)
    stamp = lint_stamp(built.text, inputs)
    findings: list[Finding] = memos.remembered("lint", built.path, stamp, partial(S.lint_findings, objects, context))
    return findings


def _outcomes(
    child: _Child[list[RepoOutcome]] | None, repo: S.RepoInput, stages: tuple[str, ...]
) -> list[RepoOutcome]:
    """The forked child's results, or the stages run here when there is no child."""
    if child is None:
        return run_repo_stages(repo, stages)
    result = child.result()
    if isinstance(result, _Failure):
        return [RepoOutcome(s, "failed", (), result.reason, 0.0) for s in stages]
    return result


def _kustomize_output(path: Path, stamp: tuple[str, ...] | None, memos: StageMemos) -> str:
    text = start_kustomize(path).result().output(location=str(path))
    if stamp is not None:
        memos.keep("kustomize", path, stamp, text)
    return text
