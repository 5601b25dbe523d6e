"""YAML input and output exactly as kustomize v5 reads resources and prints `kustomize build`.

Reading follows kyaml (go-yaml v3 scalar resolution) followed by the JSON round trip kustomize
performs on output, so loaded values already hold what would be printed (0755 -> 493, 1.0 -> 1).
Printing follows sigs.k8s.io/yaml's JSONToYAML, i.e. go-yaml v2's encoder and libyaml-style
emitter: natural key order, indentless sequences, YAML 1.1 quoting, 80-column folding.

Public API:
- `load_resource_documents(text, source)`: resource files (kyaml rules, List expansion, checks).
- `load_yaml_documents(text, source)`: any kyaml-read YAML (patch files), no resource checks.
- `load_kustomization(text, source)`: kustomization files (sigs.k8s.io/yaml, YAML 1.1 scalars).
- `load_yaml11_value(text, source)`: a snippet decoded like a kustomization (any shape).
- `dump_documents(objs)` / `dump_document(obj)`: the exact `kustomize build` text.
- `kyaml_plain_is_string(text)`: whether a key kustomize writes as plain YAML reads back as a string.
- `natural_key_sort(keys)`, `format_go_float(value, fmt)`: the Go orderings and number formats.
All errors are one-line `UsageError`s naming the file.
"""

from __future__ import annotations

import base64
import datetime as _dt
import decimal
import functools
import gc
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rosgit.errors import UsageError

__all__ = [
    "dump_document",
    "dump_documents",
    "format_go_float",
    "kyaml_plain_is_string",
    "load_kustomization",
    "load_resource_documents",
    "load_yaml11_value",
    "load_yaml_documents",
    "natural_key_sort",
]

_T = TypeVar("_T")
_INT64_MIN = -(1 << 63)
_UINT64_LIMIT = 1 << 64
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAG = "!rosgit/plain"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_KEY = "<<"

# ---------------------------------------------------------------------------------------------
# Go number parsing helpers (strconv semantics)
# ---------------------------------------------------------------------------------------------

_GO_DEC = r"[0-9](?:_?[0-9])*"
_GO_INT_RE = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_YAML_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_DOT_FLOAT_RE = re.compile(r"\." + _GO_DEC + r"(?:[eE][-+]?" + _GO_DEC + ")?")
_BASE60_RE = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")


def _go_parse_int(text: str) -> int | None:
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
    if _INT64_MIN <= value < _UINT64_LIMIT and not (text[0] == "+" and value >= 1 << 63):
        # ParseUint rejects a sign, so "+" beyond int64 fails like "-" does.
        return value
    return None


def _go_parse_yaml_float(text: str) -> float | None:
    """A float per go-yaml's float pattern, or None (including overflow, which Go reports as an error)."""
    if not _YAML_FLOAT_RE.fullmatch(text):
        return None
    value = float(text)
    if math.isinf(value):
        return None
    return value


# ---------------------------------------------------------------------------------------------
# Timestamps (go-yaml v3 decodes them to time.Time; JSON prints RFC 3339 with nanoseconds)
# ---------------------------------------------------------------------------------------------

