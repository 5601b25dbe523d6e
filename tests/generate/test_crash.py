"""Issue 15, crash-safe `generate`: real signals at real moments, the tree always exactly old or exactly new.

Timing hooks (test-only, rosgit/fileset/writer.py): ROSGIT_TEST_STAGE_DELAY and ROSGIT_TEST_RENAME_DELAY sleep
before each staged write / each rename, so a signal lands inside the phase a test aims at.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rosgit.fileset import journal
from rosgit.fileset.text import HEADER
from tests.conftest import REPO_ROOT, run_rosgit
from tests.fileset.tree import copy_repo, leftovers, rename_project, tree_hashes

KILLS = 50
USER_FILES = {
    "overlays/prod/my-patch.yaml": "apiVersion: apps/v1\nkind: Deployment\n",
    "base/kruize/NOTES.md": "my notes\n",
    "my-tools/run.sh": "#!/bin/sh\necho mine\n",
    # a user's edited copy of an overlay, header and all: rosgit never wrote it, so it is never deleted
    "overlays/mine/kustomization.yaml": f"{HEADER}\nresources: [../prod]\n",
}
KEPT = 1  # generate exits 1 while it keeps a stale file carrying the header (overlays/mine)


def _start(catalog: Path, **delays: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, **{f"ROSGIT_TEST_{k.upper()}_DELAY": str(v) for k, v in delays.items()}}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.Popen(
        [sys.executable, "-m", "rosgit", "generate", "-c", str(catalog)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _wait_for(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the phase the test aims at never started"
        time.sleep(0.005)


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A generated tree with user files in it, its hashes, and the hashes of the tree after `rename_project`."""
    base = tmp_path_factory.mktemp("crash")
    pristine = copy_repo(base / "pristine", generated=True)
    for rel, text in USER_FILES.items():
        (pristine / rel).parent.mkdir(parents=True, exist_ok=True)
        (pristine / rel).write_text(text, encoding="utf-8")
    rename_project(pristine / "rosgit.yaml")  # every copy starts from the edited catalog and the old tree
    old = tree_hashes(pristine)
    scratch = base / "new"
    shutil.copytree(pristine, scratch)
    assert run_rosgit("generate", "-c", str(scratch / "rosgit.yaml")).returncode == KEPT
    new = tree_hashes(scratch)
    assert old != new and len(set(old.items()) ^ set(new.items())) > 200  # creates, updates and deletes
    return pristine, old, new


def _fresh(pristine: Path, where: Path) -> Path:
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(pristine, where)
    return where


