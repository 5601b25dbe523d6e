"""The documented normalisation rules, and the field-path diff that reports what is left."""

from __future__ import annotations

from rosgit.catalog import Catalog
from rosgit.findings import Finding
from rosgit.helm.equivalence import ComparisonInputs, field_diffs, object_differences
from rosgit.helm.normalize import normalize_chart_object, normalize_overlay_object
from rosgit.k8s.objects import Obj


def declared(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """The keys the catalog declares per Secret, as every overlay's comparison reads them."""
    return ComparisonInputs.of(catalog, catalog.overlays[0]).keys_by_secret()


def compare_objects(overlay: list[Obj], chart: list[Obj], catalog: Catalog, source: str) -> list[Finding]:
    return [d.finding() for d in object_differences(overlay, chart, declared(catalog), source)]


def _job(annotations: dict[str, str], labels: dict[str, str] | None = None) -> dict[str, object]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "m",
            "namespace": "ns",
            "labels": labels or {"a": "b"},
            "annotations": annotations,
        },
        "spec": {"backoffLimit": 3.0},
    }


ARGO_HOOK = {
    "argocd.argoproj.io/hook": "Sync",
    "argocd.argoproj.io/sync-wave": "0",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
}
HELM_HOOK = {
    "helm.sh/hook": "post-install,post-upgrade",
    "helm.sh/hook-weight": "0",
    "helm.sh/hook-delete-policy": "before-hook-creation",
}
HELM_LABELS = {"a": "b", "helm.sh/chart": "ros-ocp-2.0.0", "app.kubernetes.io/managed-by": "Helm"}


def test_hooks_and_helm_labels_normalise_to_the_same_object(catalog: Catalog) -> None:
    overlay = normalize_overlay_object(_job(ARGO_HOOK), declared(catalog))
    chart = normalize_chart_object(_job(HELM_HOOK, HELM_LABELS))
    assert overlay == chart
    assert overlay["metadata"]["hook"] == "sync weight=0 delete=before-creation"
    assert overlay["spec"]["backoffLimit"] == 3


def test_hook_weight_or_missing_hook_is_a_difference(catalog: Catalog) -> None:
    overlay = [_job(ARGO_HOOK)]
    assert compare_objects(overlay, [_job({**HELM_HOOK, "helm.sh/hook-weight": "5"})], catalog, "t")
    findings = compare_objects(overlay, [_job({})], catalog, "t")
    assert len(findings) == 1 and "metadata.hook" in findings[0].message


def test_plain_sync_wave_is_dropped(catalog: Catalog) -> None:
    overlay = normalize_overlay_object(_job({"argocd.argoproj.io/sync-wave": "-10"}), declared(catalog))
    assert "annotations" not in overlay["metadata"] and "hook" not in overlay["metadata"]


def test_sealed_secret_stub_is_the_secret_with_the_declared_keys(catalog: Catalog) -> None:
    sealed = {
        "apiVersion": "bitnami.com/v1alpha1",
        "kind": "SealedSecret",
        "metadata": {"name": "koku-db-credentials", "namespace": "ns", "annotations": {"x": "y"}},
        "spec": {
            "encryptedData": {},
            "template": {"metadata": {"name": "koku-db-credentials", "labels": {"l": "v"}}, "type": "Opaque"},
        },
    }
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "koku-db-credentials", "namespace": "ns", "labels": {"l": "v"}},
        "type": "Opaque",
        "data": {"password": "cmFuZG9t", "admin-password": "b3RoZXI="},
    }
    assert compare_objects([sealed], [secret], catalog, "t") == []
    del secret["data"]["password"]  # type: ignore[attr-defined]
    findings = compare_objects([sealed], [secret], catalog, "t")
    assert findings and "data.password" in findings[0].message


def test_sealed_keys_come_from_encrypted_data_when_sealed(catalog: Catalog) -> None:
    sealed = {
        "apiVersion": "bitnami.com/v1alpha1",
        "kind": "SealedSecret",
        "metadata": {"name": "koku-db-credentials", "namespace": "ns"},
        "spec": {"encryptedData": {"only": "AgB..."}, "template": {"type": "Opaque"}},
    }
    normal = normalize_overlay_object(sealed, declared(catalog))
    assert normal["data"] == {"only": "<secret>"}


def test_quantities_compare_as_strings(catalog: Catalog) -> None:
    overlay = {"kind": "X", "metadata": {"name": "a"}, "spec": {"resources": {"limits": {"cpu": "1"}}}}
    chart = {"kind": "X", "metadata": {"name": "a"}, "spec": {"resources": {"limits": {"cpu": 1.0}}}}
    assert normalize_overlay_object(overlay, declared(catalog)) == normalize_chart_object(chart)


def test_field_paths_name_list_items() -> None:
    a = {"spec": {"containers": [{"name": "c", "env": [{"name": "X", "value": "1"}]}]}}
    b = {"spec": {"containers": [{"name": "c", "env": [{"name": "X", "value": "2"}]}]}}
    [diff] = list(field_diffs(a, b))
    assert diff.path == "spec.containers[name=c].env[name=X].value"
    assert diff.text() == "spec.containers[name=c].env[name=X].value: overlay '1' != chart '2'"


def test_missing_objects_on_either_side(catalog: Catalog) -> None:
    a = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "namespace": "n"}}
    b = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b", "namespace": "n"}}
    findings = compare_objects([a], [b], catalog, "t")
    assert [(f.id, f.object) for f in findings] == [("ROS902", "Service/n/a"), ("ROS903", "Service/n/b")]
