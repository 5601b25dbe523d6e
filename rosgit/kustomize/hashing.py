"""kustomize's content-hash name suffix for ConfigMaps and Secrets.

The hashed JSON deliberately mirrors a quirk of kustomize: the name is always the empty string
(its lookup never finds a value), so the suffix depends only on kind, type and data.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from rosgit.errors import UsageError

# Go's hex digest letters that kustomize swaps for ones that cannot spell words or look like digits.
_LETTER_SWAP = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})

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
    from rosgit.kustomize.yamlio import format_go_float

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
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_json_float(value)
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(go_json_string(k) + ":" + go_json(v) for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    raise UsageError(f"json: unsupported type: {type(value).__name__}")


def _encode(obj: dict[str, Any]) -> str:
    kind = obj.get("kind")
    fields: dict[str, Any] = {"kind": kind, "name": "", "data": obj.get("data", "")}
    if kind == "Secret":
        fields["type"] = obj.get("type", "")
        extra = "stringData"
    else:
        extra = "binaryData"
    extra_value = obj.get(extra)
    if isinstance(extra_value, dict):
        fields[extra] = extra_value
    return go_json(fields)


def name_suffix_hash(obj: dict[str, Any]) -> str:
    """The 10-character suffix kustomize appends (after a dash) to a hashed ConfigMap or Secret name."""
    kind = obj.get("kind")
    if kind not in ("ConfigMap", "Secret"):
        raise UsageError(f"cannot compute a name hash for kind {kind!r}")
    digest = hashlib.sha256(_encode(obj).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:10].translate(_LETTER_SWAP)
