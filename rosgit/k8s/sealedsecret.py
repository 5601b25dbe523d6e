"""The SealedSecret object as kubeseal shapes it, its scopes and where the generator puts it (no I/O)."""

from __future__ import annotations

from typing import Literal

from rosgit.k8s.objects import Obj

Scope = Literal["strict", "namespace-wide", "cluster-wide"]
SCOPES: tuple[Scope, ...] = ("strict", "namespace-wide", "cluster-wide")

SEALED_API = "bitnami.com/v1alpha1"
STUB_ANNOTATION = "rosgit.io/sealed-secret-stub"
NAMESPACE_WIDE = "sealedsecrets.bitnami.com/namespace-wide"
CLUSTER_WIDE = "sealedsecrets.bitnami.com/cluster-wide"
# Not base64, so the controller fails to unseal a stub (Synced=False, Degraded in Argo CD) instead of
# creating an empty Secret that pods would only trip over later.
STUB_VALUE = "not-sealed:run-rosgit-seal"


def cluster_dir(overlay: str, cluster: str) -> str:
    """Where a fleet overlay's Secrets sealed for one cluster's controller live, with their kustomization.

    Not under overlays/: Kustomize refuses a kustomization inside the directory it builds on (a cycle), and
    the overlays ApplicationSet deploys every directory of overlays/."""
    return f"clusters/{overlay}/{cluster}"


def sealed_secrets_dir(overlay: str, cluster: str | None = None) -> str:
    return f"{cluster_dir(overlay, cluster) if cluster else f'overlays/{overlay}'}/sealed-secrets"


def sealed_secret_path(overlay: str, name: str, cluster: str | None = None) -> str:
    return f"{sealed_secrets_dir(overlay, cluster)}/{name}.yaml"


def scope_annotations(scope: Scope) -> dict[str, str]:
    if scope == "namespace-wide":
        return {NAMESPACE_WIDE: "true"}
    if scope == "cluster-wide":
        return {CLUSTER_WIDE: "true"}
    return {}


def scope_of(annotations: dict[str, str]) -> Scope:
    """The scope the controller reads from a SealedSecret's own annotations (cluster-wide wins)."""
    if annotations.get(CLUSTER_WIDE) == "true":
        return "cluster-wide"
    if annotations.get(NAMESPACE_WIDE) == "true":
        return "namespace-wide"
    return "strict"


def sealed_secret_object(
    *,
    name: str,
    namespace: str,
    labels: dict[str, str],
    annotations: dict[str, str],
    encrypted: dict[str, str],
    scope: Scope,
) -> Obj:
    """A SealedSecret as kubeseal shapes it: scope annotations on the object and its template."""
    scoped = scope_annotations(scope)
    template_meta: Obj = {"name": name, "namespace": namespace, "labels": dict(labels)}
    if scoped:
        template_meta["annotations"] = dict(scoped)
    return {
        "apiVersion": SEALED_API,
        "kind": "SealedSecret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": dict(labels),
            "annotations": {**annotations, **scoped},
        },
        "spec": {
            "encryptedData": dict(sorted(encrypted.items())),
            "template": {"metadata": template_meta, "type": "Opaque"},
        },
    }
