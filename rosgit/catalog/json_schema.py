"""The catalog's JSON Schema and its reference page, both derived from the typed model (model.py).

Nothing here lists a field: every object, key, type, default and description comes from the dataclasses the
loader reads (`Reader`), so a section added to the model appears in the schema and the reference without an
edit here. The schema says what the Reader says about one value (types, enums, patterns, unknown keys); the
cross-references (a size class some component uses, a component a traffic rule names) are the loader's.
Descriptions are the classes' docstrings and the comment lines written above each field in model.py.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import re
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from rosgit.catalog import schema as reader_types
from rosgit.catalog.model import Catalog
from rosgit.catalog.schema import camel

SCHEMA_ID = "https://rosgit.io/schemas/catalog-v1alpha1.json"
# the file `rosgit init` writes beside the catalog, and the editor line pointing at it
SCHEMA_FILE = "rosgit.schema.json"
EDITOR_LINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"

_CHECK_SCHEMAS: dict[str, dict[str, Any]] = {
    "Quantity": {
        "title": "quantity",
        "anyOf": [
            {"type": "string", "pattern": reader_types.QUANTITY_RE.pattern},
            {"type": "number", "minimum": 0},
        ],
        "description": "A Kubernetes quantity: 500m, 1Gi, 2.",
    },
    "DnsName": {
        "title": "name (DNS label)",
        "type": "string",
        "maxLength": 63,
        "pattern": reader_types.DNS_NAME_RE.pattern,
        "description": "An RFC 1123 label: lower case alphanumerics and '-', at most 63 characters.",
    },
    "ImageRef": {
        "title": "image reference",
        "type": "string",
        # Python's and ECMA's regular expressions spell named groups differently: the schema's have none
        "pattern": re.sub(r"\?P<[a-z]+>", "", reader_types.IMAGE_RE.pattern),
        "anyOf": [{"pattern": ":[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"}, {"pattern": "@sha256:[a-f0-9]{64}$"}],
        "not": {"pattern": ":latest$"},
        "description": "An image pinned to a tag (never latest) or a digest.",
    },
    "DnsSubdomain": {
        "title": "name (DNS subdomain)",
        "type": "string",
        "maxLength": 253,
        "pattern": reader_types.DNS_SUBDOMAIN_RE.pattern,
        "description": "An RFC 1123 subdomain: lower case alphanumerics, '-' and '.', at most 253 characters.",
    },
    "LabelKey": {
        "title": "label key",
        "type": "string",
        "pattern": reader_types.LABEL_KEY_RE.pattern,
        "description": "A Kubernetes label or annotation key: [DNS-subdomain prefix/]name.",
    },
    "LabelValue": {
        "title": "label value",
        "type": "string",
        "maxLength": 63,
        "pattern": reader_types.LABEL_VALUE_RE.pattern,
        "description": "A Kubernetes label value (quote numbers and booleans).",
    },
    "Text": {"title": "string", "type": "string", "description": "A string (quote numbers and booleans)."},
}


@dataclass(frozen=True)
class FieldDoc:
    """One key of an object as the reference page shows it."""

    key: str
    type: str
    required: bool
    default: str
    description: str


@dataclass(frozen=True)
class ObjectDoc:
    name: str
    description: str
    fields: tuple[FieldDoc, ...]


def catalog_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of rosgit.yaml."""
    builder = _Builder()
    root = builder.object_schema(Catalog)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "rosgit catalog (rosgit.yaml)",
        **root,
        "$defs": dict(sorted(builder.defs.items())),
    }


