"""Wall time of `rosgit build` (builtin engine, whole process) against the pinned `kustomize build`, and
the goals of issue 17 it serves.

Usage: python3 benchmarks/build.py [--overlay openshift-minimal] [--runs 15] [--scale-runs 3] [--scales 1,4,16]

1. The real overlay: RUNS interleaved runs of rosgit (cached: the result cache filled by a first run, as on
   any second build of an unchanged tree; uncached: ROSGIT_NO_CACHE=1) and kustomize; medians and ratios.
   Goal: rosgit <= 0.25x kustomize.
2. Growth: synthetic overlays holding the overlay (its bases and components) 1x, 4x and 16x, each
   copy wrapped in a kustomization with its own nameSuffix, built in a temp dir; medians per scale and the
   growth exponent of each tool. Goal: linear.
3. Start-up: the interpreter alone, `import typer`, `import rosgit.cli`, the engine's own imports, and a
   one-object build with each tool. Goal: a one-object build <= 3x the interpreter's start.

kustomize grows faster than linearly (about a minute per run at 16x on a 2-core machine), so the
whole run takes several minutes; `--scales 1,4` is quicker. rosgit's caches live in a temp directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml
from timing import (
    ENV,
    PYTHON,
    REPO,
    TOOLS,
    UNCACHED,
    Command,
    age_tree,
    goal,
    growth,
    interleaved,
    machine_load,
)

KUSTOMIZE = TOOLS / "kustomize"


def commands_for(overlay: Path) -> dict[str, Command]:
    rosgit = [PYTHON, "-m", "rosgit", "build", str(overlay)]
    return {
        "rosgit": (rosgit, {}),
        "rosgit uncached": (rosgit, UNCACHED),
        "kustomize": ([str(KUSTOMIZE), "build", str(overlay)], {}),
    }


def make_scaled(tmp: Path, overlay_name: str, copies: int) -> Path:
    """An overlay holding `copies` copies of the whole overlay (bases and components), each copy
    wrapped in a kustomization with its own nameSuffix so ids stay unique.

    Copying only the bases would not build: the components patch objects by name, and with several
    copies those patches no longer find a unique target (kustomize refuses that too).
    """
    for tree in ("base", "components", "overlays"):
        if not (tmp / tree).exists():
            shutil.copytree(REPO / tree, tmp / tree, symlinks=True)
    resources: list[str] = []
    for i in range(copies):
        wrapper = tmp / "copies" / str(i)
        if not wrapper.exists():
            wrapper.mkdir(parents=True)
            (wrapper / "kustomization.yaml").write_text(
                yaml.safe_dump({"nameSuffix": f"-c{i}", "resources": [f"../../overlays/{overlay_name}"]}),
                encoding="utf-8",
            )
        resources.append(f"../copies/{i}")
    target = tmp / f"scaled-x{copies}"
    target.mkdir()
    (target / "kustomization.yaml").write_text(yaml.safe_dump({"resources": resources}), encoding="utf-8")
    age_tree(tmp)
    return target


def check_same(overlay: Path) -> int:
    """Both tools, and rosgit cached and uncached, must print the same bytes; returns the number of documents."""
    rosgit = [PYTHON, "-m", "rosgit", "build", str(overlay)]
    outputs = {
        subprocess.run(rosgit, capture_output=True, text=True, check=True, env={**ENV, **env}).stdout
        for env in (UNCACHED, {}, {})
    }
    real = subprocess.run([str(KUSTOMIZE), "build", str(overlay)], capture_output=True, text=True, check=True)
    if outputs != {real.stdout}:
        raise SystemExit(f"outputs differ for {overlay}")
    return real.stdout.count("\n---\n") + 1


def startup(runs: int, tmp: Path) -> None:
    tiny = tmp / "tiny"
    tiny.mkdir(exist_ok=True)
    (tiny / "kustomization.yaml").write_text("resources:\n- cm.yaml\n", encoding="utf-8")
    (tiny / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n", encoding="utf-8")
    age_tree(tiny)
    one = [PYTHON, "-m", "rosgit", "build", str(tiny)]
    probes: dict[str, Command] = {
        "python3 -c pass": ([PYTHON, "-c", "pass"], {}),
        "import typer": ([PYTHON, "-c", "import typer"], {}),
        "import rosgit.cli (typer app)": ([PYTHON, "-c", "import rosgit.cli"], {}),
        "import the engine (kustomizer)": ([PYTHON, "-c", "import rosgit.kustomize.kustomizer"], {}),
        "rosgit build <one ConfigMap>": (one, {}),
        "rosgit build <one ConfigMap> uncached": (one, UNCACHED),
        "kustomize build <one ConfigMap>": ([str(KUSTOMIZE), "build", str(tiny)], {}),
    }
    medians = interleaved(probes, REPO, runs)
    print("\nstart-up (median wall time):")
    for name, value in medians.items():
        print(f"  {name:40s} {value * 1000:7.1f} ms")
    trace = subprocess.run(
        [PYTHON, "-X", "importtime", *one[1:]], capture_output=True, text=True, check=True, env={**ENV, **UNCACHED},
    ).stderr
    modules = {line.rsplit("|", 1)[-1].strip() for line in trace.splitlines() if "|" in line}
    print(f"  typer imported by `python3 -m rosgit build`: {'yes' if 'typer' in modules else 'no'}")
    floor = medians["python3 -c pass"]
    for label, name in (("", "rosgit build <one ConfigMap>"), (" uncached", "rosgit build <one ConfigMap> uncached")):
        print(goal(f"one-object build / interpreter start{label}", medians[name] / floor, 3.0))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlay", default="openshift-minimal")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--scale-runs", type=int, default=3)
    parser.add_argument("--scales", default="1,4,16")
    args = parser.parse_args(argv)
    if not KUSTOMIZE.exists():
        raise SystemExit("kustomize is not installed (run scripts/install-tools.sh)")

    with tempfile.TemporaryDirectory(prefix="rosgit-bench-") as tmp:
        ENV["ROSGIT_CACHE_DIR"] = str(Path(tmp) / "cache")  # every run's environment (timing.timed)
        print(f"machine: {os.cpu_count()} cores, {machine_load()}")
        overlay = REPO / "overlays" / args.overlay
        docs = check_same(overlay)
        medians = interleaved(commands_for(overlay), REPO, args.runs)
        print(f"overlays/{args.overlay} ({docs} objects, {args.runs} interleaved runs each):")
        for name in ("rosgit", "rosgit uncached", "kustomize"):
            print(f"  {name + ' build':24s} {medians[name] * 1000:7.1f} ms")
        print(goal("rosgit build / kustomize build", medians["rosgit"] / medians["kustomize"], 0.25))
        print(goal("rosgit build / kustomize build, uncached", medians["rosgit uncached"] / medians["kustomize"], 0.25))

        scales = [int(s) for s in args.scales.split(",")]
        print(f"\ngrowth ({args.scale_runs} interleaved runs each):")
        print(f"  {'scale':>5} {'objects':>8} {'rosgit ms':>10} {'uncached ms':>12} {'kustomize ms':>13}")
        series: dict[str, list[float]] = {name: [] for name in ("rosgit", "rosgit uncached", "kustomize")}
        for copies in scales:
            scaled = make_scaled(Path(tmp), args.overlay, copies)
            count = check_same(scaled)
            m = interleaved(commands_for(scaled), Path(tmp), args.scale_runs)
            for name in series:
                series[name].append(m[name])
            print(
                f"  {copies:>4}x {count:>8} {m['rosgit'] * 1000:>10.1f} {m['rosgit uncached'] * 1000:>12.1f} "
                f"{m['kustomize'] * 1000:>13.1f}"
            )
        for name, values in series.items():
            print(f"  growth of {name}: {growth(scales, values)}")
        startup(args.runs, Path(tmp))
        print(f"machine after: {machine_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
