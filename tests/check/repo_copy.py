"""A throw-away copy of the repository's catalog and generated tree, for planting defects."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import REPO_ROOT

COPIED = ("rosgit.yaml", "base", "components", "overlays", "argocd", "charts")


def copy_repo(destination: Path) -> Path:
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name)
        elif source.is_file():
            shutil.copy2(source, destination / name)
    return destination


def plant(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of `old`; fails loudly if the generated file changed shape."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
