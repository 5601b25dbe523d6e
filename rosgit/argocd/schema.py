"""Strict validation of Argo CD (and SealedSecret) objects against the vendored upstream CRD schemas.

The CRDs' openAPIV3Schema is turned into JSON Schema the way kubeconform's openapi2jsonschema does, but
strictly: every object schema with `properties` rejects unknown fields (unless the CRD preserves them).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from rosgit.errors import UsageError

Obj = dict[str, Any]
CRD_DIRS = (
    Path(__file__).resolve().parent.parent / "validate" / "crds",
    Path("/work/shared/crds"),
)
CRD_FILES = {
    ("argoproj.io", "Application"): "argoproj.io_applications.yaml",
    ("argoproj.io", "ApplicationSet"): "argoproj.io_applicationsets.yaml",
    ("argoproj.io", "AppProject"): "argoproj.io_appprojects.yaml",
    ("bitnami.com", "SealedSecret"): "bitnami.com_sealedsecrets.yaml",
}


def _crd_path(filename: str) -> Path:
    for directory in CRD_DIRS:
        if (directory / filename).is_file():
            return directory / filename
    raise UsageError(f"vendored CRD {filename} not found in {', '.join(str(d) for d in CRD_DIRS)}")


def strict_schema(node: Any) -> Any:
    """openAPIV3Schema -> JSON Schema: nullable, int-or-string, and no unknown fields."""
    if isinstance(node, list):
        return [strict_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: Obj = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-") or key in ("description", "format"):
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {name: strict_schema(sub) for name, sub in value.items()}
        else:
            out[key] = strict_schema(value)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    out.pop("nullable", None)
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@functools.cache
def _validator(group: str, kind: str, version: str) -> Any:
    import jsonschema

    crd = yaml.load(_crd_path(CRD_FILES[(group, kind)]).read_text(), Loader=yaml.CSafeLoader)
    for served in crd["spec"]["versions"]:
        if served["name"] == version:
            schema = strict_schema(served["schema"]["openAPIV3Schema"])
            return jsonschema.Draft7Validator(schema)
    return None


def supported(obj: Obj) -> bool:
    api_version = str(obj.get("apiVersion", ""))
    return (api_version.partition("/")[0], str(obj.get("kind", ""))) in CRD_FILES


def schema_errors(obj: Obj) -> list[str]:
    """Every schema violation as `path: message`; an empty list means valid."""
    group, _, version = str(obj.get("apiVersion", "")).partition("/")
    kind = str(obj.get("kind", ""))
    if (group, kind) not in CRD_FILES:
        return [f"no vendored CRD schema for {obj.get('apiVersion')} {kind}"]
    validator = _validator(group, kind, version)
    if validator is None:
        return [f"{kind} has no served version {version!r} in the vendored CRD"]
    errors = []
    for error in sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.absolute_path]):
        path = ".".join(str(part) for part in error.absolute_path) or "(root)"
        errors.append(f"{path}: {error.message}")
    return errors
