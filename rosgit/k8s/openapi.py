"""CustomResourceDefinitions as JSON Schema: the one converter `rosgit validate` and `rosgit check`'s Argo CD
stage share, and the CRDs vendored with rosgit.

The conversion follows kubeconform's openapi2jsonschema, so the builtin validator and kubeconform (which reads
the converted files) judge alike; `close_root` is the one knob a caller may turn (see `convert_openapi_schema`).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

from rosgit.k8s.objects import load_objects

JSONDict = dict[str, Any]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
VENDORED_CRD_DIR = Path(__file__).resolve().parent / "crds"

_LOGIC_KEYWORDS = ("allOf", "anyOf", "oneOf")
_NULL_MEANINGFUL = ("default", "example", "const")


def convert_openapi_schema(schema: JSONDict, *, close_root: bool = False) -> JSONDict:
    """A CRD `openAPIV3Schema` as a draft 2020-12 JSON schema.

    Like openapi2jsonschema: `additionalProperties: false` on every object with `properties` except the root,
    and `format: int-or-string` becomes `oneOf[string, integer]`. Unlike it (kubeconform #224/#199): a bare
    `x-kubernetes-int-or-string` admits both too, nodes with `x-kubernetes-preserve-unknown-fields` stay open,
    `nullable: true` admits null, an embedded resource admits apiVersion/kind/metadata, and the walk follows
    the schema structure so a *field* named `properties` is not mistaken for the keyword. Subschemas of
    allOf/anyOf/oneOf/not only add constraints to the object their parent describes, so closing them would
    reject fields the parent allows.

    `close_root=True` also rejects unknown top-level fields, as the API server's strict field validation
    (what `kubectl apply`, and so Argo CD, runs) does; kubeconform leaves the root open, so `rosgit validate`
    keeps the default to agree with it.
    """
    converted: JSONDict = _convert_node(copy.deepcopy(schema), root=not close_root, in_logic=False)
    converted["$schema"] = DRAFT_2020_12
    return converted


def _convert_node(node: Any, *, root: bool, in_logic: bool) -> Any:
    if not isinstance(node, dict):
        return node
    if node.get("format") == "int-or-string":
        return {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    if node.get("x-kubernetes-int-or-string") is True and not any(k in node for k in ("type", *_LOGIC_KEYWORDS)):
        # A structural schema may leave the anyOf out (controller-gen writes it); the API server still means it.
        node = {**node, "anyOf": [{"type": "integer"}, {"type": "string"}]}
    # The API server reads `anyOf: null` (route.openshift.io has one) as absent; JSON Schema rejects it.
    out: JSONDict = {k: v for k, v in node.items() if v is not None or k in _NULL_MEANINGFUL}
    if out.get("nullable") is True:
        _admit_null(out)
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        # OpenAPI 3.0 / draft-4 booleans; draft 2020-12 wants the number itself.
        if isinstance(out.get(bound), bool):
            if out[bound] and limit in out:
                out[bound] = out.pop(limit)
            else:
                del out[bound]
    if out.get("x-kubernetes-embedded-resource") is True and isinstance(out.get("properties"), dict):
        props = dict(out["properties"])
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props.setdefault("metadata", {"type": "object"})
        out["properties"] = props
    if isinstance(out.get("properties"), dict):
        out["properties"] = {
            name: _convert_node(sub, root=False, in_logic=in_logic) for name, sub in out["properties"].items()
        }
        preserve = out.get("x-kubernetes-preserve-unknown-fields") is True
        if not root and not in_logic and not preserve and "additionalProperties" not in out:
            out["additionalProperties"] = False
    if isinstance(out.get("patternProperties"), dict):
        out["patternProperties"] = {
            pattern: _convert_node(sub, root=False, in_logic=in_logic)
            for pattern, sub in out["patternProperties"].items()
        }
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = _convert_node(out["additionalProperties"], root=False, in_logic=in_logic)
    if isinstance(out.get("items"), dict):
        out["items"] = _convert_node(out["items"], root=False, in_logic=in_logic)
    elif isinstance(out.get("items"), list):
        # OpenAPI tuple form; 2020-12 calls it prefixItems.
        out["prefixItems"] = [_convert_node(s, root=False, in_logic=in_logic) for s in out.pop("items")]
    for keyword in _LOGIC_KEYWORDS:
        if isinstance(out.get(keyword), list):
            out[keyword] = [_convert_node(sub, root=False, in_logic=True) for sub in out[keyword]]
    if isinstance(out.get("not"), dict):
        out["not"] = _convert_node(out["not"], root=False, in_logic=True)
    return out


def _admit_null(node: JSONDict) -> None:
    kind = node.get("type")
    if isinstance(kind, str) and kind != "null":
        node["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        node["type"] = [*kind, "null"]
    if isinstance(node.get("enum"), list) and None not in node["enum"]:
        node["enum"] = [*node["enum"], None]


def version_schemas(spec: JSONDict) -> list[tuple[str, JSONDict]]:
    """(version, openAPIV3Schema) of a CRD spec: apiextensions v1's per-version schemas, falling back to
    v1beta1's shared `validation`; versions without a name or a schema are left out."""
    validation = spec.get("validation")
    shared = validation.get("openAPIV3Schema") if isinstance(validation, dict) else None
    found: list[tuple[str, JSONDict]] = []
    versions = spec.get("versions")
    if isinstance(versions, list) and versions:
        for entry in versions:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            block = entry.get("schema")
            schema = block.get("openAPIV3Schema") if isinstance(block, dict) else shared
            if isinstance(schema, dict):
                found.append((entry["name"], schema))
    elif isinstance(spec.get("version"), str) and isinstance(shared, dict):
        found.append((spec["version"], shared))
    return found


def vendored_crd_files() -> list[Path]:
    return sorted(VENDORED_CRD_DIR.glob("*.yaml"))


@functools.cache
def vendored_openapi_schema(group: str, kind: str, version: str) -> JSONDict | None:
    """The unconverted openAPIV3Schema of a vendored CRD version, or None when rosgit vendors no such CRD.

    Vendored files are named `{group}_{plural}.yaml`, so only the files of the group are read.
    """
    for path in vendored_crd_files():
        if not path.name.startswith(f"{group}_"):
            continue
        # one CRD may be vendored twice, from releases serving different versions (Strimzi 0.48 and 1.x)
        schema = file_schemas(path).get(kind, {}).get(version)
        if schema is not None:
            return schema
    return None


@functools.cache
def file_schemas(path: Path) -> dict[str, dict[str, JSONDict]]:
    """kind -> version -> openAPIV3Schema of the CRDs of one vendored file. The parse of the largest file
    (Argo CD's ApplicationSet, 1.4 MB) cost the Argo CD stage of every `rosgit check` seconds: it is kept
    beside the schema cache, named by the file's bytes."""
    from rosgit import cache

    data = path.read_bytes()
    return cache.derived("crd-schemas", [data], lambda: crd_schemas_of(data.decode("utf-8")))


def crd_schemas_of(text: str) -> dict[str, dict[str, JSONDict]]:
    found: dict[str, dict[str, JSONDict]] = {}
    for crd in load_objects(text):
        spec = crd.get("spec")
        kind = (spec.get("names") or {}).get("kind") if isinstance(spec, dict) else None
        if isinstance(spec, dict) and isinstance(kind, str):
            versions = found.setdefault(kind, {})
            for version, schema in version_schemas(spec):
                versions.setdefault(version, schema)
    return found
