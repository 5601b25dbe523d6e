"""Issue 15, "half-written or lost trees" and "writes outside the repository": each defect as it was reported."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.errors import UsageError
from rosgit.fileset import journal, writer
from rosgit.repo.command import run_generate
from rosgit.repo.tree import render_tree
from tests.conftest import run_rosgit
from tests.fileset.tree import copy_repo, leftovers, rename_project, tree_hashes


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo", generated=True)


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_a_directory_in_the_way_fails_with_one_line_before_touching_anything(repo: Path) -> None:
    rename_project(repo / "rosgit.yaml")
    in_the_way = repo / "base" / "koku-masu" / "deployment.yaml"
    in_the_way.unlink()
    in_the_way.mkdir()
    (in_the_way / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = tree_hashes(repo)

    result = run_rosgit("generate", "-c", str(repo / "rosgit.yaml"))

    assert result.returncode == 2, result.stderr
    line = _one_line(result.stderr)
    assert "base/koku-masu/deployment.yaml" in line and "directory is in the way" in line
    assert tree_hashes(repo) == before
    assert leftovers(repo) == []


def test_a_file_where_a_generated_directory_goes_is_refused_too(repo: Path) -> None:
    shutil.rmtree(repo / "base" / "kruize")
    (repo / "base" / "kruize").write_text("not a directory\n", encoding="utf-8")
    before = tree_hashes(repo)

    result = run_rosgit("generate", "-c", str(repo / "rosgit.yaml"))

    assert result.returncode == 2
    assert "base/kruize is a file where a directory of generated files goes" in _one_line(result.stderr)
    assert tree_hashes(repo) == before


def test_a_symlinked_directory_in_the_tree_is_never_written_through(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    shutil.move(repo / "overlays" / "dev", outside)
    (repo / "overlays" / "dev").symlink_to(outside)
    rename_project(repo / "rosgit.yaml")
    outside_before = tree_hashes(outside)

    result = run_rosgit("generate", "-c", str(repo / "rosgit.yaml"))

    assert result.returncode == 2
    assert "overlays/dev is a symlink" in _one_line(result.stderr)
    assert tree_hashes(outside) == outside_before


def test_an_edited_copy_of_an_overlay_is_never_deleted_and_is_named(generated: Path) -> None:
    repo = generated
    mine = repo / "overlays" / "mine"
    shutil.copytree(repo / "overlays" / "prod", mine)
    kustomization = mine / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "# my change\n", encoding="utf-8")
    # An exact copy is not what rosgit wrote at that path either: rosgit never wrote overlays/mine at all.
    copied = sorted(p.relative_to(repo).as_posix() for p in mine.rglob("*") if p.is_file())
    mine_before = tree_hashes(mine)

    result = run_rosgit("generate", "-c", str(repo / "rosgit.yaml"))

    assert result.returncode == 1, result.stderr
    assert tree_hashes(mine) == mine_before
    for rel in copied:
        assert f"rosgit: kept {rel}: " in result.stderr
    # every generated file is unchanged (count from the generator itself), nothing deleted, the copy kept
    generated = len(render_tree(load_catalog(repo / "rosgit.yaml")))
    assert f"0 deleted, {generated} unchanged, {len(copied)} stale kept" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_generated_file_edited_after_rosgit_wrote_it_is_kept_when_it_goes_stale(generated: Path) -> None:
    repo = generated
    edited = repo / "charts" / "ros-ocp" / "values-dev.yaml"
    edited.write_text(edited.read_text() + "# tuned by hand\n", encoding="utf-8")
    rename_project(repo / "rosgit.yaml")  # the chart directory moves: every old chart file goes stale

    result = run_rosgit("generate", "-c", str(repo / "rosgit.yaml"))

    assert result.returncode == 1
    assert edited.read_text().endswith("# tuned by hand\n")
    assert "rosgit: kept charts/ros-ocp/values-dev.yaml: edited since rosgit wrote it" in result.stderr
    assert "rosgit: deleted charts/ros-ocp/values.yaml" in result.stderr
    assert not (repo / "charts" / "ros-ocp" / "values.yaml").exists()


def test_a_symlinked_catalog_writes_beside_the_link_not_into_its_target(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "rosgit.yaml", shared / "rosgit.yaml")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "rosgit.yaml").symlink_to(shared / "rosgit.yaml")

    result = run_rosgit("generate", "-c", str(repo / "rosgit.yaml"))

    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in shared.iterdir()) == ["rosgit.yaml"]
    assert (repo / "overlays" / "prod" / "kustomization.yaml").is_file()
    assert run_rosgit("generate", "--check", cwd=repo).returncode == 0


def test_init_force_onto_a_directory_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "rosgit.yaml").mkdir()

    result = run_rosgit("init", "--force", "-c", str(tmp_path / "rosgit.yaml"))

    assert result.returncode == 2
    assert "is a directory" in _one_line(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rosgit.yaml"]
    assert list((tmp_path / "rosgit.yaml").iterdir()) == []


def test_an_injected_enospc_while_staging_is_one_error_and_the_old_tree(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rename_project(repo / "rosgit.yaml")
    before = tree_hashes(repo)
    real_write = Path.write_text
    calls = {"n": 0}

    def full_disk(self: Path, *args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] == 40:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real_write(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(UsageError, match="No space left on device; nothing was changed"):
        run_generate(repo / "rosgit.yaml", check=False)
    monkeypatch.undo()

    assert tree_hashes(repo) == before
    assert leftovers(repo) == []
    assert not (repo / ".rosgit").exists()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real full disk: a tmpfs just big enough for the old tree, not for its staged replacement."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_real_full_disk_is_one_line_and_the_old_tree(tiny_disk: Path) -> None:
    repo = copy_repo(tiny_disk / "repo", generated=True)
    rename_project(repo / "rosgit.yaml")
    filler = tiny_disk / "filler"
    free = shutil.disk_usage(tiny_disk).free
    filler.write_bytes(b"\0" * max(free - 200_000, 0))  # leaves room for a few staged files only
    before = tree_hashes(repo)

    result = run_rosgit("generate", "-c", str(repo / "rosgit.yaml"))

    assert result.returncode == 2, result.stderr
    line = _one_line(result.stderr)
    assert "No space left on device; nothing was changed" in line and ".yaml" in line
    assert tree_hashes(repo) == before
    assert leftovers(repo) == []
    filler.unlink()
    assert run_rosgit("generate", "-c", str(repo / "rosgit.yaml")).returncode == 0


class _Killed(BaseException):
    """Stands for SIGKILL in-process: nothing of rosgit's catches it, so no cleanup runs."""


