"""Render a kustomization with the builtin engine (default) or the pinned kustomize binary."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from rosgit.errors import UsageError
from rosgit.tools import require_tool

ENGINES = ("builtin", "kustomize")

# Overlays already built in this process, keyed by (resolved path, engine). `rosgit check` builds each
# overlay once and fills this before its repo-wide stages run, so their builds cost nothing.
_prebuilt: dict[tuple[Path, str], str] = {}


def set_prebuilt(texts: dict[tuple[Path, str], str]) -> None:
    """Serve these build outputs from memory from now on (only for a process that never edits overlays)."""
    _prebuilt.clear()
    _prebuilt.update({(path.resolve(), engine): text for (path, engine), text in texts.items()})


def build_overlay(path: Path, *, engine: str = "builtin") -> str:
    """The exact text `kustomize build PATH` prints."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if not path.is_dir():
        raise UsageError(f"{path}: not a directory")
    if _prebuilt:
        cached = _prebuilt.get((path.resolve(), engine))
        if cached is not None:
            return cached
    if engine == "kustomize":
        return run_kustomize(path)
    from rosgit.kustomize import build_text

    return build_text(path)


def run_kustomize(path: Path) -> str:
    binary = require_tool("kustomize")
    proc = subprocess.run([str(binary), "build", str(path)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        message = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "kustomize build failed"
        raise UsageError(f"{path}: kustomize: {message}")
    return proc.stdout


def build_objects(path: Path, *, engine: str = "builtin") -> list[dict[str, Any]]:
    """The built objects as plain data, in output order."""
    import yaml

    text = build_overlay(path, engine=engine)
    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if doc is not None]
