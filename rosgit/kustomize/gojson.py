"""Go's text for scalars: strconv.FormatFloat and encoding/json, as kustomize prints and hashes them.

Both the YAML layer (float text, JSON round trips) and the name-suffix hash need these, so they
live here, below both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from rosgit.errors import UsageError

__all__ = [
    "NotJSON",
    "format_go_float",
    "go_json",
    "go_json_float",
    "go_json_string",
    "go_scalar_text",
    "json_scalar_text",
]


class NotJSON(Exception):
    """A value Go's encoding/json refuses to write (NaN, infinities, an unprintable time zone)."""


def _shortest_digits(value: float) -> tuple[str, int]:
    """(digits, decimal point position) of the shortest round-trip representation of |value|."""
    if value == 0:
        return "0", 1
    # repr gives the shortest round-trip digits, as "123.45" or "1.2345e+20".
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    significant = digits.lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(digits) - len(significant))
    return significant.rstrip("0"), point


def format_go_float(value: float, fmt: str = "g") -> str:
    """strconv.FormatFloat(value, fmt, -1, 64) for fmt in 'g', 'e', 'f'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    digits, point = _shortest_digits(value)
    if fmt == "g":
        # Shortest formatting decides with precision 6, like %g.
        exp = point - 1
        fmt = "e" if exp < -4 or exp >= 6 else "f"
    if fmt == "e":
        exp = point - 1 if digits != "0" else 0
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exp_sign = "-" if exp < 0 else "+"
        return f"{sign}{mantissa}e{exp_sign}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def go_scalar_text(value: Any, float_text: Callable[[float], str]) -> str | None:
    """Go's text of null, a bool, an int or a float (`float_text` writes floats); None for anything else."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_text(value)
    return None


_HEX = "0123456789abcdef"
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escape_char(ch: str) -> str:
    short = _SHORT_ESCAPES.get(ch)
    if short is not None:
        return short
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        # Go replaces invalid UTF-8 with U+FFFD before hashing; a lone surrogate is the Python analogue.
        return "\ufffd"
    return "\\u" + "".join(_HEX[(code >> shift) & 0xF] for shift in (12, 8, 4, 0))


def _needs_escape(ch: str) -> bool:
    return ch < " " or ch in '"\\<>&\u2028\u2029' or "\ud800" <= ch <= "\udfff"


_ESCAPE_CACHE: dict[str, str] = {}


def go_json_string(text: str) -> str:
    """`text` as Go's encoding/json writes it (HTML-safe escaping, raw non-ASCII)."""
    cached = _ESCAPE_CACHE.get(text)
    if cached is not None:
        return cached
    if any(_needs_escape(ch) for ch in text):
        body = "".join(_escape_char(ch) if _needs_escape(ch) else ch for ch in text)
    else:
        body = text
    result = '"' + body + '"'
    if len(_ESCAPE_CACHE) < 100_000:
        _ESCAPE_CACHE[text] = result
    return result


def go_json_float(value: float) -> str:
    """A float64 as Go's encoding/json prints it (shortest digits, exponent only outside [1e-6, 1e21))."""
    if math.isnan(value) or math.isinf(value):
        raise UsageError(f"json: unsupported value: {value}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = format_go_float(value, "e")
        # Go trims the exponent's leading zero ("e-07" becomes "e-7").
        mantissa, _, exponent = text.partition("e")
        sign = exponent[0]
        digits = exponent[1:].lstrip("0") or "0"
        return f"{mantissa}e{sign}{digits}"
    return format_go_float(value, "f")


def go_json(value: Any) -> str:
    """Compact JSON exactly as Go's json.Marshal encodes generic data (map keys sorted)."""
    if isinstance(value, str):
        return go_json_string(value)
    scalar = go_scalar_text(value, go_json_float)
    if scalar is not None:
        return scalar
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(go_json_string(k) + ":" + go_json(v) for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    raise UsageError(f"json: unsupported type: {type(value).__name__}")


def json_scalar_text(value: Any) -> str:
    """A value as it reads back into a Go string after a JSON round trip: strings as they are,
    other scalars as their JSON text, containers as ''. kustomize treats annotations this way."""
    if isinstance(value, str):
        return value
    return go_scalar_text(value, go_json_float) or ""
