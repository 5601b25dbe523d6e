"""The hostile-input suite's harness: a fresh copy of this repository per case, the command run as a user
would run it, and the promise checked: exit 2, exactly one stderr line naming what is wrong, no traceback,
and the tree byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# What `rosgit generate` reads and writes; tests, docs and caches are not needed to run the commands.
_TREE = ("rosgit.yaml", "base", "components", "overlays", "argocd", "charts")


@pytest.fixture(scope="session")
def pristine_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    for name in _TREE:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, symlinks=True)
        elif source.exists():
            shutil.copy2(source, root / name)
    # as in a checkout rosgit has written: its manifest vouches for the generated files a catalog edit retires
    written = rosgit(root, "generate")
    assert written.returncode == 0, written.stderr
    return root


@pytest.fixture
def tree(pristine_tree: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the repository's catalog and generated tree."""
    root = tmp_path / "repo"
    shutil.copytree(pristine_tree, root, symlinks=True)
    yield root
    # a test may leave unreadable or read-only entries behind; make them removable again
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink() and path.is_dir():
            path.chmod(0o755)


def tree_hash(root: Path) -> str:
    """Every entry's path, type and (for regular files) content: what "the tree is unchanged" means."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        digest.update(str(path.relative_to(root)).encode() + b"\0" + oct(stat.S_IFMT(info.st_mode)).encode())
        if stat.S_ISREG(info.st_mode) and info.st_mode & stat.S_IRUSR:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        elif stat.S_ISLNK(info.st_mode):
            digest.update(os.readlink(path).encode())
    return digest.hexdigest()


def rosgit(
    cwd: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    result = subprocess.run(
        [sys.executable, "-m", "rosgit", *args],
        cwd=cwd, input=stdin, capture_output=True, env=full_env, timeout=timeout, check=False,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode,
        result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace"),
    )


def assert_refused(result: subprocess.CompletedProcess[str], *names: str) -> str:
    """Exit 2, one stderr line `rosgit: ...` naming each of `names`, no traceback; returns the line."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("rosgit: "), line
    assert "\x1b" not in line, line
    for name in names:
        assert name in line, (name, line)
    return line


def refuses_and_keeps_tree(root: Path, *args: str, names: tuple[str, ...] = (), stdin: bytes | None = None,
                           timeout: float = 60) -> str:
    before = tree_hash(root)
    line = assert_refused(rosgit(root, *args, stdin=stdin, timeout=timeout), *names)
    assert tree_hash(root) == before, "the refused command changed the tree"
    return line
