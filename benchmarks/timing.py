"""What every benchmark shares: whole-process wall time, interleaved medians, goal lines, growth."""

from __future__ import annotations

import math
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / ".tools" / "bin"
PYTHON = sys.executable

# Python's compiled-bytecode cache is used as on any normal install, even where the calling environment
# disables it (PYTHONDONTWRITEBYTECODE would recompile every module on every run); this tree's rosgit runs
# whatever the working directory, with this tree's pinned tools (a scratch copy has no .tools/ of its own,
# and without them rosgit check skips the kustomize and Helm stages and validates with its builtin validator).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
    "PYTHONPATH": str(REPO), "ROSGIT_TOOLS_BIN": str(TOOLS),
}
UNCACHED = {"ROSGIT_NO_CACHE": "1"}


def timed(cmd: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env={**ENV, **(env or {})}
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[:4])} failed: {proc.stderr.decode(errors='replace').strip()[-400:]}")
    return elapsed


def cpu_seconds(cmd: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> float:
    """User and system CPU of the command and every descendant it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    timed(cmd, cwd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


Command = tuple[list[str], dict[str, str]]


def interleaved(commands: Mapping[str, Command], cwd: Path, runs: int, warm: bool = True) -> dict[str, float]:
    """Median wall time of each command, alternating them so machine noise hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    if warm:
        for cmd, env in commands.values():  # the page cache, .pyc files, rosgit's caches
            timed(cmd, cwd, env)
    for _ in range(runs):
        for name, (cmd, env) in commands.items():
            samples[name].append(timed(cmd, cwd, env))
    return {name: statistics.median(values) for name, values in samples.items()}


def goal(what: str, value: float, limit: float, unit: str = "x") -> str:
    verdict = "met" if value <= limit else "NOT met"
    return f"  goal {what}: {value:.2f}{unit} (<= {limit:g}{unit}) {verdict}"


def growth(sizes: Sequence[int], seconds: Sequence[float]) -> str:
    """The exponent k of time ~ size^k from the first to the last scale: 1 is linear; <= 1.15 counts as
    linear (a fixed start-up cost makes it lower)."""
    if len(sizes) < 2 or seconds[0] <= 0:
        return "n/a (one scale)"
    k = math.log(seconds[-1] / seconds[0]) / math.log(sizes[-1] / sizes[0])
    return f"exponent {k:.2f} ({'linear' if k <= 1.15 else 'NOT linear'})"


def machine_load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def age_tree(root: Path) -> None:
    """Files a benchmark just wrote: rosgit's caches do not store what was read within seconds of a write
    (rosgit.cache.RACY_NS); date them back, as files a user checked out a while ago."""
    past = time.time() - 60
    for current, _dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(current, name), (past, past), follow_symlinks=False)
