"""CRD pruning of nulls and defaulting before validation, as the API server does it.

The API server fills `default`s of a CRD's structural schema into the object before it validates, and some
CRD rules only hold after that (route.openshift.io requires `host` unless `wildcardPolicy` is not `Subdomain`,
and `wildcardPolicy` defaults to `None`). JSON-schema validators never default, so both validators get the
object with defaults applied. Only the structural part is walked (properties, items, additionalProperties):
defaults inside allOf/anyOf/oneOf/not are not applied by the API server either. Before defaulting, the API
server drops `null` values of fields not marked `nullable: true`, so those are dropped too.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any


@functools.cache
def _schema(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def apply_defaults(obj: Any, schema: Any) -> Any:
    """A copy of `obj` with non-nullable nulls dropped and absent properties filled from `default`s."""
    if not isinstance(schema, dict):
        return obj
    if isinstance(obj, dict):
        out = dict(obj)
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for name, sub in properties.items():
                if not isinstance(sub, dict):
                    continue
                if name in out and out[name] is None and sub.get("nullable") is not True:
                    del out[name]
                if name not in out and "default" in sub:
                    out[name] = copy.deepcopy(sub["default"])
                if name in out:
                    out[name] = apply_defaults(out[name], sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name in out:
                if not isinstance(properties, dict) or name not in properties:
                    out[name] = apply_defaults(out[name], extra)
        return out
    if isinstance(obj, list) and isinstance(schema.get("items"), dict):
        return [apply_defaults(item, schema["items"]) for item in obj]
    return obj


def defaulted(obj: Any, schema_path: Path) -> Any:
    """`obj` as the API server would validate it against this CRD schema file."""
    return apply_defaults(obj, _schema(schema_path))