_TIMESTAMP_RE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:(?:([Tt])|( +))([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.([0-9]+))?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


def _parse_timestamp(text: str) -> str | None:
    """The RFC 3339 text Go prints for a YAML timestamp, or None when `text` is not one."""
    match = _TIMESTAMP_RE.fullmatch(text)
    if match is None:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    has_time = match[6] is not None
    zone = match[10]
    if has_time:
        if match[4] is not None and zone is None:
            return None
        if match[5] is not None and zone is not None:
            return None
    try:
        # Year 0 is a leap year in Go's proleptic calendar, like 2000.
        _dt.date(year if year > 0 else 2000, month, day)
    except ValueError:
        return None
    date_text = f"{year:04d}-{month:02d}-{day:02d}"
    if not has_time:
        return date_text + "T00:00:00Z"
    hour, minute, second = int(match[6]), int(match[7]), int(match[8])
    if hour > 23 or minute > 59 or second > 59:
        return None
    fraction = (match[9] or "")[:9].rstrip("0")
    if zone is None or zone in ("Z", "+00:00", "-00:00"):
        zone_text = "Z"
    else:
        zone_hours, zone_minutes = int(zone[1:3]), int(zone[4:6])
        if zone_hours > 24 or zone_minutes > 60:
            return None
        if zone_hours * 60 + zone_minutes >= 24 * 60:
            # Go parses such an offset but cannot print it as JSON, so the build fails.
            raise _NotJSON(f"{text} (timezone hour outside of range [0,23])")
        zone_text = zone
    frac_text = "." + fraction if fraction else ""
    return f"{date_text}T{hour:02d}:{minute:02d}:{second:02d}{frac_text}{zone_text}"


# ---------------------------------------------------------------------------------------------
# go-yaml v3 plain-scalar resolution, then JSON normalisation
# ---------------------------------------------------------------------------------------------

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
_V3_SPECIAL_FLOATS = {
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
}
_V3_HINT_CHARS = frozenset("+-0123456789.yYnNtTfFoO~")


class _NotJSON(Exception):
    """A value JSON cannot carry (NaN, infinities)."""


def _json_number(value: int | float) -> int | float:
    """What a number becomes after Go's JSON encoding and go-yaml v2's re-parse."""
    if isinstance(value, int):
        if _INT64_MIN <= value < _UINT64_LIMIT:
            return value
        value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise _NotJSON(str(value))
    if value.is_integer() and abs(value) < 1e21:
        # JSON prints the shortest round-trip digits padded with zeros, not the exact binary value.
        whole = int(format_go_float(value, "f"))
        if _INT64_MIN <= whole < _UINT64_LIMIT:
            return whole
        # JSON prints all digits; the re-parse only fits a float64 again.
        return float(format_go_float(value, "f"))
    return value


_V3_CACHE: dict[str, Any] = {}


def _resolve_v3(text: str) -> Any:
    """The JSON-normalised value go-yaml v3 gives an untagged plain scalar."""
    try:
        return _V3_CACHE[text]
    except KeyError:
        pass
    value: Any = text
    if text in _V3_SPECIAL:
        value = _V3_SPECIAL[text]
    elif text in _V3_SPECIAL_FLOATS:
        raise _NotJSON(text)
    elif text and text[0] in "+-0123456789":
        stamp = _parse_timestamp(text) if text[0].isdigit() else None
        if stamp is not None:
            value = stamp
        else:
            plain = text.replace("_", "")
            number: int | float | None = _go_parse_int(plain) if plain else None
            if number is None and plain:
                number = _go_parse_yaml_float(plain)
            if number is not None:
                value = _json_number(number)
    elif text and text[0] == "." and _DOT_FLOAT_RE.fullmatch(text):
        parsed = float(text.replace("_", ""))
        if not math.isinf(parsed):
            value = _json_number(parsed)
    if len(_V3_CACHE) < 200_000:
        _V3_CACHE[text] = value
    return value


# ---------------------------------------------------------------------------------------------
# Node composition with libyaml, construction in one tight recursive pass
# ---------------------------------------------------------------------------------------------


class _ComposeOnly(yaml.CSafeLoader):
    """libyaml composes; every untagged plain scalar keeps a marker tag so we resolve it ourselves."""

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN_TAG if implicit[0] else _STR_TAG
        if kind is SequenceNode:
            return _SEQ_TAG
        return _MAP_TAG

    # Path-based resolvers are unused; skipping their bookkeeping saves two calls per node.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


def _fold_like_go_yaml(literal: str) -> str:
    """Folds literal block content into folded-scalar content with go-yaml v3's line rules."""
    body = literal.rstrip("\n")
    tail = literal[len(body) :]
    if not body:
        return literal
    lines = body.split("\n")
    out: list[str] = []
    i = 0
    while lines[i] == "":
        out.append("\n")
        i += 1
    out.append(lines[i])
    previous_more = lines[i][:1] in (" ", "\t")
    i += 1
    while i < len(lines):
        empties = 0
        while lines[i] == "":
            empties += 1
            i += 1
        current = lines[i]
        current_more = current[:1] in (" ", "\t")
        if not previous_more and not current_more:
            out.append(" " if empties == 0 else "\n" * empties)
        else:
            out.append("\n" * (1 + empties))
            if current_more and not previous_more and current.strip(" \t"):
                out.append("\n")
        out.append(current)
        previous_more = current_more
        i += 1
    return "".join(out) + tail


def _yaml_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return "float"


class _Builder:
    """Turns composed nodes into plain data the way kyaml + JSON would, copying aliased subtrees."""

    def __init__(
        self, source: str, budget: int, resolve_plain: Callable[[str], Any], *, kyaml: bool = True, text: str = ""
    ) -> None:
        self.text = text
        self.line_offset = 0
        self.source = source
        self.budget = budget
        self.resolve_plain = resolve_plain
        # kyaml mode: resource semantics (unique keys, kyaml's key quirks); otherwise sigs.k8s.io/yaml's
        # YAML-to-JSON conversion (last duplicate wins, every key stringified).
        self.kyaml = kyaml

    def fail(self, node: Node, message: str) -> UsageError:
        mark = node.start_mark
        return UsageError(f"line {mark.line + 1 + self.line_offset}: {message}", location=self.source)

    def scalar(self, node: ScalarNode, in_flow: bool = False) -> Any:
        tag = node.tag
        if tag == _PLAIN_TAG:
            if in_flow and not node.value:
                # A value left out inside a flow collection ("{a, b}") reads as "" in kyaml.
                return ""
            try:
                return self.resolve_plain(node.value)
            except _NotJSON as exc:
                raise self.fail(node, f"json: unsupported value: {exc}") from None
        if node.style == ">" and self.kyaml and ("\n " in node.value or "\n\t" in node.value):
            folded = self.refold(node)
            if tag == _STR_TAG or not tag.startswith("tag:yaml.org,2002:"):
                return folded
        if tag == _STR_TAG or not tag.startswith("tag:yaml.org,2002:"):
            return node.value
        return self.tagged(node, tag[len("tag:yaml.org,2002:") :])

    def refold(self, node: ScalarNode) -> str:
        """A folded block scalar with more-indented lines, folded the way go-yaml v3 does it.

        go-yaml keeps an extra line break before a more-indented line that follows a normal one,
        which libyaml does not; re-read the block as a literal and fold it ourselves.
        """
        raw = self.text[node.start_mark.index : node.end_mark.index]
        indicator = raw.find(">")
        header = raw[indicator : raw.find("\n", indicator) if "\n" in raw[indicator:] else len(raw)]
        if indicator < 0 or any(ch.isdigit() for ch in header):
            return str(node.value)
        try:
            literal = yaml.load("k: " + raw[:indicator] + "|" + raw[indicator + 1 :], Loader=yaml.CSafeLoader)["k"]
        except (yaml.YAMLError, TypeError, KeyError):
            return str(node.value)
        return _fold_like_go_yaml(literal) if isinstance(literal, str) else str(node.value)

    def tagged(self, node: ScalarNode, short: str) -> Any:
        """A scalar with an explicit standard tag, decoded (or refused) like go-yaml."""
        text = node.value
        if short == "binary":
            try:
                raw = base64.b64decode("".join(text.split()), validate=True)
            except ValueError:
                raise self.fail(node, "!!binary value contains invalid base64 data") from None
            return raw.decode("utf-8", "replace")
        if short == "timestamp":
            try:
                stamp = _parse_timestamp(text)
            except _NotJSON as exc:
                raise self.fail(node, f"json: unsupported value: {exc}") from None
            if stamp is None:
                raise self.fail(node, f"cannot decode !!str `{text}` as a !!timestamp")
            return stamp
        if short not in ("int", "float", "bool", "null"):
            return text
        try:
            resolved = self.resolve_plain(text)
        except _NotJSON as exc:
            raise self.fail(node, f"json: unsupported value: {exc}") from None
        if short == "float" and isinstance(resolved, int | float) and not isinstance(resolved, bool):
            return resolved
        accepted = {
            "int": isinstance(resolved, int) and not isinstance(resolved, bool),
            "bool": isinstance(resolved, bool),
            "null": resolved is None,
            "float": False,
        }[short]
        if not accepted:
            found = "str" if isinstance(resolved, str) else _yaml_type_name(resolved)
            raise self.fail(node, f"cannot decode !!{found} `{text}` as a !!{short}")
        return resolved

    def key(self, node: Node, top_level: bool) -> str:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, "invalid map key: a key must be a scalar")
        value = self.scalar(node)
        if not self.kyaml:
            return value if isinstance(value, str) else (_scalar_text(value) or "")
        text = node.value
        if isinstance(value, str) and (value == text or node.tag != _PLAIN_TAG):
            return value
        # A key typed as something other than a string (a timestamp resolves to different text).
        if value is None:
            # kustomize fails on null keys with a confusing duplicate-key error; fail plainly instead.
            raise self.fail(node, f"mapping key {text!r}: null keys are not supported")
        if top_level:
            # The top level decodes into a string-keyed map, which takes the key's source text.
            return str(text)
        raise self.fail(node, f"json: unsupported type: map[interface {{}}]interface {{}} (key {text})")

    def build(self, node: Node, top_level: bool = False, in_flow: bool = False) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self.fail(node, "document contains excessive aliasing")
        if isinstance(node, ScalarNode):
            return self.scalar(node, in_flow)
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            merges: list[Node] = []
            quoted_merge_keys = 0
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == _MERGE_KEY:
                    if key_node.tag in (_PLAIN_TAG, "tag:yaml.org,2002:merge"):
                        if merges and self.kyaml:
                            raise self.fail(key_node, "duplicate merge key")
                        merges.append(value_node)
                        continue
                    if not self.kyaml:
                        quoted_merge_keys = 2
                    quoted_merge_keys += 1
                    if quoted_merge_keys == 1:
                        # kyaml's anchor expansion swallows a lone quoted "<<" key and its value.
                        continue
                key = self.key(key_node, top_level)
                if key in result and self.kyaml:
                    mark = key_node.start_mark
                    raise UsageError(
                        f"line {mark.line + 1}: mapping key {key!r} already defined", location=self.source
                    )
                result[key] = self.build(value_node, False, node.flow_style is True)
            if merges:
                self.merge_into(result, merges)
            return result
        if isinstance(node, SequenceNode):
            flow = node.flow_style is True
            return [self.build(item, False, flow) for item in node.value]
        raise self.fail(node, "unsupported YAML node")

    def merge_into(self, result: dict[str, Any], merges: list[Node]) -> None:
        # Explicit keys win over merged ones; earlier merge sources win over later ones.
        sources: list[Node] = []
        for merge in merges:
            if isinstance(merge, SequenceNode):
                sources.extend(merge.value)
            else:
                sources.append(merge)
        for source_node in sources:
            merged = self.build(source_node)
            if not isinstance(merged, dict):
                raise self.fail(source_node, "map merge requires map or sequence of maps as the value")
            for key, value in merged.items():
                result.setdefault(key, value)


