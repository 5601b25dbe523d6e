"""Plain scalars: the value go-yaml v3 (kyaml, for resources) and go-yaml v2 (sigs.k8s.io/yaml, for
kustomization files) give an untagged plain scalar, normalised by kustomize's JSON round trip, and the
text go-yaml v2 prints for a non-string scalar."""

from __future__ import annotations

import math
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize.gojson import NotJSON, format_go_float, go_scalar_text
from rosgit.kustomize.yamlio.gonumbers import (
    DOT_FLOAT_RE,
    INT64_MIN,
    UINT64_LIMIT,
    YAML_FLOAT_RE,
    go_parse_int,
    go_parse_yaml_float,
)
from rosgit.kustomize.yamlio.timestamps import parse_timestamp

# NaN and the infinities, spelled alike in YAML 1.1 and 1.2; JSON cannot carry them.
_SPECIAL_FLOATS = frozenset(
    (".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF")
)


def json_number(value: int | float) -> int | float:
    """What a number becomes after Go's JSON encoding and go-yaml v2's re-parse."""
    if isinstance(value, int):
        if INT64_MIN <= value < UINT64_LIMIT:
            return value
        value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise NotJSON(str(value))
    if value.is_integer() and abs(value) < 1e21:
        # JSON prints the shortest round-trip digits padded with zeros, not the exact binary value.
        whole = int(format_go_float(value, "f"))
        if INT64_MIN <= whole < UINT64_LIMIT:
            return whole
        # JSON prints all digits; the re-parse only fits a float64 again.
        return float(format_go_float(value, "f"))
    return value


# go-yaml v3 (kyaml)

_V3_SPECIAL: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}


_V3_CACHE: dict[str, Any] = {}


def resolve_v3(text: str) -> Any:
    """The JSON-normalised value go-yaml v3 gives an untagged plain scalar."""
    try:
        return _V3_CACHE[text]
    except KeyError:
        pass
    value: Any = text
    if text in _V3_SPECIAL:
        value = _V3_SPECIAL[text]
    elif text in _SPECIAL_FLOATS:
        raise NotJSON(text)
    elif text and text[0] in "+-0123456789":
        stamp = parse_timestamp(text) if text[0].isdigit() else None
        if stamp is not None:
            value = stamp
        else:
            plain = text.replace("_", "")
            number: int | float | None = go_parse_int(plain) if plain else None
            if number is None and plain:
                number = go_parse_yaml_float(plain)
            if number is not None:
                value = json_number(number)
    elif text and text[0] == "." and DOT_FLOAT_RE.fullmatch(text):
        parsed = float(text.replace("_", ""))
        if not math.isinf(parsed):
            value = json_number(parsed)
    if len(_V3_CACHE) < 200_000:
        _V3_CACHE[text] = value
    return value


def kyaml_plain_is_string(text: str) -> bool:
    """Whether kyaml reads `text`, written as a plain (unquoted) scalar, back as a string.

    kustomize writes keys it creates (label and annotation keys from a kustomization, generator
    data keys) as plain scalars; a key like "9" or "true" then reads back as a number or a bool
    and `kustomize build` fails with "json: unsupported type: map[interface {}]interface {}".
    """
    try:
        value = resolve_v3(text)
    except NotJSON:
        return False
    return value == text and isinstance(value, str)


# go-yaml v2 (YAML 1.1)

_V2_BOOLS = {
    "y": True, "Y": True, "yes": True, "Yes": True, "YES": True,
    "on": True, "On": True, "ON": True, "true": True, "True": True, "TRUE": True,
    "n": False, "N": False, "no": False, "No": False, "NO": False,
    "off": False, "Off": False, "OFF": False, "false": False, "False": False, "FALSE": False,
}  # fmt: skip
V2_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


def resolve_v2(text: str) -> Any:
    """go-yaml v2's value for an untagged plain scalar (timestamps stay strings in v2's generic decode)."""
    if text in V2_NULLS:
        return None
    if text in _V2_BOOLS:
        return _V2_BOOLS[text]
    if text in _SPECIAL_FLOATS:
        raise NotJSON(text)
    first = text[0]
    if first == ".":
        if DOT_FLOAT_RE.fullmatch(text):
            parsed = float(text.replace("_", ""))
            if not math.isinf(parsed):
                return json_number(parsed)
        return text
    if first in "+-0123456789":
        plain = text.replace("_", "")
        number: int | float | None = go_parse_int(plain) if plain else None
        if number is None and plain:
            number = go_parse_yaml_float(plain)
        if number is None and plain.startswith("0b"):
            number = go_parse_int(plain)
        if number is not None:
            return json_number(number)
    return text


def v2_resolves_non_string(text: str) -> bool:
    """True when go-yaml v2 would read `text` as plain YAML into something other than a string."""
    if text in V2_NULLS or text in _V2_BOOLS or text in _SPECIAL_FLOATS:
        return True
    first = text[0]
    if first == ".":
        return DOT_FLOAT_RE.fullmatch(text) is not None
    if first in "+-0123456789":
        try:
            if first.isdigit() and parse_timestamp(text) is not None:
                return True
        except NotJSON:
            return True
        plain = text.replace("_", "")
        if not plain:
            return False
        if go_parse_int(plain) is not None:
            return True
        if YAML_FLOAT_RE.fullmatch(plain):
            return not math.isinf(float(plain))
        return False
    return False


def _float_text(value: float) -> str:
    if math.isnan(value):
        raise UsageError("json: unsupported value: NaN")
    if math.isinf(value):
        raise UsageError("json: unsupported value: " + ("+Inf" if value > 0 else "-Inf"))
    normalised = json_number(value)
    if isinstance(normalised, int):
        return str(normalised)
    return format_go_float(normalised)


def scalar_text(value: Any) -> str | None:
    """Text of a non-string scalar as printed after the JSON round trip, or None for strings and containers."""
    if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value < UINT64_LIMIT:
        return format_go_float(float(value))
    return go_scalar_text(value, _float_text)
