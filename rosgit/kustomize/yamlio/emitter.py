"""go-yaml v2's block emitter, as sigs.k8s.io/yaml's JSONToYAML drives it: natural key order,
indentless sequences, YAML 1.1 quoting, 80-column folding."""

from __future__ import annotations

import re
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize.gojson import go_json_string
from rosgit.kustomize.yamlio.keyorder import ordered_keys
from rosgit.kustomize.yamlio.scalars import scalar_text
from rosgit.kustomize.yamlio.style import (
    BEST_WIDTH,
    BREAKS,
    DOUBLE,
    PLAIN,
    SINGLE,
    styles,
    write_double,
    write_literal,
    write_plain,
    write_single,
)

_UNFOLDED: dict[str, str] = {}


def _unfolded(value: str) -> str:
    """' ' + the value's text when nothing folds; '' for literal blocks (their layout needs the indent)."""
    style = styles(value)[0]
    if style == PLAIN:
        text = " " + value
    elif style == DOUBLE:
        text = " " + write_double(value, 0, 0, False)
    elif style == SINGLE and not any(ch in value for ch in BREAKS):
        text = " " + write_single(value, 0, 0, False)
    else:
        # Literal blocks and quoted line separators are laid out relative to the indent.
        text = ""
    if len(_UNFOLDED) < 200_000:
        _UNFOLDED[value] = text
    return text


_NEL_RUN = re.compile("[ ]*\x85[ \x85]*")


def _refold_next_line(value: str) -> str:
    """The string after its trip through JSON text re-read by go-yaml v2.

    JSON leaves U+0085 (NEL) raw, and YAML 1.1 reads it as a line break inside the double-quoted
    JSON string, so it is folded: one break becomes a space, n consecutive breaks become n-1
    newlines, and spaces around the breaks disappear.
    """

    def fold(match: re.Match[str]) -> str:
        breaks = match.group().count("\x85")
        return " " if breaks == 1 else "\n" * (breaks - 1)

    folded = _NEL_RUN.sub(fold, value)
    for line in re.split("\x85", value)[1:]:
        stripped = line.lstrip(" ")
        if line == stripped and line[:3] in ("---", "...") and line[3:4] in (" ", "\x85"):
            raise UsageError("yaml: found unexpected document indicator (a string holds U+0085 before ---)")
    return folded


def _value_scalar(value: Any, column: int, indent: int) -> str:
    """' ' + the scalar as a block value; `column` is right after the ':' or '-' indicator."""
    if type(value) is str:
        short = _UNFOLDED.get(value)
        if short is None:
            if "\x85" in value:
                return _value_scalar(_refold_next_line(value), column, indent)
            short = _unfolded(value)
        # Folding only happens at a space past column 80, so short enough text never folds.
        if short and column + len(short) <= BEST_WIDTH + 1:
            return short
        style = styles(value)[0]
        if style == PLAIN:
            return " " + write_plain(value, column + 1, indent, True)
        if style == DOUBLE:
            return " " + write_double(value, column + 1, indent, True)
        if style == SINGLE:
            return " " + write_single(value, column + 1, indent, True)
        return " " + write_literal(value, indent)
    if isinstance(value, str):
        return _value_scalar(str(value), column, indent)
    text = scalar_text(value)
    if text is None:
        raise UsageError(f"cannot print a value of type {type(value).__name__}")
    return " " + text


def _key_text(key: str) -> str | None:
    """The key as a simple (inline) key, or None when it needs the '? ' long form."""
    if "\x85" in key:
        # In the JSON text go-yaml re-reads, a NEL turns the key into an illegal multi-line key.
        raise UsageError(f"yaml: did not find expected ',' or '}}' (key {key!r} holds U+0085)")
    # JSON escapes take at most 6 characters each, so only a long key can pass the limit.
    if len(key) > 170 and len(go_json_string(key)) > 1024:
        # YAML allows at most 1024 characters from a simple key to its ':' in the JSON text.
        raise UsageError(f"yaml: did not find expected ',' or '}}' (key of {len(key)} characters)")
    _, key_style, simple = styles(key)
    if not simple:
        return None
    if key_style == PLAIN:
        return key
    if key_style == SINGLE:
        return write_single(key, 0, 0, False)
    return write_double(key, 0, 0, False)


_KEY_COLON: dict[str, str | None] = {}


