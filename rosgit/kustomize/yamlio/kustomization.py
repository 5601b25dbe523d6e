"""Kustomization files and snippets decoded like them: sigs.k8s.io/yaml -> go-yaml v2 (YAML 1.1
scalars) -> JSON -> Go structs."""

from __future__ import annotations

from typing import Any

from yaml.nodes import MappingNode

from rosgit.kustomize.yamlio.compose import compose_all, is_empty_document, node_kind
from rosgit.kustomize.yamlio.construct import Builder, alias_budget
from rosgit.kustomize.yamlio.scalars import resolve_v2


def load_kustomization(text: str, source: str) -> dict[str, Any]:
    """A kustomization file's content as kustomize's strict Go decode sees it (YAML 1.1 scalars)."""
    # Only the first document counts; kustomize silently ignores any others.
    nodes = compose_all(text, source)
    if not nodes or is_empty_document(nodes[0]):
        return {}
    node = nodes[0]
    builder = Builder(source, alias_budget(text), resolve_v2, kyaml=False)
    assert node is not None
    if not isinstance(node, MappingNode):
        raise builder.fail(
            node, f"invalid Kustomization: cannot unmarshal {node_kind(node)} into a Kustomization mapping"
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
    nodes = compose_all(text, source)
    if not nodes or is_empty_document(nodes[0]):
        return None
    node = nodes[0]
    assert node is not None
    builder = Builder(source, alias_budget(text), resolve_v2, kyaml=False)
    try:
        return builder.build(node)
    except RecursionError:
        raise builder.fail(node, "document nests too deeply") from None
