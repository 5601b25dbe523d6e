"""The catalog edit behind `rosgit promote`, on the text: ruamel's round trip keeps comments, quoting, flow
mappings and key order, so the change is only the lines of the moved pins."""

from __future__ import annotations

import io
from typing import Any

from rosgit.errors import UsageError

# the layout rosgit.yaml is written in (rosgit init's default catalog): the round trip is then byte-identical
_INDENT = {"mapping": 2, "sequence": 4, "offset": 2}
_WIDTH = 4096


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = _WIDTH
    yaml.indent(**_INDENT)
    return yaml


def _environment(environments: Any, name: str, where: str) -> Any:
    if not isinstance(environments, dict) or name not in environments:
        known = ", ".join(sorted(environments)) if isinstance(environments, dict) else "none"
        raise UsageError(f"unknown environment {name!r} (environments: {known})", location=where)
    environment = environments[name]
    if not isinstance(environment, dict):
        raise UsageError(f"environments.{name}: expected a mapping", location=where)
    return environment


def promote_text(text: str, source: str, target: str, *, where: str = "rosgit.yaml") -> str:
    """The catalog text with `target` running exactly what `source` runs: its targetRevision and image pins
    (a pin `source` does not have is removed from `target`, which then runs the default)."""
    if source == target:
        raise UsageError(f"cannot promote {source!r} to itself")
    yaml = _yaml()
    tree = yaml.load(text)
    environments = tree.get("environments") if isinstance(tree, dict) else None
    src = _environment(environments, source, where)
    dst = _environment(environments, target, where)
    if "targetRevision" in src:
        dst["targetRevision"] = src["targetRevision"]
    elif "targetRevision" in dst:
        del dst["targetRevision"]
    pins = src.get("images") or {}
    if not isinstance(pins, dict):
        raise UsageError(f"environments.{source}.images: expected a mapping", location=where)
    if "images" not in dst or not isinstance(dst["images"], dict):
        from ruamel.yaml.comments import CommentedMap

        dst["images"] = CommentedMap()
    images = dst["images"]
    for key in [k for k in images if k not in pins]:
        del images[key]
    for key, ref in pins.items():
        images[key] = ref  # an existing key keeps its place and comment
    source_flow = getattr(pins, "fa", None)
    if source_flow is not None and source_flow.flow_style() and hasattr(images, "fa"):
        images.fa.set_flow_style()  # `images: {a: b}` in dev stays one line in prod
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()