_DIRECTIVE_RE = re.compile(r"^%", re.MULTILINE)


def _check_go_yaml_syntax(text: str, source: str) -> None:
    """Refuses the little that libyaml accepts but kyaml (go-yaml v3) does not."""
    if _DIRECTIVE_RE.search(text):
        raise UsageError("yaml: did not find expected <document start> (directives are not supported)",
                         location=source)
    if "\\/" in text:
        # YAML 1.2's "\/" escape is unknown to go-yaml; find it inside a double-quoted scalar.
        try:
            for token in yaml.scan(text, Loader=yaml.CSafeLoader):
                if isinstance(token, yaml.ScalarToken) and token.style == '"':
                    raw = text[token.start_mark.index : token.end_mark.index]
                    if re.search(r"(?<!\\)(?:\\\\)*\\/", raw):
                        line = token.start_mark.line + 1
                        raise UsageError(f"line {line}: yaml: found unknown escape character", location=source)
        except yaml.YAMLError:
            pass  # the parse proper reports syntax errors


def _compose_all(text: str, source: str) -> list[Node | None]:
    if "%" in text or "\\/" in text:
        _check_go_yaml_syntax(text, source)
    loader = _ComposeOnly(text)
    nodes: list[Node | None] = []
    try:
        while loader.check_node():
            nodes.append(loader.get_node())
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source, 0) from None
    finally:
        loader.dispose()
    return nodes


