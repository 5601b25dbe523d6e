from __future__ import annotations

from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.k8s.syncorder import position_of, uses
from rosgit.lint.context import LintContext
from rosgit.lint.ordering import check_annotations, check_config_order, check_migration_order
from tests.conftest import REPO_ROOT
from tests.lint.factory import container, deployment, obj

WAVE = "argocd.argoproj.io/sync-wave"
CTX = LintContext(source="test")


def waved(o: dict[str, Any], wave: str, hook: str | None = None) -> dict[str, Any]:
    o["metadata"].setdefault("annotations", {})[WAVE] = wave
    if hook:
        o["metadata"]["annotations"]["argocd.argoproj.io/hook"] = hook
    return o


def test_sync_keys_follow_argo_phases_then_waves() -> None:
    plain = waved(obj("ConfigMap", "a"), "5")
    presync = waved(obj("Job", "b"), "20", "PreSync")
    postsync = waved(obj("Job", "c"), "-20", "PostSync")
    assert position_of(presync) < position_of(plain) < position_of(postsync)  # type: ignore[operator]
    assert position_of(obj("ConfigMap", "d")).barrier == (1, 0)  # type: ignore[union-attr]
    assert position_of(waved(obj("Job", "e"), "1", "Skip")) is None


def test_config_must_sync_before_its_reader() -> None:
    reader = waved(deployment("api", container(envFrom=[{"configMapRef": {"name": "cfg"}}])), "0")
    same_wave = waved(obj("ConfigMap", "cfg"), "0")
    later = waved(obj("ConfigMap", "cfg"), "5")
    assert check_config_order([same_wave, reader], CTX) == []
    assert [(f.id, f.object) for f in check_config_order([later, reader], CTX)] == [
        ("ROS701", "Deployment/shop/api")
    ]
    # A SealedSecret becomes a Secret only after the controller runs: it needs an earlier wave.
    env = [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]
    secret_reader = waved(deployment("api", container(env=env)), "0")
    sealed = waved(obj("SealedSecret", "s", "bitnami.com/v1alpha1", spec={"encryptedData": {"k": "x"}}), "0")
    assert [f.id for f in check_config_order([sealed, secret_reader], CTX)] == ["ROS701"]


def test_bad_annotations() -> None:
    findings = check_annotations([waved(obj("ConfigMap", "a"), "soon"), waved(obj("Job", "b"), "1", "Presync")], CTX)
    assert [(f.id, f.object) for f in findings] == [("ROS704", "ConfigMap/shop/a"), ("ROS704", "Job/shop/b")]


def test_env_hosts_name_the_services_a_pod_uses() -> None:
    db = deployment("db", kind="StatefulSet")
    svc = obj("Service", "db", spec={"selector": {"app.kubernetes.io/name": "db"}})
    app = deployment("app", container(env=[{"name": "URL", "value": "jdbc:postgresql://db:5432/x"}]))
    assert uses([db, svc, app])["app"] == {"db"}


@pytest.fixture(scope="module")
def minimal() -> tuple[list[dict[str, Any]], LintContext]:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    return build_objects(REPO_ROOT / "overlays/minimal"), LintContext(catalog, "kubernetes", "ros-ocp", "m")


def _named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def test_repo_order_is_clean(minimal: Any) -> None:
    objects, context = minimal
    assert check_migration_order(objects, context) == []
    assert check_config_order(objects, context) == []


def test_migration_before_its_database_and_app_before_migration(minimal: Any) -> None:
    import copy

    objects, context = minimal
    objects = copy.deepcopy(objects)
    _named(objects, "StatefulSet", "koku-db")["metadata"]["annotations"][WAVE] = "0"
    _named(objects, "Deployment", "koku-masu")["metadata"]["annotations"][WAVE] = "-1"
    findings = check_migration_order(objects, context)
    assert ("ROS702", "Job/ros-ocp/koku-migrate") in {(f.id, f.object) for f in findings}
    assert ("ROS703", "Deployment/ros-ocp/koku-masu") in {(f.id, f.object) for f in findings}
    # the ROS migration and its database are untouched
    assert not any("ros-db-migrate" in f.object for f in findings)
