"""What every Kubernetes object carries in its metadata, read defensively: built objects may be hand-written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# A DNS-1123 label, what `metadata.namespace` and most names must be (apimachinery's IsDNS1123Label).
DNS_LABEL = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"


def as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    return as_map(obj.get("metadata"))


def name_of(obj: Mapping[str, Any]) -> str:
    return str(metadata(obj).get("name", ""))


def namespace_of(obj: Mapping[str, Any]) -> str:
    return str(metadata(obj).get("namespace") or "")


def annotations_of(obj: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in as_map(metadata(obj).get("annotations")).items()}


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in as_map(metadata(obj).get("labels")).items()}


def ref(obj: Mapping[str, Any]) -> str:
    """`Kind/namespace/name`, or `Kind/name` for cluster-scoped objects: the object id findings carry."""
    namespace = namespace_of(obj)
    kind = str(obj.get("kind", "?"))
    return f"{kind}/{namespace}/{name_of(obj)}" if namespace else f"{kind}/{name_of(obj)}"


def sealed_secret_target(obj: Mapping[str, Any]) -> tuple[str, str]:
    """(namespace, name) of the Secret a SealedSecret's controller creates: the template's, else the object's."""
    template_meta = as_map(as_map(as_map(obj.get("spec")).get("template")).get("metadata"))
    name = str(template_meta.get("name") or metadata(obj).get("name", ""))
    namespace = str(template_meta.get("namespace") or namespace_of(obj))
    return namespace, name


def external_secret_target(obj: Mapping[str, Any]) -> tuple[str, str, set[str]]:
    """(namespace, name, keys) of the Secret the External Secrets Operator creates for an ExternalSecret:
    spec.target.name (else the object's name) in the object's namespace, with each data[].secretKey."""
    spec = as_map(obj.get("spec"))
    name = str(as_map(spec.get("target")).get("name") or metadata(obj).get("name", ""))
    data = spec.get("data")
    items = [as_map(item) for item in data] if isinstance(data, list) else []
    return namespace_of(obj), name, {str(item["secretKey"]) for item in items if item.get("secretKey")}
