"""Small hand-made Kubernetes objects for rule tests."""

from __future__ import annotations

import copy
from typing import Any

NS = "shop"

Obj = dict[str, Any]

SECURE = {
    "runAsNonRoot": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
SIZED = {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}


def container(name: str = "app", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": name,
        "image": "quay.io/x/app:1.0",
        "resources": copy.deepcopy(SIZED),
        "securityContext": copy.deepcopy(SECURE),
    }
    base.update(fields)
    return base


def deployment(name: str, *containers: dict[str, Any], kind: str = "Deployment", **spec: Any) -> Obj:
    pod_spec: dict[str, Any] = {"containers": list(containers) or [container()]}
    pod_spec.update(spec.pop("pod", {}))
    body: dict[str, Any] = {
        "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
        "template": {"metadata": {"labels": {"app.kubernetes.io/name": name}}, "spec": pod_spec},
    }
    body.update(spec)
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": NS}, "spec": body}


def obj(kind: str, name: str, api_version: str = "v1", annotations: dict[str, str] | None = None, **fields: Any) -> Obj:
    metadata: dict[str, Any] = {"name": name, "namespace": NS}
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **fields}
