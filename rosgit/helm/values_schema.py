"""values.schema.json: the shape of values.yaml, closed everywhere (additionalProperties: false), so a
misspelt key fails `helm template` / `helm install` with the key's path instead of being ignored."""

from __future__ import annotations

import json
from typing import Any

from rosgit.fileset.text import HEADER
from rosgit.k8s.objects import Obj

# Kubernetes resource.Quantity: a decimal with an optional exponent or binary/decimal suffix.
QUANTITY_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[mkMGTPE])?$"
QUANTITY: Obj = {"oneOf": [{"type": "string", "pattern": QUANTITY_PATTERN}, {"type": "number", "minimum": 0}]}
ONE_LINE: Obj = {"type": "string", "pattern": "^[^\\n\\r]*$"}
DESCRIPTIONS = {
    "enabled": "Render this component.",
    "replicas": "Pod count.",
    "image": "Container image reference (pin a tag or digest).",
    "command": "Container command; the platform values file sets it where platforms differ.",
    "resources": "Container requests and limits.",
    "storage": "Size of each persistent volume claim.",
    "existingSecret": "Use this existing Secret instead of generating one; it must hold the same keys.",
    "openshift": "Switch on OpenShift: Routes, NetworkPolicies, ServiceMonitors, service CA, no fixed UIDs.",
}


STRING_MAP: Obj = {"type": "object", "additionalProperties": {"type": "string"}}
# one level of site knobs (rosgit.helm.values.site_values): the maps and lists hold the installation's own keys
SITE_KNOBS: dict[str, Obj] = {
    "storageClassNames": STRING_MAP,
    "nodeSelector": STRING_MAP,
    "tolerations": {"type": "array", "items": {"type": "object"}},
    "affinity": {"type": "object"},
    "imagePullSecrets": {
        "type": "array",
        "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
    },
    "labels": STRING_MAP,
    "annotations": STRING_MAP,
    "host": {"type": "string"},
    "tlsSecretName": {"type": "string"},
}


def _site_schema(value: Obj) -> Obj:
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "Site knobs (docs/site-knobs.md): component > profile > platform > catalog.",
        "properties": {key: dict(SITE_KNOBS[key]) for key in value},
    }


def _infer(value: Any, path: tuple[str, ...]) -> Obj:
    parent = path[-2] if len(path) > 1 else ""
    key = path[-1] if path else ""
    if isinstance(value, dict) and (
        (key == "site" and parent != "global") or (parent == "site" and path[-3:-2] == ("global",))
    ):
        return _site_schema(value)
    if parent in ("requests", "limits") or parent == "storage":
        return dict(QUANTITY)
    if parent == "vars":
        return dict(ONE_LINE)
    if isinstance(value, bool):
        schema: Obj = {"type": "boolean"}
    elif isinstance(value, int):
        schema = {"type": "integer"}
        if key in ("replicas", "port"):
            schema["minimum"] = 0
    elif isinstance(value, float):
        schema = {"type": "number"}
    elif isinstance(value, str):
        schema = {"type": "string"}
        if key == "image":
            schema["minLength"] = 1
    elif isinstance(value, list):
        schema = {"type": "array", "items": {"type": "string"}}
    elif isinstance(value, dict):
        schema = {
            "type": "object",
            "additionalProperties": False,
            "required": list(value),
            "properties": {k: _infer(v, (*path, str(k))) for k, v in value.items()},
        }
    else:
        schema = {}
    if key in DESCRIPTIONS:
        schema["description"] = DESCRIPTIONS[key]
    return schema


def values_schema(values: Obj) -> Obj:
    schema: Obj = {
        "$comment": HEADER.removeprefix("# "),
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "ros-ocp values",
    }
    schema.update(_infer(values, ()))
    return schema


def schema_text(values: Obj) -> str:
    # "$comment" first and on line 2, where `rosgit generate` looks for its header
    return json.dumps(values_schema(values), indent=2, sort_keys=False) + "\n"
