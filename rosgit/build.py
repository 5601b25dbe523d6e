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
# The same builds as parsed objects, pickled: unpickling gives every caller its own copy ~40x faster
# than parsing the YAML again.
_prebuilt_objects: dict[tuple[Path, str], bytes] = {}


def set_prebuilt(
    texts: dict[tuple[Path, str], str], objects: dict[tuple[Path, str], list[dict[str, Any]]] | None = None
) -> None:
    """Serve these build outputs from memory from now on (only for a process that never edits overlays)."""
    import pickle

    _prebuilt.clear()
    _prebuilt.update({(path.resolve(), engine): text for (path, engine), text in texts.items()})
    _prebuilt_objects.clear()
    for (path, engine), built in (objects or {}).items():
        _prebuilt_objects[(path.resolve(), engine)] = pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL)


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

    if _prebuilt_objects and path.is_dir():
        cached = _prebuilt_objects.get((path.resolve(), engine))
        if cached is not None:
            import pickle

            objects: list[dict[str, Any]] = pickle.loads(cached)
            return objects
    text = build_overlay(path, engine=engine)
    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if doc is not None]
