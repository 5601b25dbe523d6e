"""Copies of the engine's objects, which are plain data trees: parsed YAML (dicts, lists, scalars), never
sharing a part (the loader hands out a fresh copy of every document; transformers copy what they insert)."""

from __future__ import annotations

import copy
from typing import Any

_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def copy_plain(value: Any) -> Any:
    """copy.deepcopy for a plain data tree, several times cheaper (no memo: a tree has no shared parts);
    anything else inside goes through copy.deepcopy."""
    kind = type(value)
    if kind is dict:
        return {key: copy_plain(item) for key, item in value.items()}
    if kind is list:
        return [copy_plain(item) for item in value]
    if kind in _IMMUTABLE:
        return value
    return copy.deepcopy(value)
