"""The builtin validator: python-jsonschema on the very schema files kubeconform reads.

Messages are worded like kubeconform's (its JSON-schema library's English messages) for the common
failures, so the two validators print the same line for an unknown field, a missing field or a wrong type.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import referencing.exceptions
from jsonschema.exceptions import ValidationError

from rosgit.validate.report import FieldError

# kubeconform's library lists wanted types in this order, whatever order the schema gives.
_TYPE_ORDER = ("null", "boolean", "number", "integer", "string", "array", "object")


@functools.cache
def _validator(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        schema = json.load(handle)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)


_BROKEN_SCHEMA = (
    OSError,
    ValueError,  # includes unreadable JSON
    TypeError,
    KeyError,
    re.error,
    jsonschema.SchemaError,
    jsonschema.exceptions.UnknownType,
    referencing.exceptions.Unresolvable,
)


class SchemaLoadError(Exception):
    """The schema file is not a usable JSON schema (kubeconform then reports it as missing)."""


def validate_object(obj: Any, schema_path: Path) -> list[FieldError]:
    """Every violation of `obj` against the schema file, sorted by field path; empty when valid."""
    try:
        errors = [FieldError(path=pointer(error.absolute_path), message=describe(error))
                  for error in _validator(schema_path).iter_errors(obj)]
    # Checking every schema up front costs seconds on the Argo CD schemas; a broken one fails here instead.
    except _BROKEN_SCHEMA as err:
        raise SchemaLoadError(str(err).splitlines()[0] if str(err) else type(err).__name__) from err
    return sorted(set(errors), key=lambda e: (e.path, e.message))


def pointer(parts: Any) -> str:
    """A JSON pointer (RFC 6901) for an instance path."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def quote(text: str) -> str:
    """Single-quoted with Go-style escapes, as kubeconform's messages quote names and values."""
    inner = json.dumps(text, ensure_ascii=False)[1:-1].replace('\\"', '"').replace("'", "\\'")
    return f"'{inner}'"


def _display(value: Any) -> str:
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list | dict):
        return "value"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe(error: ValidationError) -> str:
    """kubeconform's wording for the failed keyword; python-jsonschema's own message otherwise."""
    keyword = error.validator
    value: Any = error.validator_value
    instance = error.instance
    if keyword == "type":
        wanted = [value] if isinstance(value, str) else list(value)
        ordered = [t for t in _TYPE_ORDER if t in wanted]
        return f"got {json_type(instance)}, want {' or '.join(ordered)}"
    if keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        extras = [k for k in instance if k not in allowed and not any(re.search(p, k) for p in patterns)]
        return f"additional properties {', '.join(quote(k) for k in extras)} not allowed"
    if keyword == "required" and isinstance(instance, dict):
        missing = [name for name in value if name not in instance]
        if len(missing) == 1:
            return f"missing property {quote(missing[0])}"
        return f"missing properties {', '.join(quote(m) for m in missing)}"
    if keyword == "enum":
        if all(not isinstance(v, list | dict) for v in value):
            if len(value) == 1:
                return f"value must be {_display(value[0])}"
            return f"value must be one of {', '.join(_display(v) for v in value)}"
        return "enum failed"
    if keyword == "const":
        return f"value must be {_display(value)}"
    if keyword == "oneOf":
        return "oneOf failed, none matched" if error.context else "oneOf failed, more than one subschema matched"
    if keyword == "anyOf":
        return "anyOf failed"
    if keyword == "not":
        return "not failed"
    if keyword == "pattern":
        return f"{quote(str(instance))} does not match pattern {quote(str(value))}"
    if keyword in ("minLength", "maxLength") and isinstance(instance, str):
        return f"{keyword}: got {len(instance)}, want {value}"
    if keyword in ("minItems", "maxItems") and isinstance(instance, list):
        return f"{keyword}: got {len(instance)}, want {value}"
    if keyword in ("minProperties", "maxProperties") and isinstance(instance, dict):
        return f"{keyword}: got {len(instance)}, want {value}"
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        return f"{keyword}: got {instance}, want {value}"
    return str(error.message)
