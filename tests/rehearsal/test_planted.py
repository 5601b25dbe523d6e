"""Each claim of a rehearsal shown to fail on a planted defect (in a copy of this checkout's tree; the kubernetes
`minimal` overlay): a pod violating restricted Pod Security, a migration Job without its hook annotation placed
after the apps, a request larger than any node, a SealedSecret sealed with another certificate."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from rosgit.secrets.crypto import SealingCert
from tests.rehearsal.conftest import problems, rehearse_planted

pytestmark = pytest.mark.rehearsal
OVERLAY = "minimal"
RESTRICTED_POD: dict[str, Any] = {
    "securityContext": {"runAsNonRoot": True, "runAsUser": 1001, "seccompProfile": {"type": "RuntimeDefault"}},
    "automountServiceAccountToken": False,
}
RESTRICTED_CONTAINER: dict[str, Any] = {
    "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                        "readOnlyRootFilesystem": True},
}


def add_to_overlay(tree: Path, name: str, obj: dict[str, Any]) -> None:
    """Put `obj` into the overlay as one more resource of its kustomization."""
    overlay = tree / "overlays" / OVERLAY
    (overlay / f"{name}.yaml").write_text(json.dumps(obj), encoding="utf-8")
    kustomization = overlay / "kustomization.yaml"
    text = kustomization.read_text(encoding="utf-8")
    assert "\nresources:\n" in text
    kustomization.write_text(text.replace("\nresources:\n", f"\nresources:\n- {name}.yaml\n", 1), encoding="utf-8")


def workload(kind: str, name: str, pod: dict[str, Any], container: dict[str, Any],
             annotations: dict[str, str] | None = None) -> dict[str, Any]:
    template = {"metadata": {"labels": {"app.kubernetes.io/name": name}},
                "spec": {**pod, "containers": [{"name": name, "image": "quay.io/example/planted:1.0", **container}]}}
    meta = {"name": name, "annotations": annotations or {}}
    if kind == "Job":
        template["spec"]["restartPolicy"] = "Never"
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": {"template": template}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                     "template": template}}


def test_a_pod_violating_restricted_is_refused(tmp_path: Path) -> None:
    planted = workload("Deployment", "planted-privileged", {}, {})  # no securityContext at all
    outcome = rehearse_planted(tmp_path, OVERLAY, lambda tree: add_to_overlay(tree, "planted-privileged", planted))
    found = problems(outcome, "admission")
    assert any("planted-privileged" in line and "violates PodSecurity" in line for line in found), outcome.problems
    assert outcome.leftovers == []


def test_a_migration_without_its_hook_after_the_apps_breaks_the_order(tmp_path: Path) -> None:
    planted = workload("Job", "planted-migrate", RESTRICTED_POD,
                       {**RESTRICTED_CONTAINER, "env": [{"name": "DATABASE_HOST", "value": "koku-db"}]},
                       {"argocd.argoproj.io/sync-wave": "15"})
    outcome = rehearse_planted(tmp_path, OVERLAY, lambda tree: add_to_overlay(tree, "planted-migrate", planted))
    found = problems(outcome, "order")
    assert any("before Job/planted-migrate completed" in line for line in found), outcome.problems


def test_a_request_larger_than_the_node_is_not_scheduled(tmp_path: Path) -> None:
    container = {**RESTRICTED_CONTAINER, "resources": {"requests": {"cpu": "5", "memory": "1Gi"},
                                                       "limits": {"cpu": "5", "memory": "1Gi"}}}
    planted = workload("Deployment", "planted-oversized", RESTRICTED_POD, container,
                       {"argocd.argoproj.io/sync-wave": "10"})
    outcome = rehearse_planted(tmp_path, OVERLAY, lambda tree: add_to_overlay(tree, "planted-oversized", planted))
    found = problems(outcome, "scheduling")
    assert any("planted-oversized" in line and "1000m more cpu than the largest node's 4000m" in line
               for line in found), outcome.problems


def other_certificate() -> SealingCert:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not-the-controller")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return SealingCert(cert.public_key(), now + datetime.timedelta(days=1), "planted")  # type: ignore[arg-type]


def test_a_sealed_secret_sealed_with_another_certificate_is_not_unsealed(tmp_path: Path) -> None:
    outcome = rehearse_planted(tmp_path, OVERLAY, lambda tree: None, sealing_cert=other_certificate())
    found = problems(outcome, "unseal")
    assert found and all("SealedSecret/" in line for line in found), outcome.problems
