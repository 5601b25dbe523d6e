"""Locating the pinned real tools installed by scripts/install-tools.sh into .tools/bin."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rosgit.errors import UsageError

PINNED = {
    "kustomize": "v5.8.1",
    "kubeconform": "v0.7.0",
    "helm": "v4.2.1",
    "helm3": "v3.18.6",
    "kubeseal": "v0.36.6",
}


def project_root() -> Path:
    """The repository root: the nearest parent holding rosgit.yaml, else the current directory."""
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "rosgit.yaml").is_file():
            return candidate
    return here


def _tool_dirs() -> list[Path]:
    dirs = []
    env_dir = os.environ.get("ROSGIT_TOOLS_BIN")
    if env_dir:
        dirs.append(Path(env_dir))
    dirs.append(project_root() / ".tools" / "bin")
    dirs.append(Path(__file__).resolve().parent.parent / ".tools" / "bin")
    return dirs


def find_tool(name: str) -> Path | None:
    """The pinned binary if installed in .tools/bin (or ROSGIT_TOOLS_BIN), else one on PATH, else None."""
    for directory in _tool_dirs():
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    return Path(found) if found else None


def require_tool(name: str) -> Path:
    path = find_tool(name)
    if path is None:
        raise UsageError(
            f"{name} {PINNED.get(name, '')} is not installed; run scripts/install-tools.sh".replace("  ", " ")
        )
    return path
