"""A small typed-schema reader: turns ruamel.yaml nodes into frozen dataclasses, with FILE:LINE errors.

Dataclass fields are read from camelCase keys (`mount_path` <- `mountPath`). Supported field types:
str, int, bool, Quantity, ImageRef, DnsName, Literal[...], list[T], dict[str, T], T | None and nested dataclasses.
Unknown keys, wrong types and missing required fields are errors naming the file and line.
A list field may accept one item written without the list: a string (metadata `scalar_ok`) or a mapping
(metadata `mapping_ok`).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import types
import typing
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args, get_origin

from rosgit.errors import UsageError

T = TypeVar("T")

QUANTITY_RE = re.compile(
    r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
)
DNS_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# registry/repo[:tag][@sha256:digest]; the tag must not be `latest` and a tag or digest is required
IMAGE_RE = re.compile(
    r"^(?P<repo>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)


def split_image_ref(ref: str) -> tuple[str, str | None, str | None]:
    """(repository, tag, digest) of a pinned image reference, as the catalog reads it."""
    match = IMAGE_RE.match(ref)
    if match is None:
        return ref, None, None
    return match.group("repo"), match.group("tag"), match.group("digest")


class Check:
    """A validation marker carried in `Annotated[str, ...]`: the value stays a plain str for type checkers."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


QUANTITY, DNS_NAME, IMAGE_REF = Check("Quantity"), Check("DnsName"), Check("ImageRef")
DNS_SUBDOMAIN, LABEL_KEY, LABEL_VALUE, TEXT = (
    Check("DnsSubdomain"), Check("LabelKey"), Check("LabelValue"), Check("Text")
)
# RFC 1123 subdomain (a StorageClass, Secret or host name), at most 253 characters
DNS_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# a label or annotation key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters
LABEL_KEY_RE = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
# a label value: empty, or at most 63 alphanumerics, '-', '_' and '.', alphanumeric at both ends
LABEL_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")
# A Kubernetes resource quantity such as 500m, 1Gi or 2.
Quantity = Annotated[str, QUANTITY]
# An RFC 1123 label: lower case alphanumerics and '-', at most 63 characters.
DnsName = Annotated[str, DNS_NAME]
# A container image pinned to a tag (not `latest`) or a digest.
ImageRef = Annotated[str, IMAGE_REF]
# An RFC 1123 subdomain: lower case alphanumerics, '-' and '.', at most 253 characters.
DnsSubdomain = Annotated[str, DNS_SUBDOMAIN]
# A Kubernetes label (or annotation) key: [prefix/]name.
LabelKey = Annotated[str, LABEL_KEY]
# A Kubernetes label value (a string, quoted in YAML when it looks like a number or boolean).
LabelValue = Annotated[str, LABEL_VALUE]
# A string as written: a number or boolean is refused rather than read as its text (annotation values).
Text = Annotated[str, TEXT]


def camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class Reader:
    """Reads one file's ruamel tree into dataclasses, remembering where each object came from."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.locations: dict[int, int] = {}
        self.paths: dict[str, int] = {}

    def where(self, line: int | None) -> str:
        return f"{self.source}:{line + 1}" if line is not None else str(self.source)

    def fail(self, line: int | None, message: str) -> UsageError:
        return UsageError(message, location=self.where(line))

    def read(self, cls: type[T], node: Any, line: int | None, context: str) -> T:
        return typing.cast(T, self._read(cls, node, line, context))

    def _read(self, tp: Any, node: Any, line: int | None, context: str) -> Any:
        if line is not None:
            self.paths[context] = line
        origin = get_origin(tp)
        if origin is Annotated:
            base, *marks = get_args(tp)
            value = self._read(base, node, line, context)
            for mark in marks:
                if isinstance(mark, Check):
                    value = self._check(mark, node, line, context)
            return value
        if origin in (typing.Union, types.UnionType):
            options = [a for a in get_args(tp) if a is not type(None)]
            if node is None and type(None) in get_args(tp):
                return None
            if len(options) == 1:
                return self._read(options[0], node, line, context)
            raise TypeError(f"unsupported union {tp}")
        if origin is typing.Literal:
            choices_allowed = get_args(tp)
            if node not in choices_allowed:
                choices = ", ".join(str(a) for a in choices_allowed)
                raise self.fail(line, f"{context}: {node!r} is not one of {choices}")
            return node
        if origin is list:
            if not isinstance(node, list):
                raise self.fail(line, f"{context}: expected a list, got {_kind(node)}")
            (item_tp,) = get_args(tp)
            return tuple(
                self._read(item_tp, item, _item_line(node, i, line), f"{context}[{i}]")
                for i, item in enumerate(node)
            )
        if origin is dict:
            if not isinstance(node, dict):
                raise self.fail(line, f"{context}: expected a mapping, got {_kind(node)}")
            key_tp, value_tp = get_args(tp)
            allowed: tuple[Any, ...] | None = get_args(key_tp) if get_origin(key_tp) is typing.Literal else None
            result = {}
            for key, value in node.items():
                if not isinstance(key, str):
                    raise self.fail(_key_line(node, key, line), f"{context}: key {key!r} must be a string")
                if allowed is not None and key not in allowed:
                    raise self.fail(_key_line(node, key, line), unknown_key(context, "key", key, allowed))
                for mark in get_args(key_tp)[1:] if get_origin(key_tp) is Annotated else ():
                    if isinstance(mark, Check):
                        self._check(mark, key, _key_line(node, key, line), f"{context} key")
                result[key] = self._read(value_tp, value, _value_line(node, key, line), f"{context}.{key}")
            return result
        if dataclasses.is_dataclass(tp):
            return self._read_dataclass(typing.cast(type, tp), node, line, context)
        return self._read_scalar(tp, node, line, context)

    def _read_scalar(self, tp: Any, node: Any, line: int | None, context: str) -> Any:
        if tp is bool:
            if not isinstance(node, bool):
                raise self.fail(line, f"{context}: expected true or false, got {_kind(node)}")
            return node
        if tp is int:
            if isinstance(node, bool) or not isinstance(node, int):
                raise self.fail(line, f"{context}: expected an integer, got {_kind(node)}")
            # ruamel reads a bare 0 as its ScalarInt subclass, which the YAML writers cannot represent
            return int(node)
        if tp is str:
            if isinstance(node, bool) or not isinstance(node, str | int | float):
                raise self.fail(line, f"{context}: expected a string, got {_kind(node)}")
            return str(node)
        if tp is Any:
            return node
        raise TypeError(f"unsupported field type {tp}")

    def _check(self, mark: Check, node: Any, line: int | None, context: str) -> str:
        if mark is QUANTITY:
            text = str(node) if isinstance(node, int | float) and not isinstance(node, bool) else node
            if not isinstance(text, str) or not QUANTITY_RE.match(text):
                raise self.fail(line, f"{context}: invalid quantity {node!r} (e.g. 500m, 1Gi, 2)")
            return text
        if mark is DNS_NAME:
            if not isinstance(node, str) or len(node) > 63 or not DNS_NAME_RE.match(node):
                raise self.fail(line, f"{context}: {node!r} is not a valid name (lower case, digits, '-')")
            return node
        if mark is IMAGE_REF:
            return self._image(node, line, context)
        return self._kubernetes_string(mark, node, line, context)

    def _kubernetes_string(self, mark: Check, node: Any, line: int | None, context: str) -> str:
        if not isinstance(node, str):
            raise self.fail(line, f"{context}: expected a string, got {_kind(node)} (quote it)")
        if mark is DNS_SUBDOMAIN and (len(node) > 253 or not DNS_SUBDOMAIN_RE.match(node)):
            raise self.fail(line, f"{context}: {node!r} is not a DNS-1123 subdomain (lower case, digits, '-', '.')")
        if mark is LABEL_KEY and (len(node.rpartition("/")[0]) > 253 or not LABEL_KEY_RE.match(node)):
            raise self.fail(
                line, f"{context}: {node!r} is not a valid Kubernetes label key ([dns-subdomain/]name, name "
                "at most 63 of A-Z a-z 0-9 - _ . and alphanumeric at both ends)"
            )
        if mark is LABEL_VALUE and not LABEL_VALUE_RE.match(node):
            raise self.fail(
                line, f"{context}: {node!r} is not a valid Kubernetes label value (at most 63 of A-Z a-z 0-9 "
                "- _ . and alphanumeric at both ends)"
            )
        return node

    def _image(self, node: Any, line: int | None, context: str) -> str:
        if not isinstance(node, str):
            raise self.fail(line, f"{context}: expected an image reference, got {_kind(node)}")
        match = IMAGE_RE.match(node)
        if not match:
            raise self.fail(line, f"{context}: {node!r} is not a valid image reference")
        if not match.group("tag") and not match.group("digest"):
            raise self.fail(line, f"{context}: image {node!r} has no tag or digest; pin it (never latest)")
        if match.group("tag") == "latest" and not match.group("digest"):
            raise self.fail(line, f"{context}: image {node!r} uses the tag 'latest'; pin a version or digest")
        return node

    def _read_dataclass(self, cls: type, node: Any, line: int | None, context: str) -> Any:
        if not isinstance(node, dict):
            raise self.fail(line, f"{context}: expected a mapping, got {_kind(node)}")
        fields, hints = _field_table(cls)
        for key in node:
            if key not in fields:
                raise self.fail(_key_line(node, key, line), unknown_key(context, "field", key, fields))
        values: dict[str, Any] = {}
        for key, field in fields.items():
            if key in node:
                value = node[key]
                unlisted = "scalar_ok" if isinstance(value, str) else "mapping_ok" if isinstance(value, dict) else ""
                if field.metadata.get(unlisted):
                    value = [value]
                values[field.name] = self._read(
                    hints[field.name], value, _value_line(node, key, line), f"{context}.{key}"
                )
            elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise self.fail(line, f"{context}: missing required field {key!r}")
        obj = cls(**values)
        if line is not None:
            self.locations[id(obj)] = line
        return obj

    def line_of(self, obj: object) -> int | None:
        return self.locations.get(id(obj))

    def line_at(self, path: str) -> int | None:
        """The line of a value by its dotted path, e.g. `catalog.profiles.prod.replicas.koku-api-reads`."""
        return self.paths.get(path)


@functools.cache
def _field_table(cls: type) -> tuple[dict[str, dataclasses.Field[Any]], dict[str, Any]]:
    """A dataclass's fields by their YAML key, and its resolved type hints: once per class, not per object read
    (resolving the string annotations was most of the reading)."""
    fields = {f.metadata.get("key", camel(f.name)): f for f in dataclasses.fields(cls)}
    return fields, typing.get_type_hints(cls, include_extras=True)


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_key(context: str, what: str, key: str, known: typing.Iterable[str]) -> str:
    """The one wording of an unknown key anywhere in a catalog: the key, the closest known one, then all."""
    names = sorted(known)
    return f"{context}: unknown {what} {key!r}{did_you_mean(key, names)} (known: {', '.join(names)})"


def _kind(node: Any) -> str:
    if node is None:
        return "null"
    if isinstance(node, bool):
        return "a boolean"
    if isinstance(node, int | float):
        return f"the number {node}"
    if isinstance(node, str):
        return f"the string {node!r}"
    if isinstance(node, list):
        return "a list"
    if isinstance(node, dict):
        return "a mapping"
    return type(node).__name__


def _key_line(node: Any, key: Any, fallback: int | None) -> int | None:
    try:
        return int(node.lc.key(key)[0])
    except (AttributeError, KeyError, TypeError):
        return fallback


def _value_line(node: Any, key: Any, fallback: int | None) -> int | None:
    try:
        return int(node.lc.value(key)[0])
    except (AttributeError, KeyError, TypeError):
        return _key_line(node, key, fallback)


def _item_line(node: Any, index: int, fallback: int | None) -> int | None:
    try:
        return int(node.lc.item(index)[0])
    except (AttributeError, KeyError, TypeError, IndexError):
        return fallback
