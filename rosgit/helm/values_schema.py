"""values.schema.json: the shape of values.yaml, closed everywhere (additionalProperties: false), so a
misspelt key fails `helm template` / `helm install` with the key's path instead of being ignored."""

from __future__ import annotations

from typing import Any

from rosgit.catalog.schema import DNS_NAME_RE, LABEL_KEY_RE
from rosgit.fileset.text import HEADER, indented_json
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


def _closed_map(keys: str, values: Obj) -> Obj:
    """A map whose keys the installation names, closed all the same: a key must match `keys`."""
    return {"type": "object", "additionalProperties": False, "patternProperties": {keys: values}}


def _closed_object(properties: dict[str, Obj], required: tuple[str, ...] = ()) -> Obj:
    schema: Obj = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


_STRING: Obj = {"type": "string"}
_LABEL_MAP = _closed_map(LABEL_KEY_RE.pattern, _STRING)
# one level of site knobs (rosgit.helm.values.site_values), as closed as the rest: the maps' keys are label
# keys or volume classes, tolerations and pull secrets have Kubernetes' fields, and an affinity's three parts
# are Kubernetes' own shape (the rendered objects are what `rosgit validate` checks against the API's schema)
SITE_KNOBS: dict[str, Obj] = {
    "storageClassNames": _closed_map(DNS_NAME_RE.pattern, _STRING),
    "nodeSelector": _LABEL_MAP,
    "tolerations": {
        "type": "array",
        "items": _closed_object(
            {
                "key": _STRING,
                "operator": {"enum": ["Exists", "Equal"]},
                "value": _STRING,
                "effect": {"enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"]},
                "tolerationSeconds": {"type": "integer"},
            }
        ),
    },
    "affinity": _closed_object(
        {
            part: {"description": "As Kubernetes' pod.spec.affinity." + part}
            for part in ("nodeAffinity", "podAffinity", "podAntiAffinity")
        }
    ),
    "imagePullSecrets": {"type": "array", "items": _closed_object({"name": _STRING}, ("name",))},
    "labels": _LABEL_MAP,
    "annotations": _LABEL_MAP,
    "host": _STRING,
    "tlsSecretName": _STRING,
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
    return indented_json(values_schema(values)) + "\n"
