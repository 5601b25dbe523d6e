"""What every template shares: label and metadata blocks, helper-computed names, the platform switch."""

from __future__ import annotations

import json
from typing import Any

from rosgit.catalog.model import Catalog, Component
from rosgit.errors import UsageError
from rosgit.helm.template import Block, Inline
from rosgit.helm.values import secret_values_key
from rosgit.k8s import labels as L
from rosgit.k8s.objects import Obj

OPENSHIFT = ".Values.global.platform.openshift"
# `$c` is the label arguments each component template defines once (component_label_args)
COMPONENT_LABELS = Block('include "ros-ocp.labels" $c')
COMPONENT_METADATA_LABELS = Block('include "ros-ocp.metadataLabels" $c')
RELEASE_NAMESPACE = Inline("{{ .Release.Namespace }}")
# the published endpoint's host and TLS Secret: the profile's, else the platform's (which has the catalog's)
PUBLISHED_HOST = "coalesce .Values.global.site.profile.host .Values.global.ingress.host"
PUBLISHED_TLS_SECRET = "coalesce .Values.global.site.profile.tlsSecretName .Values.global.ingress.tlsSecretName"


def go_string(text: str) -> str:
    """A Go template string literal."""
    return json.dumps(text)


def component_label_args(component: Component) -> str:
    """The arguments of the ros-ocp.labels helper: the component's labels, overrides included."""
    extra = dict(component.labels)
    for key in (L.PART_OF, L.INSTANCE):
        if key in extra:
            raise UsageError(
                f"component {component.name!r}: label {key} is set by the chart; the Helm export cannot override it"
            )
    name = extra.pop(L.NAME, component.name)
    role = extra.pop(L.COMPONENT, component.role)
    group = extra.pop(L.GROUP, component.group)
    args = f'"name" {go_string(name)} "component" {go_string(role)} "group" {go_string(group)}'
    if extra:
        pairs = " ".join(f"{go_string(k)} {go_string(v)}" for k, v in extra.items())
        args += f' "extra" (dict {pairs})'
    return args


def _selector_block(component: Component) -> Block:
    return Block(f'include "ros-ocp.selectorLabels" {go_string(component.name)}')


def swap_label_maps(node: Any, catalog: Catalog, component: Component) -> Any:
    """Label maps equal to the component's labels or selector become helper includes."""
    labels = L.component_labels(catalog, component)
    selector = L.selector_labels(catalog, component)
    if isinstance(node, dict):
        out: Obj = {}
        for key, value in node.items():
            if key in ("labels", "matchLabels", "selector") and value == labels:
                out[key] = COMPONENT_LABELS
            elif key in ("labels", "matchLabels", "selector") and value == selector:
                out[key] = _selector_block(component)
            else:
                out[key] = swap_label_maps(value, catalog, component)
        return out
    if isinstance(node, list):
        return [swap_label_maps(item, catalog, component) for item in node]
    return node


def set_metadata(obj: Obj, labels: Any, annotations: dict[str, str] | None = None) -> None:
    """Namespace from the release; Argo CD annotations dropped (Helm orders by kind and hooks)."""
    meta = obj["metadata"]
    kept = {
        k: v for k, v in (meta.get("annotations") or {}).items() if not k.startswith("argocd.argoproj.io/")
    }
    kept.update(annotations or {})
    new: Obj = {"name": meta["name"], "namespace": RELEASE_NAMESPACE, "labels": labels}
    if kept:
        new["annotations"] = kept
    obj["metadata"] = new


def set_project_metadata(obj: Obj) -> None:
    """Metadata of an object of the whole stack: the project's labels and the object's own component label."""
    extra = f"{go_string(L.COMPONENT)} {go_string(obj['metadata']['labels'][L.COMPONENT])}"
    set_metadata(
        obj, Block(f'include "ros-ocp.projectMetadataLabels" (dict "root" $ "extra" (dict {extra}))')
    )


def secret_name(name: str) -> Inline:
    """The generated Secret's name, or the existingSecret the values name instead."""
    key = secret_values_key(name)
    return Inline(f'{{{{ include "ros-ocp.secretName" (list $ {go_string(name)} {go_string(key)}) }}}}')


def config_map_name(name: str) -> Inline:
    """A generated ConfigMap's name, hashed from its rendered data as kustomize's configMapGenerator does."""
    return Inline(f'{{{{ include "ros-ocp.configMapName.{name}" $ }}}}')


def authorization_is(mode: str) -> str:
    """The chart's authorization switch (global.authorization.mode, the profile's mode) set to this mode."""
    return f'eq .Values.global.authorization.mode "{mode}"'


def analytics_is(mode: str) -> str:
    """The chart's analytics switch (global.analytics, the profile's `analytics`) set to this mode."""
    return f'eq .Values.global.analytics "{mode}"'
