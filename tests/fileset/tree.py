"""Shared setup for the writer's safety tests: a copy of the committed tree, its hashes, catalog edits."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from tests.conftest import REPO_ROOT, run_rosgit

TREE_DIRS = ("base", "components", "overlays", "argocd", "charts")


def copy_repo(destination: Path, *, generated: bool = False) -> Path:
    """The committed tree outside Git. `generated`: as after a `rosgit generate`, which records the manifest
    of what rosgit wrote (without it, and without Git, rosgit deletes no stale file)."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "rosgit.yaml", destination / "rosgit.yaml")
    for directory in TREE_DIRS:
        shutil.copytree(REPO_ROOT / directory, destination / directory)
    if generated:
        done = run_rosgit("generate", "-c", str(destination / "rosgit.yaml"))
        assert done.returncode == 0, done.stderr
    return destination


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file, rosgit's own state directory aside (it is not part of the tree)."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".rosgit" not in path.relative_to(root).parts
    }


def rename_project(catalog: Path) -> None:
    """A catalog edit that creates, updates and deletes (the chart directory is named after the project)."""
    text = catalog.read_text(encoding="utf-8")
    assert "\n  name: ros-ocp\n" in text
    catalog.write_text(text.replace("\n  name: ros-ocp\n", "\n  name: ros-ocq\n"), encoding="utf-8")


def leftovers(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.rosgit-tmp"))