def _yaml_error(exc: yaml.YAMLError, source: str, line_offset: int) -> UsageError:
    """A parser error as one line naming the file and, when known, the line in the whole file."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark
        where = f"line {mark.line + 1 + line_offset}: " if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        return UsageError(f"{where}yaml: {problem}", location=source)
    return UsageError(f"yaml: {str(exc).splitlines()[0]}", location=source)


def _kyaml_pieces(text: str, source: str) -> list[tuple[str, int]]:
    """The text split into documents the way kyaml does it: at lines starting with "---".

    kyaml splits before parsing, and then reads only the first document of each piece, so
    anything after a "..." end marker without a following "---" line is ignored.
    """
    if "---" not in text:
        return [(text, 0)]
    pieces: list[tuple[str, int]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n")):
        if line.startswith("---"):
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                raise UsageError(f"line {number + 1}: invalid document separator: {line.rstrip()}", location=source)
            # The line break before the separator still ends the piece's last line.
            pieces.append(("\n".join(current) + "\n", start))
            current = []
            start = number + 1
        else:
            current.append(line)
    pieces.append(("\n".join(current), start))
    return pieces


def _compose_kyaml(text: str, source: str) -> list[tuple[Node, str, int]]:
    """(first document node, piece text, line offset) of every non-empty kyaml document."""
    if "%" in text or "\\/" in text:
        _check_go_yaml_syntax(text, source)
    out: list[tuple[Node, str, int]] = []
    for piece, offset in _kyaml_pieces(text, source):
        if not piece.strip():
            continue
        loader = _ComposeOnly(piece)
        try:
            node = loader.get_node() if loader.check_node() else None
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, source, offset) from None
        finally:
            loader.dispose()
        if not _is_empty_document(node):
            assert node is not None
            out.append((node, piece, offset))
    return out


def _is_empty_document(node: Node | None) -> bool:
    if node is None:
        return True
    return isinstance(node, ScalarNode) and node.tag == _PLAIN_TAG and node.value in _V2_NULLS


def _annotation_text(node: Node) -> str:
    """kyaml reads annotation values as the scalar's source text; anything else reads as ''."""
    return node.value if isinstance(node, ScalarNode) else ""


def _fix_annotations(root: Node, obj: dict[str, Any], via_json: bool) -> None:
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict) or "annotations" not in metadata:
        return
    texts: dict[str, str] = {}
    if via_json:
        annotations = metadata["annotations"]
        if isinstance(annotations, dict):
            texts = {key: _json_annotation_text(value) for key, value in annotations.items()}
    else:
        annotations_node: Node | None = None
        assert isinstance(root, MappingNode)
        for key_node, value_node in root.value:
            if key_node.value == "metadata" and isinstance(value_node, MappingNode):
                for inner_key, inner_value in value_node.value:
                    if isinstance(inner_key, ScalarNode) and inner_key.value == "annotations":
                        annotations_node = inner_value
        if isinstance(annotations_node, MappingNode):
            for key_node, value_node in annotations_node.value:
                if isinstance(key_node, ScalarNode):
                    texts[key_node.value] = _annotation_text(value_node)
        elif isinstance(annotations_node, SequenceNode):
            # kyaml walks a sequence here as if it were key/value pairs (and crashes on odd lengths).
            items = annotations_node.value
            if len(items) % 2:
                raise UsageError("metadata.annotations is a list with an odd number of items")
            for index in range(0, len(items), 2):
                texts[_annotation_text(items[index])] = _annotation_text(items[index + 1])
    for key in texts:
        if not kyaml_plain_is_string(key):
            # kustomize rewrites annotations with plain keys, which then read back as non-strings.
            raise UsageError(
                f"json: unsupported type: map[interface {{}}]interface {{}} (annotation key {key!r})"
            )
    if texts:
        metadata["annotations"] = texts
    else:
        del metadata["annotations"]


def _alias_budget(text: str) -> int:
    return 100_000 + 20 * len(text)


_LOAD_CACHE: dict[str, list[dict[str, Any]]] = {}
_LOAD_CACHE_LIMIT = 256


def _copy(value: Any) -> Any:
    """Deep copy of plain data (dicts, lists, immutable scalars), much cheaper than copy.deepcopy."""
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    return value


