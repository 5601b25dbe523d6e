"""A component's generated ConfigMap: its data as a helper with `${var}`s read from values, named by the
hash of the rendered data exactly as kustomize's configMapGenerator names it in the overlays."""

from __future__ import annotations

import json

import yaml

from rosgit.catalog.model import Catalog, Component
from rosgit.fileset.text import text_file
from rosgit.generate.workloads import CONFIG_VAR, config_key
from rosgit.helm.template import Inline, block_scalar, escape
from rosgit.helm.templates.metadata import (
    COMPONENT_METADATA_LABELS,
    RELEASE_NAMESPACE,
    config_map_name,
    go_string,
)
from rosgit.helm.values import var_ref
from rosgit.k8s.objects import Obj


def config_data_helper(catalog: Catalog, component: Component) -> str:
    """The helpers defining the ConfigMap's data as YAML and its hashed name, for _helpers.tpl."""
    assert component.config is not None
    lines = [f'{{{{- define "ros-ocp.configData.{component.config.name}" -}}}}']
    for path in sorted(component.config.files):
        raw = text_file(component.config.files[path])
        parts = CONFIG_VAR.split(raw)
        text = "".join(
            escape(part) if i % 2 == 0 else f"{{{{ {var_ref(catalog, part)} }}}}"
            for i, part in enumerate(parts)
        )
        key = yaml.safe_dump(config_key(path), width=float("inf")).removesuffix("\n...\n").rstrip("\n")
        if "\n" in raw and "\r" not in raw and "\t" not in raw and not raw.startswith("\n"):
            first, *rest = block_scalar(text, 2, literal=True)
            lines.append(f"{key}: {first}")
            lines.extend(rest)
        else:
            lines.append(f"{key}: {escape(json.dumps(raw))}")
    lines.append("{{ end }}")
    name = component.config.name
    lines += [
        f'{{{{- define "ros-ocp.configMapName.{name}" -}}}}',
        f'{{{{- $data := include "ros-ocp.configData.{name}" . | fromYaml -}}}}',
        f'{{{{- include "ros-ocp.hashedName" (dict "name" {go_string(name)} "data" $data) -}}}}',
        "{{- end }}",
    ]
    return "\n".join(lines)


def config_map(component: Component) -> Obj:
    assert component.config is not None
    name = component.config.name
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": config_map_name(name),
            "namespace": RELEASE_NAMESPACE,
            "labels": COMPONENT_METADATA_LABELS,
        },
        "data": Inline(f'{{{{ include "ros-ocp.configData.{name}" $ | fromYaml | toJson }}}}'),
    }