def catalog_schema_text() -> str:
    return json.dumps(catalog_schema(), indent=2, sort_keys=False) + "\n"


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def object_schema(self, cls: type, *, partial: bool = False) -> dict[str, Any]:
        hints = typing.get_type_hints(cls, include_extras=True)
        comments = field_comments(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for f in dataclasses.fields(cls):
            key = f.metadata.get("key", camel(f.name))
            value = self.for_field(f, hints[f.name])
            description = comments.get(f.name)
            if description:
                value = {**value, "description": description}
            default = _default(f)
            if default is not _NO_DEFAULT:
                value = {**value, "default": default}
            properties[key] = value
            if not partial and _required(f):
                required.append(key)
        result: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
        if required and "extends" in properties:
            # what an object inherits through `extends` is checked once merged, by the loader
            result["if"] = {"required": ["extends"]}
            result["else"] = {"required": required}
        elif required:
            result["required"] = required
        doc = _docstring(cls)
        if doc:
            result["description"] = doc
        return result

    def for_field(self, f: dataclasses.Field[Any], tp: Any) -> dict[str, Any]:
        partial = f.metadata.get("partial")
        if partial is not None:
            name = f"{partial.__name__}Template"
            if name not in self.defs:
                self.defs[name] = {}
                self.defs[name] = self.object_schema(partial, partial=True)
                self.defs[name]["properties"]["extends"] = {"type": "string", "description": "The parent template."}
            return {"type": "object", "additionalProperties": {"$ref": f"#/$defs/{name}"}}
        schema = self.for_type(tp)
        if f.metadata.get("scalar_ok"):
            return {"anyOf": [schema["items"], schema]}
        if f.metadata.get("mapping_ok"):
            return {"anyOf": [schema["items"], schema]}
        return schema

    def for_type(self, tp: Any) -> dict[str, Any]:
        origin = get_origin(tp)
        if origin is Annotated:
            _, *marks = get_args(tp)
            for mark in marks:
                if isinstance(mark, reader_types.Check):
                    return dict(_CHECK_SCHEMAS[mark.name])
            return self.for_type(get_args(tp)[0])
        if origin in (typing.Union, types.UnionType):
            options = [a for a in get_args(tp) if a is not type(None)]
            inner = self.for_type(options[0])
            return {"anyOf": [inner, {"type": "null"}]} if type(None) in get_args(tp) else inner
        if origin is typing.Literal:
            return {"enum": list(get_args(tp))}
        if origin is list:
            return {"type": "array", "items": self.for_type(get_args(tp)[0])}
        if origin is dict:
            key_tp, value_tp = get_args(tp)
            result: dict[str, Any] = {"type": "object", "additionalProperties": self.for_type(value_tp)}
            if get_origin(key_tp) is typing.Literal:
                result["propertyNames"] = {"enum": list(get_args(key_tp))}
            elif get_origin(key_tp) is Annotated:
                names = self.for_type(key_tp)
                result["propertyNames"] = {k: v for k, v in names.items() if k in ("pattern", "maxLength")}
            return result
        if dataclasses.is_dataclass(tp):
            name = typing.cast(type, tp).__name__
            if name not in self.defs:
                self.defs[name] = {}  # a placeholder first: a recursive model must not recurse here
                self.defs[name] = self.object_schema(typing.cast(type, tp))
            return {"$ref": f"#/$defs/{name}"}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            return {"type": "integer"}
        if tp is str:
            # the Reader reads a number where text is expected as its text (cpu: 1 is "1")
            return {"type": ["string", "number"]}
        return {}


_NO_DEFAULT = object()


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _default(f: dataclasses.Field[Any]) -> Any:
    """The field's default as JSON, when it is a plain value (not None, not a nested object)."""
    if f.default is not dataclasses.MISSING:
        value: Any = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return _NO_DEFAULT
    if value is None or dataclasses.is_dataclass(value):
        return _NO_DEFAULT
    try:
        json.dumps(value)
    except TypeError:
        return _NO_DEFAULT
    return list(value) if isinstance(value, tuple) else value


def _docstring(cls: type) -> str:
    doc = cls.__doc__ or ""
    if doc.startswith(f"{cls.__name__}("):  # dataclass's generated signature, not a description
        return ""
    return " ".join(doc.split())


_FIELD = re.compile(r"^\s+(?P<name>[a-z_][a-z0-9_]*)\s*:")


@functools.cache
def field_comments(cls: type) -> dict[str, str]:
    """The comment lines written directly above each field of a dataclass in its source."""
    try:
        lines = inspect.getsource(cls).splitlines()
    except (OSError, TypeError):
        return {}
    found: dict[str, str] = {}
    pending: list[str] = []
    for line in lines[1:]:
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        match = _FIELD.match(line)
        if match and pending:
            found[match.group("name")] = " ".join(pending)
        pending = []
    return found


# --- the reference page -----------------------------------------------------------------------------------


def object_docs() -> list[ObjectDoc]:
    """Every object of the catalog, the root first, then by name."""
    schema = catalog_schema()
    objects = [_object_doc("Catalog (the file's top level)", schema)]
    for name, definition in schema["$defs"].items():
        objects.append(_object_doc(name, definition))
    return objects


def _object_doc(name: str, schema: dict[str, Any]) -> ObjectDoc:
    required = set(schema.get("required", schema.get("else", {}).get("required", ())))
    fields = tuple(
        FieldDoc(
            key,
            type_text(value),
            key in required,
            json.dumps(value["default"]) if "default" in value else "",
            value.get("description", ""),
        )
        for key, value in schema.get("properties", {}).items()
    )
    return ObjectDoc(name, schema.get("description", ""), fields)


def type_text(schema: dict[str, Any]) -> str:
    """A short human name for a schema: `list of Port`, `map of Resources`, `one of: a, b`."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{name.lower()})"
    if "enum" in schema:
        return "one of: " + ", ".join(f"`{value}`" for value in schema["enum"])
    if "title" in schema:
        return str(schema["title"])
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        if len(options) == 2 and options[1].get("type") == "array":
            return f"{type_text(options[0])} or {type_text(options[1])}"
        return " or ".join(type_text(o) for o in options)
    kind = schema.get("type")
    if kind == "array":
        return f"list of {type_text(schema['items'])}"
    if kind == "object":
        extra = schema.get("additionalProperties")
        keys = schema.get("propertyNames", {}).get("enum")
        by = f" by {', '.join(keys)}" if keys else ""
        return f"map{by} of {type_text(extra)}" if isinstance(extra, dict) else "object"
    if kind == ["string", "number"]:
        return "string"
    return str(kind) if kind else "any"


REFERENCE_PATH = "docs/catalog-reference.md"

_PREAMBLE = f"""\
# Catalog reference (`rosgit.yaml`)

Every key `rosgit.yaml` may hold, generated from the typed model (`rosgit/catalog/model.py`) by
`rosgit schema catalog --output markdown`; a test fails when this page and the model differ. The same model
gives the JSON Schema (`rosgit schema catalog > {SCHEMA_FILE}`) that editors read through the catalog's
first line, `{EDITOR_LINE}` (written by `rosgit init`).

Unknown keys are refused everywhere, with the file, the line and the closest known key ("did you mean").
Beyond one value's type, the loader also checks what the schema cannot: a profile's size class must be one a
component uses (`size:`), and every name a profile, traffic rule, overlay or waitFor mentions must exist.

Site knobs (`site:`, see `docs/site-knobs.md`) are set at four levels: catalog-wide (`site`), per platform
(`platforms.<name>.site`), per profile (`profiles.<name>.site`, inherited through `extends`) and per component
(`components[].site`). The most specific level that sets a knob wins: component > profile > platform >
catalog. `labels`, `annotations` and `storageClassNames` merge key by key; every other knob is replaced whole.

"""


def reference_markdown() -> str:
    out = [_PREAMBLE]
    for obj in object_docs():
        anchor = obj.name.split(" ", 1)[0]
        out.append(f"## {anchor}\n\n" if anchor == obj.name else f"## {obj.name}\n\n")
        if obj.description:
            out.append(f"{obj.description}\n\n")
        out.append("| key | type | required | default | description |\n|---|---|---|---|---|\n")
        for f in obj.fields:
            description = f.description.replace("|", "\\|")
            default = f"`{f.default}`" if f.default else ""
            out.append(
                f"| `{f.key}` | {f.type.replace('|', chr(92) + '|')} | {'yes' if f.required else ''} "
                f"| {default} | {description} |\n"
            )
        out.append("\n")
    return "".join(out).rstrip("\n") + "\n"
