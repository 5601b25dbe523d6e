"""Kubernetes objects as plain data, and the one way a YAML stream becomes them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import Any

import yaml

from rosgit.errors import UsageError
from rosgit.k8s.meta import DNS_LABEL
from rosgit.userfiles import alias_budget, check_node_graph, check_yaml_depth

Obj = dict[str, Any]

# A merge key (`<<:`) where YAML allows a key. Merges are expanded while constructing, before any check
# could run; without them construction is linear, aliases only sharing objects.
_MERGE_KEY = re.compile(r"(?:^|[\s{,])<<\s*:", re.MULTILINE)


def load_objects(text: str, *, source: str = "<yaml>") -> list[Obj]:
    """The mappings of a multi-document YAML stream, in order; empty documents and non-mappings are dropped.

    Under the input policy's limits (`rosgit.userfiles`): the stream may be a file a user edited (argocd/,
    sealed secrets), and PyYAML would expand an alias bomb until memory runs out.
    """
    check_yaml_depth(text, location=source)
    if not _MERGE_KEY.search(text):
        # Without merge keys, construction is linear. Shell scripts in a build's ConfigMaps hold `&&` and ` *`:
        # usually no alias at all, which shows as no node reached twice. Only a stream that does share one is
        # measured node by node.
        loaded = plain_documents(text)
        if loaded is not None:
            return [doc for doc in loaded if isinstance(doc, dict)]
    loader = yaml.CSafeLoader(text)
    docs: list[Obj] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            check_node_graph(node, budget=alias_budget(text), location=source)
            doc = loader.construct_document(node)
            if isinstance(doc, dict):
                docs.append(doc)
    finally:
        loader.dispose()
    return docs


# A document start marker: `---` at a line's start, then a space, a tab or the line's end.
_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)


def document_texts(text: str) -> list[str]:
    """The stream cut before each document start marker, in order; the pieces join back to `text`.

    Each piece holds at most one document, exactly as the whole stream reads it: YAML forbids a marker at a
    line's start inside any scalar (it ends a block scalar, and is an error in a quoted one), documents share
    no anchors, and a directive applies to the document after it (a piece ending in one does not parse)."""
    starts = [match.start() for match in _DOCUMENT_START.finditer(text)]
    bounds = [0, *(start for start in starts if start > 0), len(text)]
    return [text[begin:end] for begin, end in pairwise(bounds) if end > begin]


def load_objects_reusing(
    text: str, earlier: Mapping[str, list[Obj]], key: Callable[[str], str]
) -> tuple[list[Obj], dict[str, list[Obj]]]:
    """`load_objects(text)`, taking the objects of each document whose `key` (a digest of its text) is in
    `earlier` from there and parsing only the others; and this stream's documents by key, for the next call.

    A document that differs from an earlier one only in its `metadata.namespace` line (`namespace_free`)
    takes that one's objects with the namespace set: an overlay's namespace edit changes every document in
    that line alone. A document that does not load alone makes the whole stream load at once (its errors
    are the stream's)."""
    objects: list[Obj] = []
    documents: dict[str, list[Obj]] = {}
    taken: set[int] = set()  # each earlier document once: two objects never share their dicts
    for piece in document_texts(text):
        exact = key(piece)
        unplaced = namespace_free(piece)
        loose = key(f"namespace-free\0{unplaced[0]}") if unplaced is not None else None
        found = _untaken(earlier.get(exact), taken)
        if found is None and loose is not None and unplaced is not None:
            found = _untaken(earlier.get(loose), taken)
            if found is not None:
                for obj in found:
                    obj["metadata"]["namespace"] = unplaced[1]
        if found is None:
            try:
                found = load_objects(piece)
            except (yaml.YAMLError, UsageError):
                return load_objects(text), {}
        taken.add(id(found))
        documents.setdefault(exact, found)
        if loose is not None:
            documents.setdefault(loose, found)
        objects.extend(found)
    return objects, documents


def _untaken(found: list[Obj] | None, taken: set[int]) -> list[Obj] | None:
    return found if found is not None and id(found) not in taken else None


_NAMESPACE_LINE = re.compile(rf"  namespace: ({DNS_LABEL})")
_PLAIN_STRINGS: dict[str, bool] = {}


def namespace_free(piece: str) -> tuple[str, str] | None:
    """(the document with its namespace value cut out, the namespace) when the document is a mapping whose
    `metadata:` block holds the one line `  namespace: LABEL` at the block's indentation, the label a DNS-1123
    label YAML reads as a string (not `123`, `yes`, `null`); else None. Such a line is that key of metadata and
    nothing else: a block scalar's lines are indented deeper than its key, a flow mapping starts on the
    `metadata:` line, and the document holds no other such line (a repeated key)."""
    keys = _line_starts(piece, "  namespace:", at_most=2)
    if len(keys) != 1:
        return None
    start = keys[0]
    end = piece.find("\n", start)
    end = len(piece) if end < 0 else end
    line = _NAMESPACE_LINE.fullmatch(piece, start, end)
    if line is None or not _reads_as_string(line.group(1)):
        return None
    above = piece[:start].splitlines()
    owner = next((row for row in reversed(above) if row and not row.startswith(" ")), None)
    if owner != "metadata:":
        return None
    return piece[: line.start(1)] + piece[line.end(1) :], line.group(1)


def _line_starts(text: str, prefix: str, *, at_most: int) -> list[int]:
    """Where the first `at_most` lines starting with `prefix` start (str.find: a multiline regex is ten times
    slower, and this runs on every document of every build)."""
    found = [0] if text.startswith(prefix) else []
    at = text.find("\n" + prefix)
    while at >= 0 and len(found) < at_most:
        found.append(at + 1)
        at = text.find("\n" + prefix, at + 1)
    return found


def _reads_as_string(value: str) -> bool:
    known = _PLAIN_STRINGS.get(value)
    if known is None:
        known = isinstance(yaml.load(f"k: {value}", Loader=yaml.CSafeLoader)["k"], str)
        if len(_PLAIN_STRINGS) < 4096:
            _PLAIN_STRINGS[value] = known
    return known


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
# Scalars are resolved and constructed once per distinct text: a build repeats its names, labels and ports
# hundreds of times. Only immutable results are kept; the tables are bounded.
_CACHE_LIMIT = 65536
_RESOLVED: dict[tuple[str, Any], str] = {}
_CONSTRUCTED: dict[tuple[str, str], Any] = {}
_IMMUTABLE = (str, int, float, bool, type(None))


class _Shared(Exception):
    """A node the plain construction does not take (an alias, a merge key, a tag of its own)."""


class _PlainLoader(yaml.CSafeLoader):
    """libyaml composes; scalars resolve through a memo of PyYAML's own (path-free) resolver."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        key = (value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(_RESOLVED) < _CACHE_LIMIT:
                _RESOLVED[key] = tag
        return tag

    # A safe loader has no path resolvers: their bookkeeping is two calls per node for nothing.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:  # noqa: ARG002 (PyYAML's signature)
        return None

    def ascend_resolver(self) -> None:
        return None


def plain_documents(text: str) -> list[Any] | None:
    """What `yaml.load_all(text, Loader=yaml.CSafeLoader)` gives, built without PyYAML's generator-based
    constructor; None when the stream reaches a node twice (an alias: PyYAML would share the object), has a
    merge key or a tag other than str/int/float/bool/null/map/seq, or fails, so the caller takes PyYAML's way
    (and its errors)."""
    loader = _PlainLoader(text)
    docs: list[Any] = []
    try:
        while loader.check_node():
            # by identity within one document, which keeps its nodes alive (anchors end with their document)
            docs.append(_plain(loader, loader.get_node(), set()))
    except (_Shared, yaml.YAMLError, TypeError, ValueError):
        return None
    finally:
        loader.dispose()
    return docs


def _plain(loader: _PlainLoader, node: Any, seen: set[int]) -> Any:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            return node.value
        key = (node.tag, node.value)
        if key in _CONSTRUCTED:
            return _CONSTRUCTED[key]
        construct = loader.yaml_constructors.get(node.tag)
        if construct is None:
            raise _Shared(node.tag)
        value = construct(loader, node)
        if type(value) not in _IMMUTABLE:
            raise _Shared(node.tag)  # a timestamp or binary: PyYAML's way, exactly
        if len(_CONSTRUCTED) < _CACHE_LIMIT:
            _CONSTRUCTED[key] = value
        return value
    if id(node) in seen:
        raise _Shared("alias")
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_plain(loader, item, seen) for item in node.value]
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise _Shared("merge")
            key = _plain(loader, key_node, seen)
            mapping[key] = _plain(loader, value_node, seen)  # TypeError on an unhashable key: PyYAML's way
        return mapping
    raise _Shared(str(node.tag))
