"""Go's strconv number parsing, with the patterns go-yaml uses to decide that a plain scalar is a number."""

from __future__ import annotations

import math
import re

INT64_MIN = -(1 << 63)
UINT64_LIMIT = 1 << 64

_GO_DEC = r"[0-9](?:_?[0-9])*"
_GO_INT_RE = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
YAML_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
DOT_FLOAT_RE = re.compile(r"\." + _GO_DEC + r"(?:[eE][-+]?" + _GO_DEC + ")?")
BASE60_RE = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")


def go_parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), falling back to ParseUint; None when both fail."""
    if not _GO_INT_RE.fullmatch(text):
        return None
    sign = 1
    body = text
    if body[0] in "+-":
        if body[0] == "-":
            sign = -1
        body = body[1:]
    lowered = body[:2].lower()
    if lowered == "0x":
        value = int(body[2:], 16)
    elif lowered == "0o":
        value = int(body[2:], 8)
    elif lowered == "0b":
        value = int(body[2:], 2)
    elif len(body) > 1 and body[0] == "0":
        value = int(body[1:], 8)
    else:
        value = int(body)
    value *= sign
    if INT64_MIN <= value < UINT64_LIMIT and not (text[0] == "+" and value >= 1 << 63):
        # ParseUint rejects a sign, so "+" beyond int64 fails like "-" does.
        return value
    return None


def go_parse_yaml_float(text: str) -> float | None:
    """A float per go-yaml's float pattern, or None (including overflow, which Go reports as an error)."""
    if not YAML_FLOAT_RE.fullmatch(text):
        return None
    value = float(text)
    if math.isinf(value):
        return None
    return value