def load_resource_documents(text: str, source: str) -> list[dict[str, Any]]:
    """Every non-empty document of a resource file, parsed as kustomize reads resources.

    A document whose kind ends in "List" and that has `items` is replaced by its items (recursively).
    Like kustomize, every resource needs a mapping with `kind` and `metadata.name`.
    The result is the caller's to mutate: repeated loads of the same text return fresh copies.
    """
    cached = _LOAD_CACHE.get(text)
    if cached is None:
        cached = _without_gc(_load_resources, text, source)
        if len(_LOAD_CACHE) >= _LOAD_CACHE_LIMIT:
            _LOAD_CACHE.pop(next(iter(_LOAD_CACHE)))
        _LOAD_CACHE[text] = cached
    return [_copy(doc) for doc in cached]


def _without_gc(func: Callable[[str, str], _T], text: str, source: str) -> _T:
    # Parsing allocates many small objects that never form cycles; the collector only slows it down.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return func(text, source)
    finally:
        if enabled:
            gc.enable()


def _load_resources(text: str, source: str) -> list[dict[str, Any]]:
    documents = _compose_kyaml(text, source)
    builder = _Builder(source, _alias_budget(text), _resolve_v3)
    out: list[dict[str, Any]] = []
    for node, piece, offset in documents:
        builder.text, builder.line_offset = piece, offset
        try:
            _collect_resource(builder, node, out, len(documents) == 1)
        except RecursionError:
            raise builder.fail(node, "document nests too deeply") from None
    return out


def load_yaml_documents(text: str, source: str) -> list[Any]:
    """Every non-empty document as plain data with kyaml's scalar rules, without resource checks.

    For patch files and other inputs read through kyaml that are not necessarily resources.
    """
    builder = _Builder(source, _alias_budget(text), _resolve_v3)
    out: list[Any] = []
    for node, piece, offset in _compose_kyaml(text, source):
        builder.text, builder.line_offset = piece, offset
        try:
            out.append(builder.build(node, top_level=isinstance(node, MappingNode)))
        except RecursionError:
            raise builder.fail(node, "document nests too deeply") from None
    return out


def _go_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "map[string]interface {}"


