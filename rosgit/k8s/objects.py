"""Kubernetes objects as plain data, and the one way a YAML stream becomes them."""

from __future__ import annotations

from typing import Any

import yaml

Obj = dict[str, Any]


def load_objects(text: str) -> list[Obj]:
    """The mappings of a multi-document YAML stream, in order; empty documents and non-mappings are dropped."""
    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if isinstance(doc, dict)]
