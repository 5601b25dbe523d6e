"""Composing YAML nodes with libyaml, split into documents and checked the way kyaml (go-yaml v3) does it."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import Node, ScalarNode, SequenceNode

from rosgit.errors import UsageError
from rosgit.kustomize.yamlio.scalars import V2_NULLS
from rosgit.userfiles import check_yaml_depth

STR_TAG = "tag:yaml.org,2002:str"
# The marker tag of an untagged plain scalar, which this package resolves itself.
PLAIN_TAG = "!rosgit/plain"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _ComposeOnly(yaml.CSafeLoader):
    """libyaml composes; every untagged plain scalar keeps a marker tag so we resolve it ourselves."""

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:  # noqa: ARG002 (PyYAML's signature)
        if kind is ScalarNode:
            return PLAIN_TAG if implicit[0] else STR_TAG
        if kind is SequenceNode:
            return _SEQ_TAG
        return _MAP_TAG

    # Path-based resolvers are unused; skipping their bookkeeping saves two calls per node.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:  # noqa: ARG002 (PyYAML's signature)
        return None

    def ascend_resolver(self) -> None:
        return None


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


def compose_all(text: str, source: str) -> list[Node | None]:
    if "%" in text or "\\/" in text:
        _check_go_yaml_syntax(text, source)
    check_yaml_depth(text, location=source)
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


def compose_kyaml(text: str, source: str) -> list[tuple[Node, str, int]]:
    """(first document node, piece text, line offset) of every non-empty kyaml document."""
    if "%" in text or "\\/" in text:
        _check_go_yaml_syntax(text, source)
    check_yaml_depth(text, location=source)
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
        if not is_empty_document(node):
            assert node is not None
            out.append((node, piece, offset))
    return out


def is_empty_document(node: Node | None) -> bool:
    if node is None:
        return True
    return isinstance(node, ScalarNode) and node.tag == PLAIN_TAG and node.value in V2_NULLS


def node_kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "sequence"
    if isinstance(node, ScalarNode):
        return "scalar"
    return "mapping"
