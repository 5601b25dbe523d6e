"""Per-cluster sealing for a fleet: one sealed set per cluster certificate.

A SealedSecret decrypts only on the controller whose key sealed it, so the fleet ApplicationSet must not
deploy one cluster's ciphertext everywhere. `rosgit seal OVERLAY --cluster NAME --cert NAME.pem` writes
`clusters/OVERLAY/NAME/`: the SealedSecrets sealed with that certificate, and a kustomization
that builds the overlay with them in place of the overlay's own (stubs or another cluster's). The fleet
ApplicationSet's path is `clusters/OVERLAY/{{ .name }}` (the Argo CD cluster name), so a
cluster nobody sealed for fails to sync instead of receiving ciphertext it cannot decrypt.

Replacing, not adding: both the overlay and the cluster directory carry SealedSecret NAME, and Kustomize
refuses two resources with one id. So each cluster file is a strategic-merge patch of the overlay's object,
after a patch that removes what must not leak through: the stub marker, the template's scope annotations
and every ciphertext of the overlay's own file.
"""

from __future__ import annotations

import re

from rosgit.errors import UsageError
from rosgit.fileset.text import to_yaml
from rosgit.k8s.sealedsecret import STUB_ANNOTATION, cluster_dir
from rosgit.secrets.files import SEALED_HEADER

# An Argo CD cluster name as it appears in the path: an RFC 1123 subdomain (what `argocd cluster add` and
# most installers produce). Anything else could escape the overlay directory.
_CLUSTER_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


def valid_cluster(name: str) -> str:
    if not _CLUSTER_NAME.fullmatch(name) or ".." in name:
        raise UsageError(
            "--cluster: expected the Argo CD cluster name (lower case letters, digits, '-' and '.')",
            location=f"--cluster {name!r}"[:80],
        )
    return name


def cluster_kustomization_path(overlay: str, cluster: str) -> str:
    return f"{cluster_dir(overlay, cluster)}/kustomization.yaml"


def _clearing_patch(name: str, namespace: str) -> str:
    # The stub marker is overridden, not deleted: deleting a key the target may lack is where Kustomize and
    # the builtin engine differ. The controller takes the scope from the template's annotations only
    # (bitnami-labs/sealed-secrets@86671a88 pkg/apis/sealedsecrets/v1alpha1/sealedsecret_expansion.go:
    # 112-124), so those are deleted with the old ciphertext and the cluster's file sets its own.
    return to_yaml(
        {
            "apiVersion": "bitnami.com/v1alpha1",
            "kind": "SealedSecret",
            "metadata": {"name": name, "namespace": namespace, "annotations": {STUB_ANNOTATION: "false"}},
            "spec": {"encryptedData": None, "template": {"metadata": {"annotations": None}}},
        }
    )


def cluster_kustomization(overlay: str, cluster: str, namespace: str, secrets: list[str]) -> str:
    """The kustomization of `clusters/OVERLAY/CLUSTER`: the overlay, its Secrets replaced."""
    patches: list[dict[str, str]] = []
    for name in sorted(secrets):
        patches.append({"patch": _clearing_patch(name, namespace)})
        patches.append({"path": f"sealed-secrets/{name}.yaml"})
    body = to_yaml(
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [f"../../../overlays/{overlay}"],
            "patches": patches,
        }
    )
    return (
        f"{SEALED_HEADER}\n# Overlay {overlay} with its Secrets sealed for cluster {cluster} "
        f"(`rosgit seal {overlay} --cluster {cluster}`); the fleet ApplicationSet deploys this directory.\n{body}"
    )