def _key_colon(key: str) -> str | None:
    """'key:' as written inline, or None when the key needs the '? ' long form."""
    text = _key_text(key)
    result = None if text is None else text + ":"
    if len(_KEY_COLON) < 100_000:
        _KEY_COLON[key] = result
    return result


def _emit_mapping(mapping: dict[str, Any], indent: int, lead: str, out: list[str]) -> None:
    """Block mapping with keys at `indent`; `lead` starts the first line (indentation or '- ')."""
    # The common cases (short strings, numbers, nested containers) are inlined: this loop runs
    # for every key of every object and dominates printing time.
    pad = " " * indent
    inner = indent + 2
    start = lead
    width_left = BEST_WIDTH + 1 - indent
    for key in ordered_keys(mapping):
        value = mapping[key]
        head = _KEY_COLON.get(key)
        if head is None:
            head = _key_colon(key) if key not in _KEY_COLON else None
            if head is None:
                _emit_long_key(key, value, indent, start, out)
                start = pad
                continue
        kind = type(value)
        if kind is str:
            short = _UNFOLDED.get(value)
            if short and len(head) + len(short) <= width_left:
                out.append(start + head + short + "\n")
            else:
                out.append(start + head + _value_scalar(value, indent + len(head), inner) + "\n")
        elif kind is dict:
            if value:
                out.append(start + head + "\n")
                _emit_mapping(value, inner, " " * inner, out)
            else:
                out.append(start + head + " {}\n")
        elif kind is list:
            if value:
                out.append(start + head + "\n")
                _emit_sequence(value, indent, pad, out)
            else:
                out.append(start + head + " []\n")
        elif kind is int or kind is bool:
            out.append(start + head + " " + scalar_text(value) + "\n")  # type: ignore[operator]
        elif isinstance(value, dict):
            _emit_mapping({key: dict(value)}, indent, start, out)
        elif isinstance(value, list | tuple):
            _emit_mapping({key: list(value)}, indent, start, out)
        else:
            out.append(start + head + _value_scalar(value, indent + len(head), inner) + "\n")
        start = pad


def _emit_long_key(key: str, value: Any, indent: int, start: str, out: list[str]) -> None:
    """A key too long or multi-line for the inline form: '? key' then ': value'."""
    pad = " " * indent
    inner = indent + 2
    out.append(start + "?" + _value_scalar(key, indent + 1, inner) + "\n")
    if isinstance(value, dict) and value:
        _emit_mapping(value, inner, pad + ": ", out)
    elif isinstance(value, list) and value:
        _emit_sequence(value, inner, pad + ": ", out)
    elif isinstance(value, dict):
        out.append(pad + ": {}\n")
    elif isinstance(value, list):
        out.append(pad + ": []\n")
    else:
        out.append(pad + ":" + _value_scalar(value, indent + 1, inner) + "\n")


def _emit_sequence(items: list[Any], indent: int, lead: str, out: list[str]) -> None:
    """Block sequence with dashes at `indent`; `lead` starts the first line."""
    pad = " " * indent
    inner = indent + 2
    start = lead + "-"
    width_left = BEST_WIDTH - indent
    for item in items:
        kind = type(item)
        if kind is str:
            short = _UNFOLDED.get(item)
            if short and len(short) <= width_left:
                out.append(start + short + "\n")
            else:
                out.append(start + _value_scalar(item, indent + 1, inner) + "\n")
        elif kind is dict:
            if item:
                _emit_mapping(item, inner, start + " ", out)
            else:
                out.append(start + " {}\n")
        elif kind is list:
            if item:
                _emit_sequence(item, inner, start + " ", out)
            else:
                out.append(start + " []\n")
        elif isinstance(item, dict):
            _emit_sequence([dict(item)], indent, start[:-1], out)
        elif isinstance(item, list | tuple):
            _emit_sequence([list(item)], indent, start[:-1], out)
        else:
            out.append(start + _value_scalar(item, indent + 1, inner) + "\n")
        start = pad + "-"


def dump_document(obj: dict[str, Any]) -> str:
    """One object as `kustomize build` prints it (ends with a newline)."""
    if not obj:
        return "{}\n"
    out: list[str] = []
    _emit_mapping(obj, 0, "", out)
    return "".join(out)


def dump_documents(objs: list[dict[str, Any]]) -> str:
    """The objects, in this order, exactly as `kustomize build` prints them."""
    return "---\n".join(dump_document(obj) for obj in objs)
