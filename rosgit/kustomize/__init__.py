"""Pure-Python `kustomize build`: the default engine of `rosgit build`.

Public API: `build_text(path)` gives the exact bytes `kustomize build path` prints;
`build_resources(path)` gives the same objects as plain data, in output order.
Heavy modules load lazily so importing this package costs nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rosgit.errors import UsageError

if TYPE_CHECKING:
    from rosgit.kustomize.resource import Resource

__all__ = ["build_resources", "build_text"]

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
    from rosgit.kustomize.gojson import go_json_float

    def text(value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return go_json_float(value)
        return "null" if value is None else ""

    metadata["annotations"] = {key: text(value) for key, value in annotations.items()}


def _finalize(resources: list[Resource]) -> list[Resource]:
    """The steps kustomize runs once, at the top kustomization: hash suffixes, then name references."""
    from rosgit.kustomize.hashing import name_suffix_hash
    from rosgit.kustomize.namerefs import fix_references

    for res in resources:
        if res.needs_hash:
            res.store_previous_id()
            res.set_name(f"{res.name}-{name_suffix_hash(res.obj)}")
    fix_references(resources)
    for res in resources:
        _annotations_as_text(res.obj)
    kept = []
    for res in resources:
        annotations = (res.obj.get("metadata") or {}).get("annotations") or {}
        # Any value but exactly "false" marks a local-only object.
        if _LOCAL_CONFIG in annotations and annotations[_LOCAL_CONFIG] != "false":
            continue
        kept.append(res)
    return kept


@contextmanager
def _no_gc() -> Iterator[None]:
    """A build allocates many small acyclic objects; Python's cycle collector would rescan the
    growing heap again and again (superlinear in the number of objects), so pause it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_resources(path: Path) -> list[dict[str, Any]]:
    """The built objects in kustomize's output order."""
    with _no_gc():
        return _build_resources(path)


def _build_resources(path: Path) -> list[dict[str, Any]]:
    from rosgit.kustomize.target import build_directory_with_options

    resources, sort = build_directory_with_options(Path(path))
    try:
        objs = [r.obj for r in _finalize(resources)]
    except UsageError as exc:
        if exc.location is not None:
            raise
        # Name references are fixed once, for the whole build: the top kustomization owns them.
        from rosgit.kustomize.loader import display, find_kustomization_file

        where = display(find_kustomization_file(Path(path).resolve()))
        raise UsageError(exc.message, location=where) from None
    if sort is None:
        return objs
    from rosgit.kustomize.ordering import legacy_sort

    return list(legacy_sort(objs, sort[0], sort[1]))


def build_text(path: Path) -> str:
    """Exactly what `kustomize build path` prints."""
    from rosgit.kustomize.yamlio import dump_documents

    with _no_gc():
        return dump_documents(_build_resources(path))
