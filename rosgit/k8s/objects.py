"""Kubernetes objects as plain data, and the one way a YAML stream becomes them."""

from __future__ import annotations

from typing import Any

import yaml

from rosgit.userfiles import alias_budget, check_node_graph, check_yaml_depth

Obj = dict[str, Any]


def load_objects(text: str, *, source: str = "<yaml>") -> list[Obj]:
    """The mappings of a multi-document YAML stream, in order; empty documents and non-mappings are dropped.

    Under the input policy's limits (`rosgit.userfiles`): the stream may be a file a user edited (argocd/,
    sealed secrets), and PyYAML would expand an alias bomb until memory runs out.
    """
    check_yaml_depth(text, location=source)
    if "&" not in text or "*" not in text:  # no anchor and alias pair, nothing to expand (build output)
        return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if isinstance(doc, dict)]
    loader = yaml.CSafeLoader(text)
    docs: list[Obj] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            check_node_graph(node, budget=alias_budget(text), location=source)
            doc = loader.construct_document(node)
            if isinstance(doc, dict):
                docs.append(doc)
    finally:
        loader.dispose()
    return docs
