"""Read-only views of built Kubernetes objects shared by the lint rules: names, pod templates, selectors.

The views themselves live in rosgit.k8s (the sync-order model walks pods the same way); they are
re-exported here so every rule imports its vocabulary from one place.
"""

from __future__ import annotations

from rosgit.k8s import podspec
from rosgit.k8s.meta import annotations_of, metadata, name_of, namespace_of, ref
from rosgit.k8s.objects import Obj
from rosgit.k8s.podspec import (
    TEMPLATE_KINDS,
    PodTemplate,
    map_selector_matches,
    pod_template_of,
    selector_matches,
)
from rosgit.lint.shared import per_objects

__all__ = [
    "TEMPLATE_KINDS",
    "Obj",
    "PodTemplate",
    "annotations_of",
    "by_kind",
    "map_selector_matches",
    "metadata",
    "name_of",
    "namespace_of",
    "pod_template_of",
    "pod_templates",
    "ref",
    "selector_matches",
]


# every rule walks the overlay's pod templates: one walk per lint_objects call
pod_templates = per_objects(podspec.pod_templates)


def by_kind(objects: list[Obj], *kinds: str) -> list[Obj]:
    return [obj for obj in objects if obj.get("kind") in kinds]
