"""The style go-yaml v2's libyaml-style emitter picks for a string, and the string written in that style
with libyaml's 80-column folding."""

from __future__ import annotations

import re
from typing import NamedTuple

from rosgit.errors import UsageError
from rosgit.kustomize.yamlio.gonumbers import BASE60_RE
from rosgit.kustomize.yamlio.scalars import v2_resolves_non_string

BEST_WIDTH = 80


def _is_printable(ch: str) -> bool:
    code = ord(ch)
    if code < 0x80:
        return code == 0x0A or 0x20 <= code <= 0x7E
    if code < 0xA0:
        return False
    if code <= 0xD7FF:
        return True
    if 0xE000 <= code <= 0xFFFD:
        return code != 0xFEFF
    return False


BREAKS = frozenset("\r\n\x85\u2028\u2029")
_FLOW_INDICATORS_FIRST = frozenset("#,[]{}&*!|>'\"%@`")


class _Analysis(NamedTuple):
    """What libyaml's scalar analysis allows for a string."""

    block_plain: bool
    single_allowed: bool
    block_allowed: bool
    multiline: bool


_WHITESPACE = frozenset(" \t") | BREAKS


def _has_indicators(value: str) -> bool:
    """Whether the string holds an indicator that rules out the plain style (`value` is not empty)."""
    if value.startswith(("---", "...")):
        # Unlike a YAML reader, the emitter treats any leading "---"/"..." as an indicator.
        return True
    first = value[0]
    if first in _FLOW_INDICATORS_FIRST:
        return True
    if first in "?:-" and (len(value) == 1 or value[1] in _WHITESPACE):
        return True
    last = len(value) - 1
    for i in range(1, len(value)):
        ch = value[i]
        if ch == ":" and (i == last or value[i + 1] in _WHITESPACE):
            return True
        if ch == "#" and value[i - 1] in _WHITESPACE:
            return True
    return False


def _analyze(value: str) -> _Analysis:
    if not value:
        return _Analysis(True, True, False, False)
    special = not all(map(_is_printable, value))
    line_breaks = any(ch in BREAKS for ch in value)
    break_space = line_breaks and any(ch + " " in value for ch in BREAKS)
    space_break = line_breaks and any(" " + ch in value for ch in BREAKS)
    edge_whitespace = value[0] == " " or value[0] in BREAKS or value[-1] == " " or value[-1] in BREAKS
    block_plain = not (edge_whitespace or special or line_breaks or _has_indicators(value))
    single_allowed = not (break_space or space_break or special)
    block_allowed = not (value[-1] == " " or space_break or special)
    return _Analysis(block_plain, single_allowed, block_allowed, line_breaks)


PLAIN, SINGLE, DOUBLE, LITERAL = 0, 1, 2, 3
_JSON_RAW_FORBIDDEN = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_STYLE_CACHE: dict[str, tuple[int, int, bool]] = {}


def styles(value: str) -> tuple[int, int, bool]:
    """(style as a map value / sequence item, style as a simple key, usable as a simple key)."""
    cached = _STYLE_CACHE.get(value)
    if cached is not None:
        return cached
    if _JSON_RAW_FORBIDDEN.search(value):
        # JSON leaves these raw, and go-yaml's reader then refuses the JSON text.
        raise UsageError(f"yaml: control characters are not allowed (in {value[:40]!r})")
    info = _analyze(value)
    can_plain = bool(value) and not v2_resolves_non_string(value) and not BASE60_RE.fullmatch(value)
    if "\n" in value:
        value_style = LITERAL if info.block_allowed else DOUBLE
        key_style = DOUBLE
    elif can_plain:
        if info.block_plain:
            value_style = key_style = PLAIN
        elif info.single_allowed:
            value_style = key_style = SINGLE
        else:
            value_style = key_style = DOUBLE
    else:
        value_style = key_style = DOUBLE
    simple = not info.multiline and len(value.encode("utf-8", "surrogatepass")) <= 128
    result = (value_style, key_style, simple)
    if len(_STYLE_CACHE) < 200_000:
        _STYLE_CACHE[value] = result
    return result


_DOUBLE_ESCAPES = {
    "\x00": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f",
    "\r": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P",
}  # fmt: skip


