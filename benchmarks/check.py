"""Wall time of `rosgit check` against the shell pipeline CI would otherwise run: for every overlay,
`kustomize build overlays/X | kubeconform -strict -` with the same offline schemas; and the goals of
issue 17 it serves.

Usage: python3 benchmarks/check.py [--runs 5] [--precommit-runs 5] [--scales 1,4] [--scale-runs 1]

1. This tree, the median of interleaved runs of:
   - pipeline:            kustomize build + kubeconform, overlay after overlay (what a CI script does);
   - check:               `rosgit check`, every stage (drift, builtin build, byte comparison with kustomize,
                          validation, lint with the contracts, Argo CD, sealed secrets, Helm equivalence), with
                          its result cache warm (a second run on an unchanged tree);
   - check uncached:      the same with ROSGIT_NO_CACHE=1: every stage computed;
   - check-core uncached: `--skip generate,argocd,secrets,helm` (build, comparison, validation, lint);
   - real tools alone:    what an uncached check hands the real tools, with nothing of rosgit's own: each
                          overlay's `kustomize build` (the byte comparison) and `helm template` (the
                          equivalence proof's render), and one kubeconform over every built overlay
                          (validation), two at a time (the machine's cores), with the GOGC rosgit gives
                          them. An uncached check cannot take less wall time on this machine: this ratio is
                          the floor of the uncached goal.
   Goal: check <= 0.6x pipeline.
2. The pre-commit fast path on a one-file catalog change, in a scratch copy of this tree (a Git repository):
   the catalog edited, `rosgit generate` run (not timed: the user did), then `rosgit pre-commit` given the
   changed files, timed; each sample a new value, so no run meets the previous one's result. Two changes:
   one overlay's namespace (that overlay rebuilt) and a component's environment (base/: every overlay).
   Goal: <= 1 s.
3. Growth: scratch copies whose catalog holds the overlays 1x, 4x (... 16x) (each copy of an overlay its own
   name and namespace, so 4x the components are rendered and checked); pipeline and uncached check per scale,
   and their growth exponents. Goal: linear.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import (
    ENV,
    PYTHON,
    REPO,
    TOOLS,
    UNCACHED,
    Command,
    age_tree,
    cpu_seconds,
    goal,
    growth,
    interleaved,
    machine_load,
    timed,
)

sys.path.insert(0, str(REPO))  # this working tree's rosgit, whatever is pip-installed


def overlays(root: Path) -> list[str]:
    from rosgit.catalog import load_catalog

    return [o.name for o in load_catalog(root / "rosgit.yaml").overlays]


def kubeconform_locations() -> list[str]:
    """The schema locations rosgit's validation hands kubeconform (filled by a first `rosgit check`)."""
    from rosgit.validate.schemas import schema_set

    return schema_set(project_root=REPO).kubeconform_locations()


def pipeline_script(root: Path) -> str:
    locations = " ".join(f"-schema-location {shlex.quote(loc)}" for loc in kubeconform_locations())
    steps = [
        f"{TOOLS / 'kustomize'} build overlays/{name} | {TOOLS / 'kubeconform'} -strict -summary {locations} -"
        for name in overlays(root)
    ]
    return "set -euo pipefail\n" + "\n".join(steps) + "\n"


def real_tools_script(root: Path, tmp: Path) -> str:
    """A script running, two at a time, the real-tool work of an uncached `rosgit check` (see the module's
    docstring); the overlays kubeconform reads are built beforehand, untimed."""
    from rosgit.catalog import load_catalog
    from rosgit.helm.equivalence import overlay_template_arguments
    from rosgit.tools import GO_TOOL_GOGC  # the collector setting rosgit runs its Go tools with

    catalog = load_catalog(root / "rosgit.yaml")
    chart = root / "charts" / catalog.project.name
    work = tmp / "real-tools"
    work.mkdir(exist_ok=True)
    built = work / "built.yaml"
    built.write_text("".join(
        "---\n" + subprocess.run(
            rosgit("build", f"overlays/{o.name}"), cwd=root, env=ENV, capture_output=True, text=True, check=True
        ).stdout
        for o in catalog.overlays
    ))
    locations = [arg for loc in kubeconform_locations() for arg in ("-schema-location", loc)]
    tasks = [[str(TOOLS / "kubeconform"), "-strict", "-summary", "-n", "2", *locations, str(built)]]
    for overlay in catalog.overlays:
        tasks.append([str(TOOLS / "kustomize"), "build", f"overlays/{overlay.name}"])
        tasks.append([str(TOOLS / "helm"), *overlay_template_arguments(chart, catalog, overlay)])
    scripts = []
    for i, task in enumerate(tasks):
        script = work / f"task-{i}.sh"
        script.write_text(f"cd {shlex.quote(str(root))} && GOGC={GO_TOOL_GOGC} {shlex.join(task)} > /dev/null\n")
        scripts.append(shlex.quote(str(script)))
    return f"set -euo pipefail\nprintf '%s\\n' {' '.join(scripts)} | xargs -P 2 -n 1 bash\n"


