"""Git revisions as directories: `git archive` into a temporary directory, so the user's work tree, index and
worktree list are never touched."""

from __future__ import annotations

import contextlib
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from rosgit.errors import UsageError
from rosgit.tools import require_tool, run_tool

# the branches a pull request usually targets, tried in order for the default base
MAIN_BRANCHES = ("main", "origin/main", "master", "origin/master")


def _git(root: Path, *args: str) -> str:
    result = run_tool(require_tool("git"), ["-C", str(root), *args])
    if result.returncode != 0:
        raise UsageError(f"git {args[0]} failed: {result.reason()}", location=str(root))
    return result.stdout.strip()


def commit_of(root: Path, revision: str) -> str:
    """The full commit id a revision names; a one-line error for anything Git does not know."""
    if revision.startswith("-"):
        raise UsageError(f"{revision!r} is not a revision")
    result = run_tool(
        require_tool("git"), ["-C", str(root), "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"]
    )
    if result.returncode != 0:
        raise UsageError(f"unknown revision {revision!r}", location=str(root))
    return result.stdout.strip()


def main_merge_base(root: Path) -> str | None:
    """The merge-base of HEAD with the main branch (what a pull request is compared with); None when the
    checkout has none of MAIN_BRANCHES (a shallow CI clone of one branch)."""
    for branch in MAIN_BRANCHES:
        probe = run_tool(require_tool("git"), ["-C", str(root), "merge-base", branch, "HEAD"])
        if probe.returncode == 0 and probe.stdout.strip():
            return probe.stdout.strip()
    return None


def default_base(root: Path) -> str:
    """`main_merge_base`, else HEAD."""
    found = main_merge_base(root)
    return found if found is not None else commit_of(root, "HEAD")


def _prefix(root: Path) -> str:
    """Where the rosgit tree sits inside the Git repository ('' at its top)."""
    return _git(root, "rev-parse", "--show-prefix")


@contextlib.contextmanager
def checked_out(root: Path, commit: str) -> Iterator[Path]:
    """The rosgit tree as committed at `commit`, in a temporary directory removed afterwards."""
    prefix = _prefix(root)
    with tempfile.TemporaryDirectory(prefix="rosgit-diff-") as tmp:
        archive = Path(tmp) / "tree.tar"
        tree = Path(tmp) / "tree"
        tree.mkdir()
        _git(root, "archive", "--format=tar", "-o", str(archive), f"{commit}:{prefix}" if prefix else commit)
        with tarfile.open(archive) as bundle:
            # the "data" filter refuses absolute paths, links out of the tree and device files
            bundle.extractall(tree, filter="data")
        archive.unlink()
        yield tree


def files_at(root: Path, commit: str, directory: str) -> dict[str, str] | None:
    """The text files under `directory` (relative to the rosgit tree) at `commit`, by path inside it, as
    `git show` prints each (a symlink as its target); None when the directory does not exist there. One
    `git archive` run, not one `git show` per file (70 processes for a chart)."""
    prefix = _prefix(root)
    listed = run_tool(
        require_tool("git"), ["-C", str(root), "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, "--",
                              prefix + directory]
    )
    if listed.returncode != 0:
        raise UsageError(f"git ls-tree failed: {listed.reason()}", location=str(root))
    paths = [p for p in listed.stdout.split("\0") if p]
    if not paths:
        return None
    base = prefix + directory.rstrip("/") + "/"
    with tempfile.TemporaryDirectory(prefix="rosgit-files-") as tmp:
        archive = Path(tmp) / "files.tar"
        # from the repository's top: in a subdirectory git archive would look for it inside that tree
        top = root.resolve().parents[len(Path(prefix).parts) - 1] if prefix else root
        _git(top, "archive", "--format=tar", "-o", str(archive), f"{commit}:{base}")
        with tarfile.open(archive) as bundle:
            members = {member.name: member for member in bundle.getmembers()}
            found: dict[str, str] = {}
            for path in paths:
                member = members.get(path.removeprefix(base))
                if member is None:
                    continue  # a submodule: `git show` has no file for it either
                if member.issym():
                    found[member.name] = member.linkname
                elif member.isfile() and (stream := bundle.extractfile(member)) is not None:
                    found[member.name] = _as_text(stream.read())
    return found


def _as_text(data: bytes) -> str:
    """As a text-mode pipe reads it (what `git show` gave through run_tool): UTF-8, universal newlines."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