def _json_annotation_text(value: Any) -> str:
    """An annotation value read back after a JSON round trip: JSON text for scalars, '' otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return ""
    from rosgit.kustomize.hashing import go_json

    return go_json(value)


def _collect_resource(
    builder: _Builder, node: Node, out: list[dict[str, Any]], single: bool, in_list: int = 0
) -> None:
    """Adds the resource(s) of one document node.

    kustomize expands the items of a List in a one-document file from the parsed nodes, but goes
    through JSON for a List in a multi-document file and for Lists nested in Lists; the two paths
    differ in how annotations read and in how a non-list `items` is treated.
    """
    if not isinstance(node, MappingNode):
        kind_of = _node_kind(node)
        raise builder.fail(node, f"missing Resource metadata (the document is a {kind_of}, not a mapping)")
    obj = builder.build(node, top_level=True)
    via_json = in_list > 1 or (in_list == 1 and not single)
    _fix_annotations(node, obj, via_json)
    kind = obj.get("kind")
    if isinstance(kind, str) and kind.endswith("List"):
        if "items" not in obj:
            # kustomize keeps an item-less list as an ordinary (nameless) resource.
            obj.setdefault("metadata", {})
            out.append(obj)
            return
        items_node = next(v for k, v in node.value if isinstance(k, ScalarNode) and k.value == "items")
        if isinstance(items_node, SequenceNode):
            for item_node in items_node.value:
                _collect_resource(builder, item_node, out, single, in_list + 1)
        elif obj["items"] is not None and (in_list or not single):
            raise builder.fail(node, f"expected array in {kind}/items, but found {_go_type_name(obj['items'])}")
        return
    if kind in (None, ""):
        raise builder.fail(node, "missing kind in object")
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if name in (None, ""):
        raise builder.fail(node, f"missing metadata.name in object of kind {kind}")
    out.append(obj)


def _node_kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "sequence"
    if isinstance(node, ScalarNode):
        return "scalar"
    return "mapping"


# ---------------------------------------------------------------------------------------------
# kustomization.yaml: sigs.k8s.io/yaml -> go-yaml v2 (YAML 1.1 scalars) -> JSON -> Go structs
# ---------------------------------------------------------------------------------------------

_V2_BOOLS = {
    "y": True, "Y": True, "yes": True, "Yes": True, "YES": True,
    "on": True, "On": True, "ON": True, "true": True, "True": True, "TRUE": True,
    "n": False, "N": False, "no": False, "No": False, "NO": False,
    "off": False, "Off": False, "OFF": False, "false": False, "False": False, "FALSE": False,
}  # fmt: skip
_V2_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_V2_SPECIAL_FLOATS = frozenset(
    (".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF")
)


def _resolve_v2_value(text: str) -> Any:
    """go-yaml v2's value for an untagged plain scalar (timestamps stay strings in v2's generic decode)."""
    if text in _V2_NULLS:
        return None
    if text in _V2_BOOLS:
        return _V2_BOOLS[text]
    if text in _V2_SPECIAL_FLOATS:
        raise _NotJSON(text)
    first = text[0]
    if first == ".":
        if _DOT_FLOAT_RE.fullmatch(text):
            parsed = float(text.replace("_", ""))
            if not math.isinf(parsed):
                return _json_number(parsed)
        return text
    if first in "+-0123456789":
        plain = text.replace("_", "")
        number: int | float | None = _go_parse_int(plain) if plain else None
        if number is None and plain:
            number = _go_parse_yaml_float(plain)
        if number is None and plain.startswith("0b"):
            number = _go_parse_int(plain)
        if number is not None:
            return _json_number(number)
    return text


def load_kustomization(text: str, source: str) -> dict[str, Any]:
    """A kustomization file's content as kustomize's strict Go decode sees it (YAML 1.1 scalars)."""
    # Only the first document counts; kustomize silently ignores any others.
    nodes = _compose_all(text, source)
    if not nodes or _is_empty_document(nodes[0]):
        return {}
    node = nodes[0]
    builder = _Builder(source, _alias_budget(text), _resolve_v2_value, kyaml=False)
    assert node is not None
    if not isinstance(node, MappingNode):
        raise builder.fail(
            node, f"invalid Kustomization: cannot unmarshal {_node_kind(node)} into a Kustomization mapping"
        )
    try:
        result = builder.build(node)
    except RecursionError:
        raise builder.fail(node, "document nests too deeply") from None
    assert isinstance(result, dict)
    return result


def load_yaml11_value(text: str, source: str) -> Any:
    """The first document of any shape, read as sigs.k8s.io/yaml reads into Go structs (YAML 1.1).

    For snippets kustomize decodes like its kustomization file (JSON 6902 operations, replacement
    files); an empty document gives None.
    """
    nodes = _compose_all(text, source)
    if not nodes or _is_empty_document(nodes[0]):
        return None
    node = nodes[0]
    assert node is not None
    builder = _Builder(source, _alias_budget(text), _resolve_v2_value, kyaml=False)
    try:
        return builder.build(node)
    except RecursionError:
        raise builder.fail(node, "document nests too deeply") from None


def kyaml_plain_is_string(text: str) -> bool:
    """Whether kyaml reads `text`, written as a plain (unquoted) scalar, back as a string.

    kustomize writes keys it creates (label and annotation keys from a kustomization, generator
    data keys) as plain scalars; a key like "9" or "true" then reads back as a number or a bool
    and `kustomize build` fails with "json: unsupported type: map[interface {}]interface {}".
    """
    try:
        value = _resolve_v3(text)
    except _NotJSON:
        return False
    return value == text and isinstance(value, str)


# ---------------------------------------------------------------------------------------------
# Go float formatting
# ---------------------------------------------------------------------------------------------


def _shortest_digits(value: float) -> tuple[str, int]:
    """(digits, decimal point position) of the shortest round-trip representation of |value|."""
    if value == 0:
        return "0", 1
    sign_digits_exp = decimal.Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, sign_digits_exp.digits)).lstrip("0") or "0"
    exponent = int(sign_digits_exp.exponent)
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    return stripped, len(stripped) + exponent


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


# ---------------------------------------------------------------------------------------------
# go-yaml v2 emitter
# ---------------------------------------------------------------------------------------------

_BEST_WIDTH = 80


def _v2_resolves_non_string(text: str) -> bool:
    """True when go-yaml v2 would read `text` as plain YAML into something other than a string."""
    if text in _V2_NULLS or text in _V2_BOOLS or text in _V2_SPECIAL_FLOATS:
        return True
    first = text[0]
    if first == ".":
        return _DOT_FLOAT_RE.fullmatch(text) is not None
    if first in "+-0123456789":
        try:
            if first.isdigit() and _parse_timestamp(text) is not None:
                return True
        except _NotJSON:
            return True
        plain = text.replace("_", "")
        if not plain:
            return False
        if _go_parse_int(plain) is not None:
            return True
        if _YAML_FLOAT_RE.fullmatch(plain):
            return not math.isinf(float(plain))
        return False
    return False


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


_BREAKS = frozenset("\r\n\x85\u2028\u2029")
_FLOW_INDICATORS_FIRST = frozenset("#,[]{}&*!|>'\"%@`")


class _Analysis:
    __slots__ = ("block_allowed", "block_plain", "multiline", "single_allowed", "special")

    def __init__(self, block_plain: bool, single_allowed: bool, block_allowed: bool, multiline: bool,
                 special: bool) -> None:
        self.block_plain = block_plain
        self.single_allowed = single_allowed
        self.block_allowed = block_allowed
        self.multiline = multiline
        self.special = special


def _analyze(value: str) -> _Analysis:
    if not value:
        return _Analysis(True, True, False, False, False)
    block_indicators = False
    if value.startswith(("---", "...")):
        # Unlike a YAML reader, the emitter treats any leading "---"/"..." as an indicator.
        block_indicators = True
    preceded_by_ws = True
    length = len(value)
    special = line_breaks = False
    leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = previous_space = previous_break = False
    for i, ch in enumerate(value):
        nxt = value[i + 1] if i + 1 < length else ""
        followed_by_ws = nxt == "" or nxt in " \t\r\n\x85\u2028\u2029"
        if i == 0:
            if ch in _FLOW_INDICATORS_FIRST:
                block_indicators = True
            elif ch in "?:":
                if followed_by_ws:
                    block_indicators = True
            elif ch == "-" and followed_by_ws:
                block_indicators = True
        else:
            if ch == ":":
                if followed_by_ws:
                    block_indicators = True
            elif ch == "#" and preceded_by_ws:
                block_indicators = True
        if not _is_printable(ch):
            special = True
        if ch in _BREAKS:
            line_breaks = True
        if ch == " ":
            if i == 0:
                leading_space = True
            if i == length - 1:
                trailing_space = True
            if previous_break:
                break_space = True
            previous_space = True
            previous_break = False
        elif ch in _BREAKS:
            if i == 0:
                leading_break = True
            if i == length - 1:
                trailing_break = True
            if previous_space:
                space_break = True
            previous_break = True
            previous_space = False
        else:
            previous_space = previous_break = False
        preceded_by_ws = ch in " \t\r\n\x85\u2028\u2029"
    block_plain = single_allowed = block_allowed = True
    if leading_space or leading_break or trailing_space or trailing_break:
        block_plain = False
    if trailing_space:
        block_allowed = False
    if break_space:
        block_plain = single_allowed = False
    if space_break or special:
        block_plain = single_allowed = block_allowed = False
    if line_breaks:
        block_plain = False
    if block_indicators:
        block_plain = False
    return _Analysis(block_plain, single_allowed, block_allowed, line_breaks, special)


_PLAIN, _SINGLE, _DOUBLE, _LITERAL = 0, 1, 2, 3
_JSON_RAW_FORBIDDEN = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_STYLE_CACHE: dict[str, tuple[int, int, bool]] = {}


def _styles(value: str) -> tuple[int, int, bool]:
    """(style as a map value / sequence item, style as a simple key, usable as a simple key)."""
    cached = _STYLE_CACHE.get(value)
    if cached is not None:
        return cached
    if _JSON_RAW_FORBIDDEN.search(value):
        # JSON leaves these raw, and go-yaml's reader then refuses the JSON text.
        raise UsageError(f"yaml: control characters are not allowed (in {value[:40]!r})")
    info = _analyze(value)
    can_plain = bool(value) and not _v2_resolves_non_string(value) and not _BASE60_RE.fullmatch(value)
    if "\n" in value:
        value_style = _LITERAL if info.block_allowed else _DOUBLE
        key_style = _DOUBLE
    elif can_plain:
        if info.block_plain:
            value_style = key_style = _PLAIN
        elif info.single_allowed:
            value_style = key_style = _SINGLE
        else:
            value_style = key_style = _DOUBLE
    else:
        value_style = key_style = _DOUBLE
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
    if not force and _is_printable(ch) and ch not in _BREAKS and ch not in '"\\' and ch != "\ufeff":
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


def _write_plain(value: str, column: int, indent: int, allow_breaks: bool) -> str:
    """Plain scalar text starting after a separating space at `column`, folding like libyaml."""
    if not allow_breaks or column + len(value) <= _BEST_WIDTH + 1:
        return value
    out: list[str] = []
    spaces = False
    length = len(value)
    pad = "\n" + " " * indent
    for i, ch in enumerate(value):
        if ch == " ":
            nxt = value[i + 1] if i + 1 < length else ""
            if not spaces and column > _BEST_WIDTH and nxt != " ":
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


def _write_single(value: str, column: int, indent: int, allow_breaks: bool) -> str:
    """Single-quoted text (quotes included); `column` is where the opening quote goes."""
    out: list[str] = ["'"]
    column += 1
    spaces = breaks = False
    length = len(value)
    pad = "\n" + " " * indent
    for i, ch in enumerate(value):
        if ch == " ":
            nxt = value[i + 1] if i + 1 < length else ""
            if allow_breaks and not spaces and column > _BEST_WIDTH and 0 < i < length - 1 and nxt != " ":
                out.append(pad)
                column = indent
            else:
                out.append(ch)
                column += 1
            spaces = True
        elif ch in _BREAKS:
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


def _write_double(value: str, column: int, indent: int, allow_breaks: bool) -> str:
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
            if allow_breaks and not spaces and column > _BEST_WIDTH and 0 < i < length - 1:
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


def _write_literal(value: str, indent: int) -> str:
    """Literal block text starting with '|' (hints included), ending without the final line break."""
    head = "|"
    if value[0] == " " or value[0] in _BREAKS:
        head += "2"
    last = value[-1]
    if last not in _BREAKS:
        head += "-"
    elif len(value) == 1 or value[-2] in _BREAKS:
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
        if ch in _BREAKS:
            out.append(ch)
            breaks = True
        else:
            if breaks:
                out.append(pad)
                breaks = False
            out.append(ch)
    text = "".join(out)
    return text[:-1] if text.endswith("\n") else text


def _scalar_text(value: Any) -> str | None:
    """Text of a non-string scalar, or None for strings and containers."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if _INT64_MIN <= value < _UINT64_LIMIT:
            return str(value)
        return format_go_float(float(value))
    if isinstance(value, float):
        if math.isnan(value):
            raise UsageError("json: unsupported value: NaN")
        if math.isinf(value):
            raise UsageError("json: unsupported value: " + ("+Inf" if value > 0 else "-Inf"))
        normalised = _json_number(value)
        if isinstance(normalised, int):
            return str(normalised)
        return format_go_float(normalised)
    return None


