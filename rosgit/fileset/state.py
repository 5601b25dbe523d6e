"""Where the writer keeps its state (`.rosgit/`), importable at no cost: every command asks `pending` first."""

from __future__ import annotations

import os
from pathlib import Path

STATE_DIR = ".rosgit"
STAGING_SUFFIX = ".rosgit-tmp"
JOURNAL = f"{STATE_DIR}/journal"
STAGING = f"{STATE_DIR}/staging"
MANIFEST = f"{STATE_DIR}/manifest"
BACKUP_DIR = f"{STATE_DIR}/backup"
LOCK = f"{STATE_DIR}/lock"


def pending(root: Path) -> bool:
    """A write was interrupted (or is running): four stats, so the fast `build` path can afford it.

    A kill can also fall between writing a marker's own staging file and renaming it into place: that file
    is then the only trace of the run, and recovery must still be asked to remove it.
    """
    markers = (JOURNAL, STAGING, JOURNAL + STAGING_SUFFIX, STAGING + STAGING_SUFFIX)
    return any(os.path.exists(root / marker) for marker in markers)


def tree_root(catalog_path: Path) -> Path:
    """The directory of the catalog path as the user gave it, never of a symlink's target.

    A symlinked rosgit.yaml (a catalog shared between checkouts) must not send generated files into the other
    checkout: the user ran rosgit in this repository, so this is where the tree lives. `abspath` only folds
    `.` and `..` lexically; it does not follow links. Every command that reads the tree should use this too.
    """
    return Path(os.path.abspath(catalog_path)).parent