@pytest.mark.slow
def test_sigkill_at_fifty_spread_out_moments_leaves_exactly_the_old_or_the_new_tree(
    trees: tuple[Path, dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    pristine, old, new = trees
    delays = {"stage": 0.002, "rename": 0.01}
    # One uncut run times the phases (startup varies with load); the kills then spread evenly from half-way
    # through startup to just past the end, so every phase, the rename phase most of all, is hit many times.
    work = _fresh(pristine, tmp_path / "work")
    start = time.monotonic()
    calibration = _start(work / "rosgit.yaml", **delays)
    _wait_for(lambda: (work / journal.STAGING).exists())
    staging_at = time.monotonic() - start
    _wait_for(lambda: (work / journal.JOURNAL).exists())
    renaming_at = time.monotonic() - start
    assert calibration.wait(timeout=120) == KEPT
    span = time.monotonic() - start
    first_kill = staging_at / 2

    phases = {"before staging": 0, "staging": 0, "rename": 0, "after": 0}
    outcomes = {"old": 0, "new": 0}
    for index in range(KILLS):
        work = _fresh(pristine, tmp_path / "work")
        process = _start(work / "rosgit.yaml", **delays)
        time.sleep(first_kill + (span + 0.2 - first_kill) * index / (KILLS - 1))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        if process.returncode != -signal.SIGKILL:
            phase = "after"  # it finished before the kill
        elif (work / journal.JOURNAL).exists():
            phase = "rename"
        elif leftovers(work) or (work / journal.STAGING).exists():
            phase = "staging"
        else:
            phase = "before staging"
        phases[phase] += 1

        if index % 10 == 0:  # now and then through the CLI: a command that only reads the tree recovers it
            assert run_rosgit("build", "overlays/minimal", cwd=work).returncode == 0
        else:
            journal.recover(work)

        hashes = tree_hashes(work)
        assert hashes in (old, new), f"kill {index} ({phase}): a mixed tree"
        outcomes["old" if hashes == old else "new"] += 1
        assert leftovers(work) == [], f"kill {index} ({phase})"
        assert not (work / journal.JOURNAL).exists() and not (work / journal.BACKUP_DIR).exists()
        for rel, text in USER_FILES.items():
            assert (work / rel).read_text(encoding="utf-8") == text, f"kill {index}: {rel} lost"

    print(
        f"\nSIGKILL loop: {KILLS} kills from {first_kill:.2f}s to {span + 0.2:.2f}s (staging from {staging_at:.2f}s, "
        f"renames from {renaming_at:.2f}s); phases {phases}; outcomes {outcomes}"
    )
    assert phases["rename"] >= 5, phases  # the journal's moments were hit (14 and 22 of 50 on a loaded 2-core box)
    assert outcomes["old"] and outcomes["new"]
    work = _fresh(pristine, tmp_path / "work")
    assert run_rosgit("generate", "-c", str(work / "rosgit.yaml")).returncode == KEPT
    assert tree_hashes(work) == new


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_while_staging_leaves_no_staging_file_and_the_old_tree(
    trees: tuple[Path, dict[str, str], dict[str, str]], tmp_path: Path, stop: signal.Signals
) -> None:
    pristine, old, _ = trees
    work = _fresh(pristine, tmp_path / "work")
    process = _start(work / "rosgit.yaml", stage=0.01)
    _wait_for(lambda: len(leftovers(work)) >= 5)
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert stderr.decode().strip() == "rosgit: interrupted; nothing was changed"
    assert leftovers(work) == []
    assert tree_hashes(work) == old
    assert not (work / journal.STAGING).exists()


def test_a_stop_signal_during_the_renames_waits_for_the_last_one(
    trees: tuple[Path, dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    pristine, _, new = trees
    work = _fresh(pristine, tmp_path / "work")
    process = _start(work / "rosgit.yaml", rename=0.005)
    _wait_for(lambda: (work / journal.JOURNAL).exists())
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130
    assert stderr.decode().strip().endswith("interrupted after the last file was swapped in; the tree is the new one")
    assert tree_hashes(work) == new and leftovers(work) == []


def test_sigkill_while_staging_is_cleaned_up_by_the_next_command(
    trees: tuple[Path, dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    pristine, old, _ = trees
    work = _fresh(pristine, tmp_path / "work")
    process = _start(work / "rosgit.yaml", stage=0.01)
    _wait_for(lambda: len(leftovers(work)) >= 5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert leftovers(work) and not (work / journal.JOURNAL).exists()

    result = run_rosgit("generate", "--check", "-c", str(work / "rosgit.yaml"))

    assert "staging file(s) of an interrupted write" in result.stderr
    assert leftovers(work) == [] and tree_hashes(work) == old


def test_a_second_generate_fails_with_one_line_naming_the_first(
    trees: tuple[Path, dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    pristine, _, new = trees
    work = _fresh(pristine, tmp_path / "work")
    first = _start(work / "rosgit.yaml", rename=0.01)
    _wait_for(lambda: (work / journal.JOURNAL).exists())

    second = run_rosgit("generate", "-c", str(work / "rosgit.yaml"), env={"ROSGIT_LOCK_TIMEOUT": "0.3"})

    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [
        f"rosgit: {work / journal.LOCK}: pid {first.pid} is writing this tree; waited 0.3s "
        "(set ROSGIT_LOCK_TIMEOUT to wait longer)"
    ]
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == KEPT, stderr
    assert tree_hashes(work) == new


def test_a_second_generate_waits_for_the_first_and_both_succeed(
    trees: tuple[Path, dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    pristine, _, new = trees
    work = _fresh(pristine, tmp_path / "work")
    first = _start(work / "rosgit.yaml", rename=0.005)
    _wait_for(lambda: (work / journal.JOURNAL).exists())

    second = run_rosgit("generate", "-c", str(work / "rosgit.yaml"), env={"ROSGIT_LOCK_TIMEOUT": "120"})

    _, stderr = first.communicate(timeout=120)
    assert first.returncode == KEPT, stderr
    assert second.returncode == KEPT, second.stderr
    assert "0 created, 0 updated, 0 deleted" in second.stderr  # it planned on the finished tree
    assert tree_hashes(work) == new and leftovers(work) == []
