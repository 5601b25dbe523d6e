"""`files_at`: a directory's files at a commit, read in one `git archive` run; the same as asking `git show`
for each file the commit lists, the tree nested in a larger repository included."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rosgit.diff.revisions import files_at


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def _shown_one_by_one(root: Path, commit: str, directory: str) -> dict[str, str] | None:
    """The reference: `git ls-tree`, then `git show` of each listed path."""
    prefix = _git(root, "rev-parse", "--show-prefix").strip()
    listed = _git(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, "--", prefix + directory)
    paths = [p for p in listed.split("\0") if p]
    if not paths:
        return None
    base = prefix + directory.rstrip("/") + "/"
    shown = {}
    for path in paths:
        result = subprocess.run(["git", "-C", str(root), "show", f"{commit}:{path}"], capture_output=True, text=True)
        if result.returncode == 0:
            shown[path.removeprefix(base)] = result.stdout
    return shown


@pytest.fixture(params=["nested", "at-the-top"])
def repository(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    top = tmp_path / "top"
    tree = top / "deploy" / "rosgit" if request.param == "nested" else top
    files = {
        "charts/demo/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 1.0.0\n",
        "charts/demo/templates/a b.yaml": "kind: ConfigMap\n# ünïcode, no final newline",
        "charts/demo/templates/nested/deeper/c.yaml": "\n\nkind: Secret\n\n",
        "charts/demo/values.yaml": "",
        "charts/demo/crlf.txt": "one\r\ntwo\rthree\n",
        "charts/other/Chart.yaml": "name: other\n",
    }
    for name, text in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text, encoding="utf-8")
    (tree / "charts/demo/templates/link.yaml").symlink_to("a b.yaml")
    _git(top, "init", "-q", "-b", "main")
    _git(top, "add", "-A")
    _git(top, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    return tree


@pytest.mark.parametrize("directory", ["charts/demo", "charts/demo/", "charts/other", "charts/missing", "charts"])
def test_files_at_gives_what_git_shows_file_by_file(repository: Path, directory: str) -> None:
    commit = _git(repository, "rev-parse", "HEAD").strip()
    expected = _shown_one_by_one(repository, commit, directory)
    assert files_at(repository, commit, directory) == expected
    if directory.startswith("charts/demo"):
        assert expected is not None and len(expected) == 6 and expected["templates/link.yaml"] == "a b.yaml"