_UNFOLDED: dict[str, str] = {}


def _unfolded(value: str) -> str:
    """' ' + the value's text when nothing folds; '' for literal blocks (their layout needs the indent)."""
    style = _styles(value)[0]
    if style == _PLAIN:
        text = " " + value
    elif style == _DOUBLE:
        text = " " + _write_double(value, 0, 0, False)
    elif style == _SINGLE and not any(ch in value for ch in _BREAKS):
        text = " " + _write_single(value, 0, 0, False)
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
        if short and column + len(short) <= _BEST_WIDTH + 1:
            return short
        style = _styles(value)[0]
        if style == _PLAIN:
            return " " + _write_plain(value, column + 1, indent, True)
        if style == _DOUBLE:
            return " " + _write_double(value, column + 1, indent, True)
        if style == _SINGLE:
            return " " + _write_single(value, column + 1, indent, True)
        return " " + _write_literal(value, indent)
    if isinstance(value, str):
        return _value_scalar(str(value), column, indent)
    text = _scalar_text(value)
    if text is None:
        raise UsageError(f"cannot print a value of type {type(value).__name__}")
    return " " + text


def _key_text(key: str) -> str | None:
    """The key as a simple (inline) key, or None when it needs the '? ' long form."""
    if "\x85" in key:
        # In the JSON text go-yaml re-reads, a NEL turns the key into an illegal multi-line key.
        raise UsageError(f"yaml: did not find expected ',' or '}}' (key {key!r} holds U+0085)")
    if len(key) > 170:  # JSON escapes take at most 6 characters each
        from rosgit.kustomize.hashing import go_json_string

        if len(go_json_string(key)) > 1024:
            # YAML allows at most 1024 characters from a simple key to its ':' in the JSON text.
            raise UsageError(f"yaml: did not find expected ',' or '}}' (key of {len(key)} characters)")
    _, key_style, simple = _styles(key)
    if not simple:
        return None
    if key_style == _PLAIN:
        return key
    if key_style == _SINGLE:
        return _write_single(key, 0, 0, False)
    return _write_double(key, 0, 0, False)


