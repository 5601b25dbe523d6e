"""Turning composed nodes into plain data in one tight recursive pass, as kyaml + JSON (or
sigs.k8s.io/yaml) would: tags, merge keys, aliases (copied), folded blocks, key rules."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rosgit.errors import UsageError
from rosgit.kustomize.gojson import NotJSON
from rosgit.kustomize.yamlio.compose import PLAIN_TAG, STR_TAG
from rosgit.kustomize.yamlio.scalars import scalar_text
from rosgit.kustomize.yamlio.timestamps import parse_timestamp
from rosgit.userfiles import MAX_DEPTH, alias_budget, alias_error, depth_error

__all__ = ["Builder", "alias_budget"]

_MERGE_KEY = "<<"


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


class Builder:
    """Turns composed nodes into plain data the way kyaml + JSON would, copying aliased subtrees."""

    def __init__(
        self, source: str, budget: int, resolve_plain: Callable[[str], Any], *, kyaml: bool = True, text: str = ""
    ) -> None:
        self.text = text
        self.line_offset = 0
        self.depth = 0  # collections open on the way to the node being built, aliases expanded
        self.source = source
        self.budget = budget
        self.initial_budget = budget
        self.resolve_plain = resolve_plain
        # kyaml mode: resource semantics (unique keys, kyaml's key quirks); otherwise sigs.k8s.io/yaml's
        # YAML-to-JSON conversion (last duplicate wins, every key stringified).
        self.kyaml = kyaml

    def fail(self, node: Node, message: str) -> UsageError:
        mark = node.start_mark
        return UsageError(f"line {mark.line + 1 + self.line_offset}: {message}", location=self.source)

    def scalar(self, node: ScalarNode, in_flow: bool = False) -> Any:
        tag = node.tag
        if tag == PLAIN_TAG:
            if in_flow and not node.value:
                # A value left out inside a flow collection ("{a, b}") reads as "" in kyaml.
                return ""
            try:
                return self.resolve_plain(node.value)
            except NotJSON as exc:
                raise self.fail(node, f"json: unsupported value: {exc}") from None
        if node.style == ">" and self.kyaml and ("\n " in node.value or "\n\t" in node.value):
            folded = self.refold(node)
            if tag == STR_TAG or not tag.startswith("tag:yaml.org,2002:"):
                return folded
        if tag == STR_TAG or not tag.startswith("tag:yaml.org,2002:"):
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
                stamp = parse_timestamp(text)
            except NotJSON as exc:
                raise self.fail(node, f"json: unsupported value: {exc}") from None
            if stamp is None:
                raise self.fail(node, f"cannot decode !!str `{text}` as a !!timestamp")
            return stamp
        if short not in ("int", "float", "bool", "null"):
            return text
        try:
            resolved = self.resolve_plain(text)
        except NotJSON as exc:
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
            return value if isinstance(value, str) else (scalar_text(value) or "")
        text = node.value
        if isinstance(value, str) and (value == text or node.tag != PLAIN_TAG):
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
            # go-yaml's words ("excessive aliasing"), with the limit named
            raise alias_error(node.start_mark.line + self.line_offset, self.initial_budget, self.source)
        if isinstance(node, ScalarNode):
            return self.scalar(node, in_flow)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise depth_error(node.start_mark.line + self.line_offset, self.source)
        try:
            return self.collection(node, top_level)
        finally:
            self.depth -= 1

    def collection(self, node: Node, top_level: bool) -> Any:
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            merges: list[Node] = []
            quoted_merge_keys = 0
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == _MERGE_KEY:
                    if key_node.tag in (PLAIN_TAG, "tag:yaml.org,2002:merge"):
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