def _double_escape(ch: str, force: bool = False) -> str | None:
    if not force and _is_printable(ch) and ch not in BREAKS and ch not in '"\\' and ch != "\ufeff":
        return None
    short = _DOUBLE_ESCAPES.get(ch)
    if short is not None:
        return "\\" + short
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def write_plain(value: str, column: int, indent: int, allow_breaks: bool) -> str:
    """Plain scalar text starting after a separating space at `column`, folding like libyaml."""
    if not allow_breaks or column + len(value) <= BEST_WIDTH + 1:
        return value
    out: list[str] = []
    spaces = False
    length = len(value)
    pad = "\n" + " " * indent
    for i, ch in enumerate(value):
        if ch == " ":
            nxt = value[i + 1] if i + 1 < length else ""
            if not spaces and column > BEST_WIDTH and nxt != " ":
                out.append(pad)
                column = indent
            else:
                out.append(ch)
                column += 1
            spaces = True
        else:
            out.append(ch)
            column += 1
            spaces = False
    return "".join(out)


def write_single(value: str, column: int, indent: int, allow_breaks: bool) -> str:
    """Single-quoted text (quotes included); `column` is where the opening quote goes."""
    out: list[str] = ["'"]
    column += 1
    spaces = breaks = False
    length = len(value)
    pad = "\n" + " " * indent
    for i, ch in enumerate(value):
        if ch == " ":
            nxt = value[i + 1] if i + 1 < length else ""
            if allow_breaks and not spaces and column > BEST_WIDTH and 0 < i < length - 1 and nxt != " ":
                out.append(pad)
                column = indent
            else:
                out.append(ch)
                column += 1
            spaces = True
        elif ch in BREAKS:
            if not breaks and ch == "\n":
                out.append("\n")
            out.append(ch if ch != "\n" else "\n")
            column = 0
            breaks = True
        else:
            if breaks:
                out.append(" " * indent)
                column = indent
            if ch == "'":
                out.append("'")
                column += 1
            out.append(ch)
            column += 1
            spaces = breaks = False
    out.append("'")
    return "".join(out)


def write_double(value: str, column: int, indent: int, allow_breaks: bool) -> str:
    """Double-quoted text (quotes included); `column` is where the opening quote goes."""
    if value.startswith("\ufeff"):
        # go-yaml's byte-order-mark test looks at the start of the string, not at the current
        # character, so a string starting with U+FEFF gets every character escaped.
        return '"' + "".join(_double_escape(ch, force=True) or ch for ch in value) + '"'
    out: list[str] = ['"']
    column += 1
    spaces = False
    length = len(value)
    pad = "\n" + " " * indent
    for i, ch in enumerate(value):
        escaped = _double_escape(ch)
        if escaped is not None:
            out.append(escaped)
            column += len(escaped)
            spaces = False
        elif ch == " ":
            if allow_breaks and not spaces and column > BEST_WIDTH and 0 < i < length - 1:
                out.append(pad)
                column = indent
                if value[i + 1] == " ":
                    out.append("\\")
                    column += 1
            else:
                out.append(ch)
                column += 1
            spaces = True
        else:
            out.append(ch)
            column += 1
            spaces = False
    out.append('"')
    return "".join(out)


def write_literal(value: str, indent: int) -> str:
    """Literal block text starting with '|' (hints included), ending without the final line break."""
    head = "|"
    if value[0] == " " or value[0] in BREAKS:
        head += "2"
    last = value[-1]
    if last not in BREAKS:
        head += "-"
    elif len(value) == 1 or value[-2] in BREAKS:
        head += "+"
    pad = " " * indent
    if not any(ch in value for ch in "\r\x85\u2028\u2029"):
        lines = value.split("\n")
        body = "\n".join(pad + line if line else "" for line in lines)
        if value.endswith("\n"):
            body = body[:-1]
        return head + "\n" + body
    out: list[str] = [head, "\n"]
    breaks = True
    for ch in value:
        if ch in BREAKS:
            out.append(ch)
            breaks = True
        else:
            if breaks:
                out.append(pad)
                breaks = False
            out.append(ch)
    text = "".join(out)
    return text[:-1] if text.endswith("\n") else text