_KEY_CACHE: dict[str, str | None] = {}


def _go_less(a: str, b: str) -> bool:
    """go-yaml v2's key ordering: letters after non-letters, digit runs compared numerically."""
    la, lb = len(a), len(b)
    for i in range(min(la, lb)):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < la and a[ai].isdecimal():
            an = _wrap64(an * 10 + ord(a[ai]) - 48)
            ai += 1
        bi = i
        while bi < lb and b[bi].isdecimal():
            bn = _wrap64(bn * 10 + ord(b[bi]) - 48)
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return la < lb


def _wrap64(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def _go_cmp(a: str, b: str) -> int:
    if _go_less(a, b):
        return -1
    if _go_less(b, a):
        return 1
    return 0


_SORT_KEY = functools.cmp_to_key(_go_cmp)
_ORDER_CACHE: dict[tuple[str, ...], list[str]] = {}
_SIMPLE_KEY_RE = re.compile(r"[A-Za-z]+")


def natural_key_sort(keys: list[str]) -> list[str]:
    """Keys in the order go-yaml v2 writes map keys."""
    if len(keys) < 2:
        return keys
    signature = tuple(keys)
    cached = _ORDER_CACHE.get(signature)
    if cached is not None:
        return cached
    # Pure ASCII letters compare by code point, which is what str ordering does.
    simple = all(_SIMPLE_KEY_RE.fullmatch(k) for k in keys)
    ordered = sorted(keys) if simple else sorted(keys, key=_SORT_KEY)
    if len(_ORDER_CACHE) < 50_000:
        _ORDER_CACHE[signature] = ordered
    return ordered


_KEY_COLON: dict[str, str | None] = {}


def _key_colon(key: str) -> str | None:
    """'key:' as written inline, or None when the key needs the '? ' long form."""
    text = _key_text(key)
    result = None if text is None else text + ":"
    if len(_KEY_COLON) < 100_000:
        _KEY_COLON[key] = result
    return result


def _ordered_keys(mapping: dict[str, Any]) -> list[str] | tuple[str, ...]:
    if len(mapping) < 2:
        return tuple(mapping)
    signature = tuple(mapping)
    cached = _ORDER_CACHE.get(signature)
    return cached if cached is not None else natural_key_sort(list(signature))


def _emit_mapping(mapping: dict[str, Any], indent: int, lead: str, out: list[str]) -> None:
    """Block mapping with keys at `indent`; `lead` starts the first line (indentation or '- ')."""
    # The common cases (short strings, numbers, nested containers) are inlined: this loop runs
    # for every key of every object and dominates printing time.
    pad = " " * indent
    inner = indent + 2
    start = lead
    width_left = _BEST_WIDTH + 1 - indent
    for key in _ordered_keys(mapping):
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
            out.append(start + head + " " + _scalar_text(value) + "\n")  # type: ignore[operator]
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
    width_left = _BEST_WIDTH - indent
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
