"""`rosgit rehearse`: the thin layer that picks the overlays, runs each rehearsal and prints its timeline."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from rosgit.catalog import load_catalog
from rosgit.errors import UsageError
from rosgit.rehearsal.cluster import require_programs
from rosgit.rehearsal.engine import Outcome, Rehearsal, catalog_root, default_run_dir, rehearse


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops every process as Ctrl-C does (the clusters' context managers)


def _print(line: str) -> None:
    print(f"rosgit: {line}", file=sys.stderr, flush=True)


def _progress(overlay: str) -> Callable[[str], None]:
    return lambda line: _print(f"{overlay}: {line}")


def _keep(run: Rehearsal) -> None:
    cluster = run.cluster
    _print(f"--keep: the cluster runs until Ctrl-C; its API server listens inside network namespace "
           f"{cluster.sandbox.netns} (enter it with `nsenter --net --mount --target "
           f"{cluster.sandbox.pids[-1]}`), KUBECONFIG={cluster.root / 'kubeconfig'}")
    signal.pause()


def report(outcome: Outcome) -> list[str]:
    lines = [f"{outcome.overlay}: timeline (seconds from the root Application's apply)"]
    lines += [f"  {line}" for line in outcome.timeline]
    if outcome.stand_ins:
        lines.append(f"  stand-ins set the status of: {', '.join(outcome.stand_ins)}")
    lines += [f"  stuck: {p.subject}: {p.reason}" for p in outcome.stuck]
    figures = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in outcome.durations.items())
    lines.append(f"  durations: {figures}")
    if outcome.ok:
        lines.append(f"{outcome.overlay}: ok: admitted under restricted, scheduled on the declared nodes, "
                     "synced in order with each hook once, Synced/Healthy, secrets unsealed to the sealed values")
    else:
        lines.append(f"{outcome.overlay}: FAILED: {outcome.problems[0].line()}")
        lines += [f"  also: {p.line()}" for p in outcome.problems[1:6]]
    if outcome.leftovers:
        lines.append(f"{outcome.overlay}: processes left running: {outcome.leftovers}")
    return lines


def run_rehearse(catalog_path: Path, overlays: list[str], *, all_overlays: bool, keep: bool,
                 timeout: float) -> int:
    catalog = load_catalog(catalog_path)
    names = [o.name for o in catalog.overlays] if all_overlays else [Path(o).name for o in overlays]
    if not names:
        raise UsageError("name an overlay (or pass --all)")
    unknown = [n for n in names if catalog.overlay(n) is None]
    if unknown:
        raise UsageError(f"unknown overlay {unknown[0]!r} (known: {', '.join(o.name for o in catalog.overlays)})")
    require_programs()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    failed = False
    try:
        for name in names:
            run_dir = default_run_dir()
            _print(f"{name}: rehearsing in {run_dir}")
            outcome = rehearse(catalog_root(catalog_path), catalog_path, name, run_dir, timeout=timeout,
                               progress=_progress(name), keep=_keep if keep else None)
            for line in report(outcome):
                print(line, flush=True)
            failed = failed or not outcome.ok or bool(outcome.leftovers)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 1 if failed else 0


def run_verify(catalog_path: Path, overlays: list[str], kubeconfig: Path, context: str | None) -> int:
    import os

    from rosgit.build import build_objects
    from rosgit.rehearsal.verify import verify_objects
    from rosgit.tools import ProcessResult, require_program, run_process

    catalog = load_catalog(catalog_path)
    names = [Path(o).name for o in overlays] or [o.name for o in catalog.overlays]
    specs = [spec for spec in (catalog.overlay(n) for n in names) if spec is not None]
    if len(specs) != len(names):
        unknown = next(n for n in names if catalog.overlay(n) is None)
        raise UsageError(f"unknown overlay {unknown!r} (known: {', '.join(o.name for o in catalog.overlays)})")
    if not kubeconfig.is_file():
        raise UsageError("kubeconfig not found", location=str(kubeconfig))
    kubectl = require_program("kubectl")
    base = [str(kubectl), "--kubeconfig", str(kubeconfig), *(["--context", context] if context else [])]
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "HTTPS_PROXY", "NO_PROXY")}

    def run(args: list[str], stdin: str) -> ProcessResult:
        return run_process([*base, *args], env=env, input_text=stdin, timeout=60)

    failed = False
    root = catalog_root(catalog_path)
    for spec in specs:
        verdict = verify_objects(spec.name, build_objects(root / "overlays" / spec.name),
                                 catalog.namespace_of(spec), run)
        for line in verdict.lines():
            print(line, flush=True)
        failed = failed or not verdict.ok
    return 1 if failed else 0
