"""The documented normalisation applied to both renderings before they are compared.

Rules, each the one difference the two delivery tools legitimately introduce:

1. Helm-only labels are dropped from the chart's objects: `helm.sh/chart`, and
   `app.kubernetes.io/managed-by` when it is `Helm` (the overlays never set it).
2. Ordering annotations are translated, not dropped. Argo CD's `sync-wave` on an ordinary object has no
   Helm counterpart (Helm orders by kind) and is removed, as are Argo CD's other per-object annotations
   (sync options), which only Argo CD reads. An Argo CD hook (`hook: Sync`, its wave and
   `hook-delete-policy: BeforeHookCreation`) must be a Helm hook `post-install,post-upgrade` with
   `hook-weight` equal to the wave and `hook-delete-policy: before-hook-creation`; both sides are
   rewritten to one pseudo field `metadata.hook: "sync weight=<w> delete=before-creation"`, so a
   missing or different hook shows as a difference. `helm.sh/resource-policy` is dropped.
3. A SealedSecret `X` in the overlay stands for the Secret `X` its controller creates: it becomes
   `v1 Secret X` with the template's labels, annotations (minus the controller's scope annotations) and
   type (the SealedSecret's own metadata, e.g. rosgit's stub marker, is not the Secret's), and data
   keys equal to its encryptedData keys, or for a stub (no keys yet) the keys the catalog declares.
   Chart Secrets keep their keys; every value becomes `<secret>` on both sides.
4. Scalars: a float with an integral value becomes an int (Helm keeps numbers from values.yaml as
   float64); CPU, memory and storage quantities (under `requests`, `limits`, `sizeLimit`) compare as
   strings, so `cpu: 1` equals `cpu: "1"`.
5. Empty `labels`/`annotations` maps left by these rules are removed.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from rosgit.k8s.objects import Obj

SECRET_VALUE = "<secret>"
HOOK_FIELD = "hook"
_ARGO_PREFIX = "argocd.argoproj.io/"
_SEALED_SCOPE_PREFIX = "sealedsecrets.bitnami.com/"
_HELM_HOOK_PHASES = {"post-install,post-upgrade": "sync"}
_ARGO_HOOK_PHASES = {"Sync": "sync"}
_HELM_DELETE = {
    "before-hook-creation": "before-creation",
    "hook-succeeded": "succeeded",
    "hook-failed": "failed",
}
_ARGO_DELETE = {"BeforeHookCreation": "before-creation", "HookSucceeded": "succeeded", "HookFailed": "failed"}
QUANTITY_PARENTS = ("requests", "limits")


def _scalars(node: Any, key: str = "", quantity: bool = False) -> Any:
    if isinstance(node, dict):
        return {str(k): _scalars(v, str(k), key in QUANTITY_PARENTS) for k, v in node.items()}
    if isinstance(node, list):
        return [_scalars(item, key) for item in node]
    if isinstance(node, float) and node.is_integer():
        node = int(node)
    if (quantity or key == "sizeLimit") and isinstance(node, int | float) and not isinstance(node, bool):
        return str(node)
    return node


def _clean_meta(meta: Obj) -> None:
    for key in ("labels", "annotations"):
        if key in meta and not meta[key]:
            del meta[key]


def normalize_chart_object(obj: Obj) -> Obj:
    obj = copy.deepcopy(obj)
    meta = obj.setdefault("metadata", {})
    labels = meta.get("labels") or {}
    labels.pop("helm.sh/chart", None)
    if labels.get("app.kubernetes.io/managed-by") == "Helm":
        labels.pop("app.kubernetes.io/managed-by")
    annotations = meta.get("annotations") or {}
    hook = annotations.pop("helm.sh/hook", None)
    weight = annotations.pop("helm.sh/hook-weight", "0")
    delete = annotations.pop("helm.sh/hook-delete-policy", None)
    annotations.pop("helm.sh/resource-policy", None)
    if hook is not None:
        phase = _HELM_HOOK_PHASES.get(hook, f"helm:{hook}")
        policy = _HELM_DELETE.get(delete, f"helm:{delete}") if delete else "none"
        meta[HOOK_FIELD] = f"{phase} weight={int(weight)} delete={policy}"
    if obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1":
        obj["data"] = {
            key: SECRET_VALUE for key in {**(obj.get("data") or {}), **(obj.get("stringData") or {})}
        }
        obj.pop("stringData", None)
    _clean_meta(meta)
    result: Obj = _scalars(obj)
    return result


def normalize_overlay_object(obj: Obj, declared_keys: Mapping[str, Sequence[str]]) -> Obj:
    """`declared_keys`: the keys the catalog declares per Secret name, a stub's keys (rule 3)."""
    obj = copy.deepcopy(obj)
    if obj.get("kind") == "SealedSecret" and str(obj.get("apiVersion", "")).startswith("bitnami.com/"):
        obj = _sealed_to_secret(obj, declared_keys)
    meta = obj.setdefault("metadata", {})
    annotations = meta.get("annotations") or {}
    hook = annotations.pop(_ARGO_PREFIX + "hook", None)
    wave = annotations.pop(_ARGO_PREFIX + "sync-wave", "0")
    delete = annotations.pop(_ARGO_PREFIX + "hook-delete-policy", None)
    for key in [k for k in annotations if k.startswith(_ARGO_PREFIX)]:
        del annotations[key]
    if hook is not None:
        phase = _ARGO_HOOK_PHASES.get(hook, f"argocd:{hook}")
        policy = _ARGO_DELETE.get(delete, f"argocd:{delete}") if delete else "none"
        meta[HOOK_FIELD] = f"{phase} weight={int(wave)} delete={policy}"
    _clean_meta(meta)
    result: Obj = _scalars(obj)
    return result


def _sealed_to_secret(sealed: Obj, declared_keys: Mapping[str, Sequence[str]]) -> Obj:
    spec = sealed.get("spec") or {}
    template = spec.get("template") or {}
    tmeta = template.get("metadata") or {}
    name = sealed["metadata"]["name"]
    keys = set(spec.get("encryptedData") or {})
    if not keys:
        keys = set(declared_keys.get(name, ()))
    meta: Obj = {"name": name}
    namespace = sealed["metadata"].get("namespace")
    if namespace is not None:
        meta["namespace"] = namespace
    labels = dict(tmeta.get("labels") or {})
    if labels:
        meta["labels"] = labels
    annotations = {
        k: v for k, v in (tmeta.get("annotations") or {}).items() if not k.startswith(_SEALED_SCOPE_PREFIX)
    }
    if annotations:
        meta["annotations"] = annotations
    secret: Obj = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta,
        "type": template.get("type", "Opaque"),
    }
    secret["data"] = {key: SECRET_VALUE for key in sorted(keys)}
    if template.get("immutable") is not None:
        secret["immutable"] = template["immutable"]
    return secret


def object_key(obj: Obj) -> tuple[str, str, str, str]:
    """(group, kind, namespace, name)."""
    api = str(obj.get("apiVersion", ""))
    group = api.rpartition("/")[0]
    meta = obj.get("metadata") or {}
    return (group, str(obj.get("kind", "")), str(meta.get("namespace") or ""), str(meta.get("name", "")))


def key_text(key: tuple[str, str, str, str]) -> str:
    group, kind, namespace, name = key
    kind_text = f"{kind}.{group}" if group else kind
    return f"{kind_text}/{namespace}/{name}" if namespace else f"{kind_text}/{name}"
