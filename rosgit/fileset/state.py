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
    """A write was interrupted (or is running): two stats, so the fast `build` path can afford it."""
    return os.path.exists(root / JOURNAL) or os.path.exists(root / STAGING)
