"""Type checks of a kustomization as kustomize's strict Go decode applies them: a wrong type or an
unknown field anywhere fails the whole file (e.g. an unquoted `newTag: 1.27` is a number)."""

from __future__ import annotations

from typing import Any

from rosgit.errors import UsageError

# A type is "str", "bool", "int", "any", ("list", T), ("map", T) or a struct {field: T}.
Type = Any

_STR_MAP: Type = ("map", "str")
_SELECTOR: Type = {
    "group": "str", "version": "str", "kind": "str", "name": "str", "namespace": "str",
    "labelSelector": "str", "annotationSelector": "str",
}
_GEN_OPTIONS: Type = {
    "labels": _STR_MAP, "annotations": _STR_MAP, "disableNameSuffixHash": "bool", "immutable": "bool",
}
_GENERATOR: Type = {
    "name": "str", "namespace": "str", "behavior": "str", "literals": ("list", "str"),
    "files": ("list", "str"), "envs": ("list", "str"), "env": "str", "options": _GEN_OPTIONS,
}
_REPLACEMENT_OPTIONS: Type = {"delimiter": "str", "index": "int", "create": "bool", "encoding": "str"}
_REPLACEMENT: Type = {
    "path": "str",
    "source": {
        "group": "str", "version": "str", "kind": "str", "name": "str", "namespace": "str",
        "fieldPath": "str", "options": _REPLACEMENT_OPTIONS,
    },
    "targets": (
        "list",
        {
            "select": _SELECTOR, "reject": ("list", _SELECTOR), "fieldPaths": ("list", "str"),
            "options": _REPLACEMENT_OPTIONS,
        },
    ),
}
_IMAGES: Type = (
    "list", {"name": "str", "newName": "str", "newTag": "str", "digest": "str", "tagSuffix": "str"},
)
KUSTOMIZATION: Type = {
    "apiVersion": "str", "kind": "str", "metadata": "any",
    "resources": ("list", "str"), "bases": ("list", "str"), "components": ("list", "str"),
    "namespace": "str", "namePrefix": "str", "nameSuffix": "str",
    "commonLabels": _STR_MAP, "commonAnnotations": _STR_MAP,
    "labels": (
        "list",
        {
            "pairs": _STR_MAP, "includeSelectors": "bool", "includeTemplates": "bool",
            "fields": (
                "list",
                {"path": "str", "group": "str", "version": "str", "kind": "str", "create": "bool"},
            ),
        },
    ),
    "images": _IMAGES,
    "imageTags": _IMAGES,
    "replicas": ("list", {"name": "str", "count": "int"}),
    "patches": (
        "list", {"path": "str", "patch": "str", "target": _SELECTOR, "options": ("map", "bool")},
    ),
    "patchesStrategicMerge": ("list", "str"),
    "patchesJson6902": ("list", {"target": _SELECTOR, "path": "str", "patch": "str"}),
    "configMapGenerator": ("list", _GENERATOR),
    "secretGenerator": ("list", {**_GENERATOR, "type": "str"}),
    "generatorOptions": _GEN_OPTIONS,
    "replacements": ("list", _REPLACEMENT),
    "sortOptions": {
        "order": "str", "legacySortOptions": {"orderFirst": ("list", "str"), "orderLast": ("list", "str")},
    },
}  # fmt: skip


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def check(value: Any, spec: Type, path: str, location: str) -> None:
    """Raise a one-line UsageError at the first value that kustomize's decoder would refuse."""
    if value is None or spec == "any":
        return

    def fail(want: str) -> UsageError:
        return UsageError(
            f"invalid Kustomization: {path}: cannot unmarshal {_kind_of(value)} into {want}", location=location
        )

    if spec == "str":
        if not isinstance(value, str):
            raise fail("string")
    elif spec == "bool":
        if not isinstance(value, bool):
            raise fail("bool")
    elif spec == "int":
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        ):
            raise fail("integer")
    elif isinstance(spec, tuple) and spec[0] == "list":
        if not isinstance(value, list):
            raise fail("list")
        for i, item in enumerate(value):
            check(item, spec[1], f"{path}[{i}]", location)
    elif isinstance(spec, tuple) and spec[0] == "map":
        if not isinstance(value, dict):
            raise fail("map")
        for key, item in value.items():
            check(item, spec[1], f"{path}.{key}", location)
    elif isinstance(spec, dict):
        if not isinstance(value, dict):
            raise fail("object")
        for key, item in value.items():
            if key not in spec:
                where = f"{path}.{key}" if path else str(key)
                raise UsageError(f"invalid Kustomization: unknown field '{where}'", location=location)
            check(item, spec[key], f"{path}.{key}" if path else str(key), location)