def rosgit(*args: str) -> list[str]:
    return [PYTHON, "-m", "rosgit", *args]


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def scratch_copy(tmp: Path, name: str) -> Path:
    """This tree's committed files in a new Git repository, committed on main: a user's repository, so
    without rosgit's own source (a user's rosgit is installed apart from it, and `age_tree` re-dating that
    source would make every remembered result a miss), its tests and docs. rosgit runs from this tree."""
    copy = tmp / name
    for file in git(REPO, "ls-files").split("\n"):
        if file and (REPO / file).is_file() and not file.startswith(("rosgit/", "tests/", "docs/")):
            (copy / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / file, copy / file)
    for args in (
        ("init", "-q", "-b", "main"),
        ("add", "-A"),
        ("-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "copy"),
    ):
        git(copy, *args)
    age_tree(copy)
    return copy


def this_tree(tmp: Path, runs: int) -> None:
    check = rosgit("check")
    commands: dict[str, Command] = {
        "check": (check, {}),
        "check uncached": (check, UNCACHED),
        "check-core uncached": ([*check, "--skip", "generate,argocd,secrets,helm"], UNCACHED),
    }
    # the warm-up run fills the schema cache the pipeline then shares, and the .pyc files
    commands["pipeline"] = (["bash", "-c", pipeline_script(REPO)], {})
    commands["real tools alone"] = (["bash", "-c", real_tools_script(REPO, tmp)], {})
    medians = interleaved(commands, REPO, runs)
    print(f"this tree ({len(overlays(REPO))} overlays, {runs} interleaved runs each):")
    for name in ("pipeline", "check", "check uncached", "check-core uncached", "real tools alone"):
        print(f"  {name:<20} median {medians[name]:6.2f}s")
    print(goal("check / pipeline", medians["check"] / medians["pipeline"], 0.6))
    print(goal("check / pipeline, uncached", medians["check uncached"] / medians["pipeline"], 0.6))
    print(goal("check-core / pipeline, uncached", medians["check-core uncached"] / medians["pipeline"], 0.6))
    floor_ratio = medians["real tools alone"] / medians["pipeline"]
    print(f"  floor of the uncached check on this machine (real tools alone / pipeline): {floor_ratio:.2f}x")
    # What the uncached goal leaves rosgit's own work (build, validation's parse, lint, drift, the proofs'
    # comparisons) once the real tools have the machine's cores, against what that work takes.
    cores = os.cpu_count() or 1
    check_cpu, tools_cpu = (
        statistics.median(cpu_seconds(commands[name][0], REPO, commands[name][1]) for _ in range(runs))
        for name in ("check uncached", "real tools alone")
    )
    own = check_cpu - tools_cpu
    room = (0.6 * medians["pipeline"] - medians["real tools alone"]) * cores
    print(f"  rosgit's own work in an uncached check: {own:.2f} CPU-s; the goal leaves it {max(room, 0):.2f} "
          f"CPU-s ({cores} cores)")


# (what, the catalog text's pattern, its replacement for sample i)
CHANGES = (
    ("one overlay's namespace", r"(name: openshift-dev, .*namespace: )ros-ocp-dev", r"\g<1>ros-ocp-dev-b{i}"),
    (
        "a component's environment",
        r"(- \{name: KAFKA_CONSUMER_GROUP_ID, value: )ros-processor\}",
        r"\g<1>ros-processor-b{i}}}",
    ),
)


def edited_catalog(original: str, what: str, pattern: str, replacement: str, i: int) -> str:
    edited, count = re.subn(pattern, replacement.format(i=i), original, count=1)
    if count != 1:
        raise SystemExit(f"the benchmark's catalog edit ({what}) no longer applies")
    return edited


def after_a_change(tmp: Path, runs: int) -> None:
    """What a pull request's check costs once an earlier commit's check left its results (CI keeping
    rosgit's cache directory, or a developer's second run): each sample a catalog edit, `rosgit generate`
    (not timed) and `rosgit check` (timed), against the pipeline on the same edited tree."""

    root = scratch_copy(tmp, "change")
    catalog = root / "rosgit.yaml"
    original = catalog.read_text(encoding="utf-8")
    timed(rosgit("check"), root)  # the results of the commit before the change
    print(
        f"\ncheck after a one-file catalog change, results of the commit before kept ({runs} samples each):"
    )
    for what, pattern, replacement in CHANGES:
        ratios: list[float] = []
        seconds: list[float] = []
        for i in range(runs):
            catalog.write_text(edited_catalog(original, what, pattern, replacement, i), encoding="utf-8")
            subprocess.run(rosgit("generate"), cwd=root, env=ENV, capture_output=True, check=True)
            age_tree(root)
            pipeline = timed(["bash", "-c", pipeline_script(root)], root)
            check = timed(rosgit("check"), root, ok=(0, 1))  # 1: the edit needs a chart version bump (ROS906)
            seconds.append(check)
            ratios.append(check / pipeline)
        print(f"  {what:<28} check median {statistics.median(seconds):5.2f}s")
        print(goal(f"check / pipeline after {what}", statistics.median(ratios), 0.6))
    git(root, "checkout", "-q", "--", ".")


def precommit(tmp: Path, runs: int) -> None:
    import time

    root = scratch_copy(tmp, "precommit")
    catalog = root / "rosgit.yaml"
    original = catalog.read_text(encoding="utf-8")
    subprocess.run(
        rosgit("pre-commit", "base/x"), cwd=root, env=ENV, capture_output=True, check=False
    )  # warm
    print(f"\npre-commit on a one-file catalog change ({runs} samples each):")
    for what, pattern, replacement in CHANGES:
        samples: list[float] = []
        for i in range(runs):
            catalog.write_text(edited_catalog(original, what, pattern, replacement, i), encoding="utf-8")
            subprocess.run(rosgit("generate"), cwd=root, env=ENV, capture_output=True, check=True)
            changed = [line[3:] for line in git(root, "status", "--porcelain").splitlines()]
            start = time.perf_counter()
            proc = subprocess.run(
                rosgit("pre-commit", *changed), cwd=root, env=ENV, capture_output=True, text=True
            )
            samples.append(time.perf_counter() - start)
            if proc.returncode != 0:
                raise SystemExit(f"pre-commit failed after {what}: {proc.stdout[-600:]}{proc.stderr[-400:]}")
            git(root, "checkout", "-q", "--", ".")
            git(root, "clean", "-qfd")
        print(f"  {what:<28} ({len(changed)} files) median {statistics.median(samples):5.2f}s")
        print(goal(f"pre-commit after {what}", statistics.median(samples), 1.0, "s"))


def scaled(tmp: Path, copies: int) -> Path:
    """A scratch copy whose catalog lists every overlay `copies` times (name and namespace suffixed -cN)."""
    root = scratch_copy(tmp, f"scaled-x{copies}")
    catalog = root / "rosgit.yaml"
    text = catalog.read_text(encoding="utf-8")
    start = text.index("\noverlays:\n") + len("\noverlays:\n")
    end = text.index("\n\n", start)
    lines = text[start:end].splitlines()
    extra = [
        re.sub(r"(name|namespace): ([a-z-]+)", rf"\g<1>: \g<2>-c{i}", line)
        for i in range(1, copies)
        for line in lines
    ]
    catalog.write_text(text[:start] + "\n".join(lines + extra) + text[end:], encoding="utf-8")
    subprocess.run(rosgit("generate"), cwd=root, env=ENV, capture_output=True, check=True)
    age_tree(root)
    return root


def growth_of_check(tmp: Path, scales: list[int], runs: int) -> None:
    print(f"\ngrowth ({runs} interleaved runs each; check uncached, every stage):")
    print(f"  {'scale':>5} {'overlays':>9} {'pipeline s':>11} {'check s':>8} {'ratio':>6}")
    series: dict[str, list[float]] = {"pipeline": [], "check uncached": []}
    timed(rosgit("check"), REPO)  # converts the schemas the pipeline reads (kubeconform_locations)
    for copies in scales:
        root = scaled(tmp, copies)
        commands: dict[str, Command] = {
            "pipeline": (["bash", "-c", pipeline_script(root)], {}),
            "check uncached": (rosgit("check"), UNCACHED),
        }
        m = interleaved(commands, root, runs, warm=False)
        for name in series:
            series[name].append(m[name])
        ratio = m["check uncached"] / m["pipeline"]
        print(
            f"  {copies:>4}x {len(overlays(root)):>9} {m['pipeline']:>11.2f} {m['check uncached']:>8.2f} {ratio:>6.2f}"
        )
        shutil.rmtree(root)
    for name, values in series.items():
        print(f"  growth of {name}: {growth(scales, values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--precommit-runs", type=int, default=5)
    parser.add_argument("--change-runs", type=int, default=3)
    parser.add_argument("--scales", default="1,4,16")
    parser.add_argument("--scale-runs", type=int, default=1)
    parser.add_argument("--skip", default="", help="parts to leave out: tree, change, precommit, growth")
    args = parser.parse_args()
    for tool in ("kustomize", "kubeconform"):
        if not (TOOLS / tool).is_file():
            raise SystemExit(f"{tool} is not installed; run scripts/install-tools.sh")
    skip = set(args.skip.split(","))
    print(f"machine: {machine_load()}")
    with tempfile.TemporaryDirectory(prefix="rosgit-bench-") as tmp:
        # rosgit's caches (results and schemas) start empty; the pipeline reads the same schemas
        # (kubeconform_locations, in this process) that the warm-up `rosgit check` converts
        ENV["ROSGIT_CACHE_DIR"] = os.environ["ROSGIT_CACHE_DIR"] = str(Path(tmp) / "cache")
        if "tree" not in skip:
            this_tree(Path(tmp), args.runs)
        if "change" not in skip:
            after_a_change(Path(tmp), args.change_runs)
        if "precommit" not in skip:
            precommit(Path(tmp), args.precommit_runs)
        if "growth" not in skip:
            growth_of_check(Path(tmp), [int(s) for s in args.scales.split(",")], args.scale_runs)
    print(f"machine after: {machine_load()}")


if __name__ == "__main__":
    main()
