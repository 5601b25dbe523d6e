"""A line-numbered YAML parse through libyaml that gives what ruamel's round-trip loader gives, or declines.

ruamel composes in pure Python (over half a second of CPU for the default catalog, and its import); libyaml's
event parser is C. Over libyaml's events this module builds the tree ruamel would: mappings and sequences
offering the part of ruamel's `.lc` line/column API that rosgit reads (`lc.line`, `lc.key(k)`, `lc.value(k)`,
`lc.item(i)`, `lc.data`, `add_kv_line_col`, `add_idx_line_col`), scalars resolved by YAML 1.2's core schema
exactly as ruamel 0.19's rt loader resolves them (its VersionedResolver's 1.2 patterns, copied below).

It promises equality only for what it reads: anything whose ruamel reading is subtler, or whose YAML 1.1
(libyaml) and 1.2 (ruamel) scanning could differ, raises `Unsupported`, and the caller parses with ruamel,
whose result and error messages stay the reference. Declined: every syntax error and duplicate key (so the
message is ruamel's), directives, several documents, explicit tags, anchors on scalars (ruamel gives them
anchor-carrying scalar types), merge keys `<<` and value keys `=`, timestamps, keys that are collections,
aliases to an unknown or unfinished node, empty nodes (`key:`: the two place them on different lines), and
texts with tabs, carriage returns or the line breaks only YAML 1.1 has (NEL, LS, PS). Block scalars come as
plain `str` (ruamel's Literal/FoldedScalarString subclasses compare equal), numbers as plain `int`/`float`
(ruamel's ScalarInt/ScalarFloat subclasses print and compare as those). tests/catalog/test_lined_yaml.py
holds both readings equal on every YAML file of the repository and the tests.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from rosgit.userfiles import MAX_DEPTH, depth_error

AVAILABLE = bool(getattr(yaml, "__with_libyaml__", False))
# tabs (separation rules), CR (line counting) and NEL/LS/PS/BOM (line breaks in YAML 1.1 only) are where
# libyaml's YAML 1.1 scanner and ruamel's 1.2 one could read a text differently
_DECLINED_CHARACTERS = re.compile("[\t\r\x85\u2028\u2029\ufeff]")

# ruamel.yaml 0.19 resolver.py, `implicit_resolvers` entries for version (1, 2), verbatim (verbose patterns)
_BOOL = re.compile("""^(?:true|True|TRUE|false|False|FALSE)$""", re.X)
_FLOAT = re.compile(
    """^(?:
         [-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\\.(?:inf|Inf|INF)
        |\\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT = re.compile(
    """^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_MERGE = re.compile("^(?:<<)$")
_NULL = re.compile(
    """^(?: ~
        |null|Null|NULL
        | )$""",
    re.X,
)
_TIMESTAMP = re.compile(
    """^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \\t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?
        (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
    re.X,
)
_VALUE = re.compile("^(?:=)$")
_BOOL_TAG, _FLOAT_TAG, _INT_TAG, _NULL_TAG, _DECLINED_TAG = "bool", "float", "int", "null", "declined"
# the resolvers ruamel tries for a plain scalar, by its first character ('' for the empty scalar), in order
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _firsts in (
    (_BOOL_TAG, _BOOL, "tTfF"),
    (_FLOAT_TAG, _FLOAT, "-+0123456789."),
    (_INT_TAG, _INT, "-+0123456789"),
    (_DECLINED_TAG, _MERGE, "<"),
    (_NULL_TAG, _NULL, ["~", "n", "N", ""]),
    (_DECLINED_TAG, _TIMESTAMP, "0123456789"),
    (_DECLINED_TAG, _VALUE, "="),
):
    for _first in _firsts:
        _RESOLVERS.setdefault(_first, []).append((_tag, _pattern))


class Unsupported(Exception):
    """The text is one this parse does not promise to read as ruamel does: parse it with ruamel."""


class LineCol:
    """ruamel.yaml.comments.LineCol's reading side: positions count from 0; `data` stays None until the
    first entry, as ruamel's does (an empty collection answers `key()` with None)."""

    def __init__(self) -> None:
        self.line: int | None = None
        self.col: int | None = None
        self.data: dict[Any, list[int]] | None = None

    def add_kv_line_col(self, key: Any, data: list[int]) -> None:
        if self.data is None:
            self.data = {}
        self.data[key] = data

    add_idx_line_col = add_kv_line_col

    def key(self, k: Any) -> tuple[int, int] | None:
        if self.data is None:
            return None
        data = self.data[k]
        return data[0], data[1]

    def value(self, k: Any) -> tuple[int, int] | None:
        if self.data is None:
            return None
        data = self.data[k]
        return data[2], data[3]

    def item(self, idx: int) -> tuple[int, int] | None:
        if self.data is None:
            return None
        data = self.data[idx]
        return data[0], data[1]


class LinedMap(dict[Any, Any]):
    """A mapping that knows where its keys and values were written (ruamel's CommentedMap, without comments)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lc = LineCol()


class LinedSeq(list[Any]):
    """A sequence that knows where its items were written (ruamel's CommentedSeq, without comments)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lc = LineCol()


def plain_scalar(text: str) -> Any:
    """A plain scalar's value as ruamel's rt constructor makes it (as plain int/float/bool/None/str)."""
    for tag, pattern in _RESOLVERS.get(text[:1], ()):
        if pattern.match(text):
            return _construct(tag, text)
    return text


def _construct(tag: str, text: str) -> Any:
    if tag == _BOOL_TAG:
        return text in ("true", "True", "TRUE")
    if tag == _NULL_TAG:
        return None
    if tag == _INT_TAG:
        return _int(text)
    if tag == _FLOAT_TAG:
        return _float(text)
    raise Unsupported(f"plain scalar {text!r}")


def _int(text: str) -> int:
    """RoundTripConstructor.construct_yaml_int for YAML 1.2: a leading 0 without `o` is decimal."""
    digits = text.replace("_", "")
    sign = -1 if digits[0] == "-" else 1
    if digits[0] in "+-":
        digits = digits[1:]
    base = {"0b": 2, "0x": 16, "0o": 8}.get(digits[:2])
    if base is not None and len(digits) < 3:
        raise Unsupported(f"integer {text!r}")  # ruamel fails on it (an IndexError): let it
    try:
        return sign * int(digits if base is None else digits[2:], base or 10)
    except ValueError:
        raise Unsupported(f"integer {text!r}") from None


def _float(text: str) -> float:
    """RoundTripConstructor.construct_yaml_float for YAML 1.2."""
    digits = text.replace("_", "").lower()
    sign = -1 if digits[0] == "-" else 1
    if digits[0] in "+-":
        digits = digits[1:]
    if digits == ".inf":
        return sign * float("inf")
    if digits == ".nan":
        return float("nan")
    try:
        return sign * float(digits)
    except ValueError:
        raise Unsupported(f"float {text!r}") from None


class _Open:
    """A collection being composed: the container, and for a mapping the key waiting for its value."""

    __slots__ = ("anchor", "container", "key", "key_where")

    def __init__(self, container: LinedMap | LinedSeq, anchor: str | None) -> None:
        self.container = container
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_where: tuple[int, int] = (0, 0)


_NO_KEY = object()


def parse(text: str, *, location: str) -> Any:
    """The document's tree; raises `Unsupported` (parse with ruamel instead) or the depth-limit UsageError
    that `check_yaml_depth` raises at the same event, and before ruamel would say anything."""
    if not AVAILABLE:
        raise Unsupported("PyYAML has no libyaml")
    if _DECLINED_CHARACTERS.search(text):
        raise Unsupported("tab, carriage return or a YAML 1.1 line break")
    from yaml.cyaml import CParser  # type: ignore[attr-defined]  # (libyaml's; typeshed omits it)

    parser = CParser(text)
    try:
        return _compose(parser, location)
    except yaml.YAMLError:
        raise Unsupported("invalid YAML") from None
    finally:
        parser.dispose()


def _compose(parser: Any, location: str) -> Any:
    parser.get_event()  # StreamStartEvent
    event = parser.get_event()
    if isinstance(event, yaml.StreamEndEvent):
        return None
    if event.version is not None or event.tags:
        raise Unsupported("directives")
    root = _node(parser, location)
    parser.get_event()  # DocumentEndEvent
    if not isinstance(parser.get_event(), yaml.StreamEndEvent):
        raise Unsupported("more than one document")
    return root


def _node(parser: Any, location: str) -> Any:
    """One node's tree, composed iteratively (a deep document must not exhaust Python's recursion)."""
    anchors: dict[str, Any] = {}
    unfinished: set[str] = set()
    stack: list[_Open] = []
    while True:
        event = parser.get_event()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.tag is not None or event.anchor is not None:
                raise Unsupported("tagged or anchored scalar")
            if event.style == "" and event.value == "":
                # an empty node (`key:`): libyaml and ruamel place it differently (ruamel: at the next token)
                raise Unsupported("empty node")
            value: Any = plain_scalar(event.value) if event.style == "" else event.value
            where = (event.start_mark.line, event.start_mark.column)
        elif kind is yaml.AliasEvent:
            if event.anchor not in anchors or event.anchor in unfinished:
                raise Unsupported("alias to an unknown or unfinished node")
            value = anchors[event.anchor]
            # ruamel's composer answers an alias with the anchored node itself, and so with its position
            where = (value.lc.line, value.lc.col)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.tag is not None:
                raise Unsupported("tagged collection")
            if len(stack) >= MAX_DEPTH:
                raise depth_error(event.start_mark.line, location)
            container = LinedMap() if kind is yaml.MappingStartEvent else LinedSeq()
            container.lc.line, container.lc.col = event.start_mark.line, event.start_mark.column
            if event.anchor is not None:
                anchors[event.anchor] = container
                unfinished.add(event.anchor)
            stack.append(_Open(container, event.anchor))
            continue
        else:  # MappingEndEvent, SequenceEndEvent
            closed = stack.pop()
            if closed.anchor is not None:
                unfinished.discard(closed.anchor)
            value = closed.container
            where = (value.lc.line, value.lc.col)
        if not stack:
            return value
        _attach(stack[-1], value, where)


def _attach(parent: _Open, value: Any, where: tuple[int, int]) -> None:
    container = parent.container
    if isinstance(container, LinedSeq):
        container.lc.add_idx_line_col(len(container), list(where))
        container.append(value)
    elif parent.key is _NO_KEY:
        if isinstance(value, LinedMap | LinedSeq):
            raise Unsupported("a collection as a mapping key")
        parent.key, parent.key_where = value, where
    else:
        key = parent.key
        parent.key = _NO_KEY
        if key in container:
            raise Unsupported("duplicate key")
        container.lc.add_kv_line_col(key, [*parent.key_where, *where])
        container[key] = value
