from __future__ import annotations

from pathlib import Path

from rosgit.catalog import load_catalog
from rosgit.lint.context import LintContext
from rosgit.lint.references import check_references, check_volume_mounts
from tests.conftest import REPO_ROOT
from tests.lint.factory import container, deployment, obj

CTX = LintContext(source="test")


def env_secret(name: str, key: str, optional: bool = False) -> dict[str, object]:
    ref = {"name": name, "key": key, **({"optional": True} if optional else {})}
    return {"name": "X", "valueFrom": {"secretKeyRef": ref}}


def ids(findings: list) -> list[tuple[str, str]]:
    return [(f.id, f.object) for f in findings]


def test_secret_and_key_must_exist() -> None:
    secret = obj("Secret", "db", data={"password": "eA=="})
    ok = deployment("api", container(env=[env_secret("db", "password")]))
    missing_key = deployment("api", container(env=[env_secret("db", "pasword")]))
    missing = deployment("api", container(env=[env_secret("nope", "password")]))
    assert check_references([secret, ok], CTX) == []
    assert ids(check_references([secret, missing_key], CTX)) == [("ROS102", "Deployment/shop/api")]
    assert ids(check_references([secret, missing], CTX)) == [("ROS101", "Deployment/shop/api")]
    assert check_references([secret, deployment("api", container(env=[env_secret("nope", "k", True)]))], CTX) == []


def test_config_maps_env_from_volumes_and_projected_sources() -> None:
    config = obj("ConfigMap", "cfg", data={"a": "1"})
    pod = deployment(
        "api",
        container(envFrom=[{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "gone"}}]),
        pod={
            "volumes": [
                {"name": "v1", "configMap": {"name": "cfg", "items": [{"key": "b", "path": "b"}]}},
                {"name": "v2", "projected": {"sources": [{"configMap": {"name": "other"}}]}},
                {"name": "v3", "persistentVolumeClaim": {"claimName": "data"}},
            ],
            "serviceAccountName": "runner",
        },
    )
    found = sorted(f.id for f in check_references([config, pod], CTX))
    assert found == ["ROS101", "ROS103", "ROS104", "ROS105", "ROS106"]


def test_sealed_secret_keys_come_from_encrypted_data_and_stubs_from_the_catalog() -> None:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    context = LintContext(catalog, "kubernetes", "shop", "test")
    sealed = obj(
        "SealedSecret", "ros-db-credentials", "bitnami.com/v1alpha1",
        spec={"encryptedData": {"ros-password": "AgB..."}, "template": {"metadata": {"name": "ros-db-credentials"}}},
    )
    reader = deployment("api", container(env=[env_secret("ros-db-credentials", "kruize-password")]))
    assert ids(check_references([sealed, reader], context)) == [("ROS102", "Deployment/shop/api")]
    stub = obj(
        "SealedSecret", "ros-db-credentials", "bitnami.com/v1alpha1",
        annotations={"rosgit.io/sealed-secret-stub": "true"}, spec={"encryptedData": {}},
    )
    assert check_references([stub, reader], context) == []
    wrong = deployment("api", container(env=[env_secret("ros-db-credentials", "kruize-pw")]))
    assert ids(check_references([stub, wrong], context)) == [("ROS102", "Deployment/shop/api")]


def test_openshift_injected_keys_count() -> None:
    bundle = obj("ConfigMap", "ca", annotations={"service.beta.openshift.io/inject-cabundle": "true"})
    service = obj("Service", "api", annotations={"service.beta.openshift.io/serving-cert-secret-name": "api-tls"})
    pod = deployment(
        "api",
        pod={"volumes": [
            {"name": "ca", "configMap": {"name": "ca", "items": [{"key": "service-ca.crt", "path": "ca"}]}},
            {"name": "tls", "secret": {"secretName": "api-tls", "items": [{"key": "tls.key", "path": "k"}]}},
        ]},
    )
    assert check_references([bundle, service, pod], CTX) == []


def test_volume_mounts_need_a_volume_or_claim_template() -> None:
    mounting = container(volumeMounts=[{"name": "data", "mountPath": "/d"}])
    assert ids(check_volume_mounts([deployment("api", mounting)], CTX)) == [("ROS107", "Deployment/shop/api")]
    stateful = deployment(
        "db", mounting, kind="StatefulSet", volumeClaimTemplates=[{"metadata": {"name": "data"}}]
    )
    assert check_volume_mounts([stateful], CTX) == []
    assert isinstance(REPO_ROOT, Path)
