"""One `kustomize build`, as krusty's Kustomizer runs it: accumulate the top kustomization, then the
steps kustomize runs once at the top (hash suffixes, name references, annotations as text, dropping
local-config objects), then the output order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize.gcpause import paused_gc
from rosgit.kustomize.gojson import json_scalar_text
from rosgit.kustomize.hashing import name_suffix_hash
from rosgit.kustomize.loader import display, find_kustomization_file
from rosgit.kustomize.namerefs import fix_references
from rosgit.kustomize.ordering import legacy_sort
from rosgit.kustomize.resource import Resource
from rosgit.kustomize.target import build_directory_with_options
from rosgit.kustomize.yamlio import dump_documents

_LOCAL_CONFIG = "config.kubernetes.io/local-config"


def _annotations_as_text(obj: dict[str, Any]) -> None:
    """kustomize rewrites every object's annotations as a string map before printing, so a value a
    patch or replacement made a number or bool prints as its text."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        return
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict) or all(isinstance(v, str) for v in annotations.values()):
        return
    metadata["annotations"] = {key: json_scalar_text(value) for key, value in annotations.items()}


def _is_local_config(res: Resource) -> bool:
    annotations = (res.obj.get("metadata") or {}).get("annotations") or {}
    # Any value but exactly "false" marks a local-only object.
    return _LOCAL_CONFIG in annotations and annotations[_LOCAL_CONFIG] != "false"


def _finalize(resources: list[Resource]) -> list[Resource]:
    """The steps kustomize runs once, at the top kustomization: hash suffixes, then name references."""
    for res in resources:
        if res.needs_hash:
            res.store_previous_id()
            res.set_name(f"{res.name}-{name_suffix_hash(res.obj)}")
    fix_references(resources)
    for res in resources:
        _annotations_as_text(res.obj)
    return [res for res in resources if not _is_local_config(res)]


def _build_objects(path: Path) -> list[dict[str, Any]]:
    resources, sort = build_directory_with_options(Path(path))
    try:
        objs = [r.obj for r in _finalize(resources)]
    except UsageError as exc:
        if exc.location is not None:
            raise
        # Name references are fixed once, for the whole build: the top kustomization owns them.
        where = display(find_kustomization_file(Path(path).resolve()))
        raise UsageError(exc.message, location=where) from None
    if sort is None:
        return objs
    return list(legacy_sort(objs, sort[0], sort[1]))


def build_objects(path: Path) -> list[dict[str, Any]]:
    """The built objects in kustomize's output order."""
    with paused_gc():
        return _build_objects(path)


def build_text(path: Path) -> str:
    """Exactly what `kustomize build path` prints."""
    with paused_gc():
        return dump_documents(_build_objects(path))
