"""RFC 6902 JSON patch operations on plain data, with the leniencies of the library kustomize uses:
`replace` of a missing map key adds it, and negative array indices count from the end.

Written here rather than imported: the general-purpose library costs more to import than a whole
small build takes.
"""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    """An operation that cannot apply; the message is one line."""


def _tokens(pointer: Any) -> list[str]:
    if not isinstance(pointer, str):
        raise PatchError(f"path must be a string, got {pointer!r}")
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"invalid JSON pointer {pointer!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def _index(container: list[Any], token: str, *, allow_end: bool, pointer: str) -> int:
    if allow_end and token == "-":
        return len(container)
    try:
        index = int(token)
    except ValueError:
        raise PatchError(f"invalid array index {token!r} in {pointer}") from None
    if index < 0:
        # For an insertion, -1 means after the last element.
        index += len(container) + (1 if allow_end else 0)
    limit = len(container) if allow_end else len(container) - 1
    if index < 0 or index > limit:
        raise PatchError(f"array index {token} out of range in {pointer}")
    return index


def _parent(doc: Any, tokens: list[str], pointer: str) -> Any:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, allow_end=False, pointer=pointer)]
        else:
            raise PatchError(f"doc is missing path: {pointer}")
    return node


def _get(doc: Any, pointer: str) -> Any:
    node = doc
    for token in _tokens(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, allow_end=False, pointer=pointer)]
        else:
            raise PatchError(f"doc is missing path: {pointer}")
    return node


def _add(doc: Any, pointer: str, value: Any) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return value
    parent = _parent(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, allow_end=True, pointer=pointer), value)
    else:
        raise PatchError(f"doc is missing path: {pointer}")
    return doc


def _remove(doc: Any, pointer: str) -> tuple[Any, Any]:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent = _parent(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"unable to remove nonexistent key: {last}")
        return doc, parent.pop(last)
    if isinstance(parent, list):
        return doc, parent.pop(_index(parent, last, allow_end=False, pointer=pointer))
    raise PatchError(f"doc is missing path: {pointer}")


def _replace(doc: Any, pointer: str, value: Any) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return value
    parent = _parent(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent[_index(parent, last, allow_end=False, pointer=pointer)] = value
    else:
        raise PatchError(f"doc is missing path: {pointer}")
    return doc


def _same(a: Any, b: Any) -> bool:
    """JSON equality: unlike Python's ==, true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def apply(doc: Any, ops: list[Any]) -> Any:
    """The document after the operations, applied in order to a copy."""
    result = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict):
            raise PatchError(f"operation must be a mapping, got {op!r}")
        kind = op.get("op")
        path = op.get("path")
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"{kind} operation on {path} needs a value")
        if kind == "add":
            result = _add(result, str(path), copy.deepcopy(op["value"]))
        elif kind == "remove":
            result, _ = _remove(result, str(path))
        elif kind == "replace":
            result = _replace(result, str(path), copy.deepcopy(op["value"]))
        elif kind == "move":
            result, value = _remove(result, str(op.get("from")))
            result = _add(result, str(path), value)
        elif kind == "copy":
            result = _add(result, str(path), copy.deepcopy(_get(result, str(op.get("from")))))
        elif kind == "test":
            if not _same(_get(result, str(path)), op["value"]):
                raise PatchError(f"testing value {path} failed")
        else:
            raise PatchError(f"unknown operation {kind!r}")
    return result
