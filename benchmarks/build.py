"""Wall time of `rosgit build` (builtin engine, whole process) against the pinned `kustomize build`.

Usage: python3 benchmarks/build.py [--overlay openshift-minimal] [--runs 15] [--scale-runs 3] [--scales 1,4,16]

1. The real overlay: RUNS interleaved runs of each command; prints both medians and their ratio.
2. Growth: synthetic overlays holding the overlay (its bases and components) 1x, 4x and 16x, each
   copy wrapped in a kustomization with its own nameSuffix, built in a temp dir; prints medians per
   scale, so the growth of each tool can be read off.
3. Start-up: the interpreter alone, `import typer`, `import rosgit.cli`, the engine's own imports,
   and a one-object build with each tool.

kustomize grows faster than linearly (about a minute per run at 16x on a 2-core machine), so the
whole run takes several minutes; `--scales 1,4` is quicker.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
KUSTOMIZE = REPO / ".tools" / "bin" / "kustomize"


# Python's compiled-bytecode cache is used as on any normal install, even where the calling
# environment disables it (PYTHONDONTWRITEBYTECODE would recompile every module on every run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: Sequence[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=ENV
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode(errors='replace').strip()}")
    return elapsed


def interleaved(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, float]:
    """Median wall time of each command, alternating them so machine noise hits both alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm the page cache and .pyc files
        timed(cmd, cwd)
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(timed(cmd, cwd))
    return {name: statistics.median(values) for name, values in samples.items()}


def commands_for(overlay: Path) -> dict[str, list[str]]:
    return {
        "rosgit": [sys.executable, "-m", "rosgit", "build", str(overlay)],
        "kustomize": [str(KUSTOMIZE), "build", str(overlay)],
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
    return target


def check_same(overlay: Path) -> int:
    """Both tools must print the same bytes; returns the number of documents."""
    mine = subprocess.run(
        [sys.executable, "-m", "rosgit", "build", str(overlay)], capture_output=True, text=True, check=True,
        env=ENV,
    ).stdout
    real = subprocess.run([str(KUSTOMIZE), "build", str(overlay)], capture_output=True, text=True, check=True)
    if mine != real.stdout:
        raise SystemExit(f"outputs differ for {overlay}")
    return mine.count("\n---\n") + 1


def startup(runs: int, tmp: Path) -> None:
    tiny = tmp / "tiny"
    tiny.mkdir(exist_ok=True)
    (tiny / "kustomization.yaml").write_text("resources:\n- cm.yaml\n", encoding="utf-8")
    (tiny / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n", encoding="utf-8")
    probes = {
        "python3 -c pass": [sys.executable, "-c", "pass"],
        "import typer": [sys.executable, "-c", "import typer"],
        "import rosgit.cli (typer app)": [sys.executable, "-c", "import rosgit.cli"],
        "import the engine (kustomizer)": [
            sys.executable, "-c", "import rosgit.kustomize.kustomizer",
        ],
        "rosgit build <one ConfigMap>": [sys.executable, "-m", "rosgit", "build", str(tiny)],
        "kustomize build <one ConfigMap>": [str(KUSTOMIZE), "build", str(tiny)],
    }
    medians = interleaved(probes, REPO, runs)
    print("\nstart-up (median wall time):")
    for name, value in medians.items():
        print(f"  {name:36s} {value * 1000:7.1f} ms")
    trace = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "rosgit", "build", str(tiny)],
        capture_output=True, text=True, check=True, env=ENV,
    ).stderr
    modules = {line.rsplit("|", 1)[-1].strip() for line in trace.splitlines() if "|" in line}
    print(f"  typer imported by `python3 -m rosgit build`: {'yes' if 'typer' in modules else 'no'}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlay", default="openshift-minimal")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--scale-runs", type=int, default=3)
    parser.add_argument("--scales", default="1,4,16")
    args = parser.parse_args(argv)
    if not KUSTOMIZE.exists():
        raise SystemExit("kustomize is not installed (run scripts/install-tools.sh)")

    overlay = REPO / "overlays" / args.overlay
    docs = check_same(overlay)
    medians = interleaved(commands_for(overlay), REPO, args.runs)
    ratio = medians["rosgit"] / medians["kustomize"]
    print(f"overlays/{args.overlay} ({docs} objects, {args.runs} interleaved runs each):")
    print(f"  rosgit build     {medians['rosgit'] * 1000:7.1f} ms")
    print(f"  kustomize build  {medians['kustomize'] * 1000:7.1f} ms")
    print(f"  median ratio rosgit/kustomize = {ratio:.2f}")

    print(f"\ngrowth ({args.scale_runs} interleaved runs each):")
    print(f"  {'scale':>5} {'objects':>8} {'rosgit ms':>10} {'kustomize ms':>13} {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="rosgit-bench-") as tmp:
        for copies in (int(s) for s in args.scales.split(",")):
            scaled = make_scaled(Path(tmp), args.overlay, copies)
            count = check_same(scaled)
            m = interleaved(commands_for(scaled), Path(tmp), args.scale_runs)
            print(
                f"  {copies:>4}x {count:>8} {m['rosgit'] * 1000:>10.1f} {m['kustomize'] * 1000:>13.1f} "
                f"{m['rosgit'] / m['kustomize']:>6.2f}"
            )
        startup(args.runs, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
