"""ExternalSecret objects (External Secrets Operator, `external-secrets.io/v1`, the only version ESO v2.9.0
serves; CRDs vendored in rosgit/k8s/crds): the operator creates the Secret from a SecretStore or
ClusterSecretStore, so no value passes through rosgit or Git."""

from __future__ import annotations

from rosgit.k8s.objects import Obj

EXTERNAL_SECRET_API = "external-secrets.io/v1"


def external_secrets_dir(overlay: str) -> str:
    return f"overlays/{overlay}/external-secrets"


def external_secret_object(
    *,
    name: str,
    namespace: str,
    labels: dict[str, str],
    annotations: dict[str, str],
    keys: list[str],
    store_kind: str,
    store_name: str,
    remote_key: str,
    refresh_interval: str,
) -> Obj:
    """One Secret `name` whose keys are the properties of `remote_key` in the store.

    The target's creationPolicy/deletionPolicy are written although they are the CRD's defaults, so the
    object Argo CD compares is the object the API server keeps (no OutOfSync from defaulting).
    """
    return {
        "apiVersion": EXTERNAL_SECRET_API,
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace, "labels": labels, "annotations": annotations},
        "spec": {
            "refreshInterval": refresh_interval,
            "secretStoreRef": {"kind": store_kind, "name": store_name},
            "target": {"name": name, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
            "data": [
                {"secretKey": key, "remoteRef": {"key": remote_key, "property": key}} for key in sorted(keys)
            ],
        },
    }
