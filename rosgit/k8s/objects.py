"""Kubernetes objects as plain data, and the one way a YAML stream becomes them."""

from __future__ import annotations

import re
from typing import Any

import yaml

from rosgit.userfiles import alias_budget, check_node_graph, check_yaml_depth

Obj = dict[str, Any]

# A merge key (`<<:`) where YAML allows a key. Merges are expanded while constructing, before any check
# could run; without them construction is linear, aliases only sharing objects.
_MERGE_KEY = re.compile(r"(?:^|[\s{,])<<\s*:", re.MULTILINE)


def load_objects(text: str, *, source: str = "<yaml>") -> list[Obj]:
    """The mappings of a multi-document YAML stream, in order; empty documents and non-mappings are dropped.

    Under the input policy's limits (`rosgit.userfiles`): the stream may be a file a user edited (argocd/,
    sealed secrets), and PyYAML would expand an alias bomb until memory runs out.
    """
    check_yaml_depth(text, location=source)
    if "&" not in text or "*" not in text:  # no anchor and alias pair, nothing to expand
        return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if isinstance(doc, dict)]
    if not _MERGE_KEY.search(text):
        # Shell scripts in a build's ConfigMaps hold `&&` and ` *`: usually no alias at all, which shows as
        # no mapping or list constructed twice. Only a stream that does share one is measured node by node.
        loaded = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
        if not _shares_a_container(loaded):
            return [doc for doc in loaded if isinstance(doc, dict)]
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


def _shares_a_container(docs: list[Any]) -> bool:
    """Whether an alias made one mapping or list appear twice (PyYAML constructs an alias as the same object)."""
    seen: set[int] = set()
    stack = list(docs)
    while stack:
        item = stack.pop()
        if isinstance(item, dict | list):
            if id(item) in seen:
                return True
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
    return False
