"""Wall time of `rosgit check` against the shell pipeline CI would otherwise run: for every overlay,
`kustomize build overlays/X | kubeconform -strict -` with the same offline schemas.

Usage: python3 benchmarks/check.py [--runs 5]

Prints the median of interleaved runs of:
- pipeline:      kustomize build + kubeconform, overlay after overlay (what a CI script does);
- check:         `rosgit check` (drift, builtin build, byte comparison with kustomize, validation, lint,
                 Argo CD, sealed secrets, Helm equivalence): much more work than the pipeline;
- check-core:    `rosgit check --skip generate,argocd,secrets,helm` (build, comparison, validation, lint):
                 the pipeline's work plus the comparison and lint.
and the ratios check/pipeline and check-core/pipeline (goal: <= 1).
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / ".tools" / "bin"
sys.path.insert(0, str(REPO))  # this working tree's rosgit, whatever is pip-installed


def overlays() -> list[str]:
    from rosgit.catalog import load_catalog

    return [o.name for o in load_catalog(REPO / "rosgit.yaml").overlays]


def kubeconform_locations() -> list[str]:
    """The schema locations rosgit's validation hands kubeconform (filled by a first `rosgit check`)."""
    from rosgit.validate.schemas import schema_set

    return schema_set(project_root=REPO).kubeconform_locations()


def pipeline_script() -> str:
    locations = " ".join(f"-schema-location {shlex.quote(loc)}" for loc in kubeconform_locations())
    steps = [
        f"{TOOLS / 'kustomize'} build overlays/{name} | {TOOLS / 'kubeconform'} -strict -summary {locations} -"
        for name in overlays()
    ]
    return "set -euo pipefail\n" + "\n".join(steps) + "\n"


def timed(cmd: list[str], ok_codes: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok_codes:
        raise SystemExit(f"{shlex.join(cmd[:4])} failed: {proc.stderr.decode(errors='replace').strip()[-400:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for tool in ("kustomize", "kubeconform"):
        if not (TOOLS / tool).is_file():
            raise SystemExit(f"{tool} is not installed; run scripts/install-tools.sh")
    rosgit = [sys.executable, "-m", "rosgit", "check"]
    commands = {
        "check": rosgit,
        "check-core": [*rosgit, "--skip", "generate,argocd,secrets,helm"],
    }
    timed(rosgit)  # warm-up: fills the schema cache the pipeline then shares, and the .pyc files
    commands["pipeline"] = ["bash", "-c", pipeline_script()]
    timed(commands["pipeline"])
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            samples[name].append(timed(cmd))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name in ("pipeline", "check-core", "check"):
        spread = f"{min(samples[name]):.2f}-{max(samples[name]):.2f}"
        print(f"{name:<11} median {medians[name]:6.2f}s  (range {spread}s, {args.runs} runs)")
    print(f"ratio check/pipeline      {medians['check'] / medians['pipeline']:.2f}")
    print(f"ratio check-core/pipeline {medians['check-core'] / medians['pipeline']:.2f}")


if __name__ == "__main__":
    main()