def _cut_after(renames: int, monkeypatch: pytest.MonkeyPatch) -> None:
    real_forward = journal.forward
    done = {"n": 0}

    def forward(root: Path, entry: journal.Entry) -> None:
        if done["n"] == renames:
            raise _Killed
        done["n"] += 1
        real_forward(root, entry)

    monkeypatch.setattr(journal, "forward", forward)


def _new_tree(repo: Path) -> dict[str, str]:
    """The tree the edited catalog generates, built in a scratch copy."""
    scratch = copy_repo(repo.parent / "scratch", generated=True)
    shutil.copy(repo / "rosgit.yaml", scratch / "rosgit.yaml")
    assert run_rosgit("generate", "-c", str(scratch / "rosgit.yaml")).returncode == 0
    hashes = tree_hashes(scratch)
    shutil.rmtree(scratch)
    return hashes


def test_a_swap_cut_after_the_journal_is_finished_by_the_next_command(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = generated
    rename_project(repo / "rosgit.yaml")
    new = _new_tree(repo)
    plan = writer.plan_changes(repo, render_tree(load_catalog(repo / "rosgit.yaml")))
    _cut_after(60, monkeypatch)
    with pytest.raises(_Killed):
        writer.apply_plan(repo, plan)
    monkeypatch.undo()
    assert (repo / journal.JOURNAL).exists()
    assert tree_hashes(repo) != new  # mixed: 60 renamed, the rest not

    result = run_rosgit("build", "overlays/minimal", cwd=repo)  # a command that only reads the tree

    assert result.returncode == 0, result.stderr
    assert "finished an interrupted write" in result.stderr
    assert tree_hashes(repo) == new
    assert leftovers(repo) == [] and not (repo / journal.JOURNAL).exists()


def test_a_swap_whose_staged_file_vanished_is_rolled_back_exactly(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = generated
    old = tree_hashes(repo)
    rename_project(repo / "rosgit.yaml")
    old["rosgit.yaml"] = tree_hashes(repo)["rosgit.yaml"]
    plan = writer.plan_changes(repo, render_tree(load_catalog(repo / "rosgit.yaml")))
    _cut_after(30, monkeypatch)
    with pytest.raises(_Killed):
        writer.apply_plan(repo, plan)
    monkeypatch.undo()
    leftovers_now = leftovers(repo)
    (repo / leftovers_now[-1]).unlink()  # forward is impossible now: the only way back to a whole tree is back

    assert "rolled back" in (journal.recover(repo) or "")
    assert tree_hashes(repo) == old
    assert leftovers(repo) == []


def test_staging_files_of_a_killed_run_are_removed_by_the_next_generate(repo: Path) -> None:
    stray = repo / "base" / "kruize" / ("deployment.yaml" + journal.STAGING_SUFFIX)
    stray.write_text("half a file", encoding="utf-8")
    (repo / "rosgit.yaml.rosgit-tmp").write_text("half a catalog", encoding="utf-8")

    assert run_rosgit("generate", "-c", str(repo / "rosgit.yaml")).returncode == 0
    assert leftovers(repo) == []


@pytest.mark.parametrize("marker", [journal.STAGING, journal.JOURNAL])
def test_a_kill_while_a_marker_itself_was_written_leaves_nothing_for_the_next_command(
    repo: Path, marker: str
) -> None:
    # a SIGKILL between writing the marker's staging file and renaming it: no marker exists yet, only its temp
    run_generate(repo / "rosgit.yaml", check=False)
    (repo / (marker + journal.STAGING_SUFFIX)).write_text('["base"]\n', encoding="utf-8")

    assert run_rosgit("build", "overlays/minimal", cwd=repo).returncode == 0
    assert leftovers(repo) == []


def test_a_fresh_clone_without_a_manifest_deletes_what_git_can_give_back(repo: Path) -> None:
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "tree"], check=True)
    uncommitted = repo / "overlays" / "mine" / "kustomization.yaml"
    shutil.copytree(repo / "overlays" / "prod", uncommitted.parent)
    edited = repo / "charts" / "ros-ocp" / "values-dev.yaml"
    edited.write_text(edited.read_text() + "# tuned by hand\n", encoding="utf-8")
    rename_project(repo / "rosgit.yaml")
    assert not (repo / ".rosgit").exists()

    result = run_rosgit("generate", "-c", str(repo / "rosgit.yaml"))

    assert result.returncode == 1
    assert "rosgit: deleted charts/ros-ocp/values.yaml\n" in result.stderr
    assert not (repo / "charts" / "ros-ocp" / "values.yaml").exists()
    assert uncommitted.is_file() and "rosgit: kept overlays/mine/kustomization.yaml: " in result.stderr
    assert edited.read_text().endswith("# tuned by hand\n")
    assert "rosgit: kept charts/ros-ocp/values-dev.yaml: " in result.stderr
