"""The generated overlays, built with the real pinned kustomize."""

from __future__ import annotations

import subprocess
from functools import cache
from typing import Any

import pytest
import yaml

from rosgit.catalog import load_catalog
from tests.conftest import REPO_ROOT, require_real_tool

OVERLAYS = ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]
CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")


@cache
def built(overlay: str) -> list[dict[str, Any]]:
    kustomize = require_real_tool("kustomize")
    proc = subprocess.run(
        [str(kustomize), "build", str(REPO_ROOT / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


def _by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


@pytest.mark.tools
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_builds_with_real_kustomize(overlay: str) -> None:
    objects = built(overlay)
    spec = CATALOG.overlay(overlay)
    assert spec is not None
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {spec.namespace}


@pytest.mark.tools
def test_only_the_rbac_overlays_deploy_insights_rbac() -> None:
    rbac = {(c.kind, c.name) for c in CATALOG.components if list(c.authorization) == ["rbac"]}
    assert {name for _, name in rbac} == {"rbac-api", "rbac-worker", "rbac-migrate", "rbac-db", "rbac-cache"}
    for overlay in OVERLAYS:
        workloads = {(o["kind"], o["metadata"]["name"]) for o in built(overlay)}
        deployed = rbac & workloads
        assert deployed == (rbac if overlay.endswith("prod") else set()), overlay


@pytest.mark.tools
def test_openshift_minimal_contains_every_component() -> None:
    objects = built("openshift-minimal")
    workloads = {(o["kind"], o["metadata"]["name"]) for o in objects}
    expected = {(c.kind, c.name) for c in CATALOG.components_for("openshift", "trino", "org-admin")}
    assert expected <= workloads
    names = {name for _, name in expected}
    # the component list, by name
    for required in [
        "rosocp-api",
        "rosocp-processor",
        "rosocp-recommendation-poller",
        "rosocp-partition-cleaner",
        "kruize",
        "ros-db-migrate",
        "ros-db",
        "redis",
        "ingress",
        "koku-api-reads",
        "koku-api-writes",
        "koku-masu",
        "koku-listener",
        "koku-celery-beat",
        "koku-worker-default",
        "koku-worker-priority",
        "koku-worker-refresh",
        "koku-worker-summary",
        "koku-worker-hcs",
        "koku-worker-priority-xl",
        "koku-worker-priority-penalty",
        "koku-worker-refresh-xl",
        "koku-worker-refresh-penalty",
        "koku-worker-summary-xl",
        "koku-worker-summary-penalty",
        "koku-worker-ocp",
        "koku-worker-cost-model",
        "koku-db",
        "koku-migrate",
        "trino-coordinator",
        "trino-worker",
        "hive-metastore",
        "hive-metastore-db",
        # analytics trino (the profile's): ONPREM=False queues SUBS tasks, and Sources are created here
        "koku-worker-subs-extraction",
        "koku-worker-subs-transmission",
        "koku-sources",
    ]:
        assert required in names, required
    assert "minio" not in names, "OpenShift uses ODF/S3 given as an endpoint"
    # the kafka and kafka-topics: the AMQ Streams operator runs them from these objects
    assert {"kafka", "kafka-topics"}.isdisjoint(names), "apache/kafka cannot run under OpenShift's random UID"
    strimzi = {o["kind"] for o in objects if o["apiVersion"].startswith("kafka.strimzi.io/")}
    assert strimzi == {"Kafka", "KafkaNodePool", "KafkaTopic"}
    # its Sources endpoint exists only with ONPREM=True (docs/analytics.md): not run in trino mode
    assert "rosocp-housekeeper" not in workloads_names(objects)


def workloads_names(objects: list[dict[str, Any]]) -> set[str]:
    return {o["metadata"]["name"] for o in objects}


@pytest.mark.tools
def test_platform_differences() -> None:
    k8s, ocp = built("minimal"), built("openshift-minimal")
    assert _by_kind(k8s, "Ingress") and not _by_kind(k8s, "Route")
    # both platforms deny by default (issue 15); the flows differ (tests/lint/test_network.py proves them)
    deny = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert _by_kind(k8s, "NetworkPolicy")["default-deny-all"]["spec"] == deny
    assert "minio" in _by_kind(k8s, "StatefulSet")
    assert _by_kind(ocp, "Route") and _by_kind(ocp, "ServiceMonitor") and not _by_kind(ocp, "Ingress")
    policies = _by_kind(ocp, "NetworkPolicy")
    assert policies["default-deny-all"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    for name, obj in {**_by_kind(ocp, "Deployment"), **_by_kind(ocp, "StatefulSet")}.items():
        pod = obj["spec"]["template"]["spec"]
        assert "runAsUser" not in pod.get("securityContext", {}), name
        assert all("runAsUser" not in c.get("securityContext", {}) for c in pod["containers"]), name
    redis = _by_kind(ocp, "Deployment")["redis"]["spec"]["template"]["spec"]["containers"][0]
    assert (
        redis["image"].startswith("registry.redhat.io/rhel10/valkey-8")
        and redis["command"][:2] == ["/bin/sh", "-c"]
        and redis["command"][2].startswith("exec valkey-server - ")
    )


@pytest.mark.tools
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_celery_beat_is_a_single_recreated_replica(overlay: str) -> None:
    beat = _by_kind(built(overlay), "Deployment")["koku-celery-beat"]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}


@pytest.mark.tools
def test_prod_runs_stateless_apis_redundantly() -> None:
    objects = built("openshift-prod")
    deployments = _by_kind(objects, "Deployment")
    pdbs = _by_kind(objects, "PodDisruptionBudget")
    for component in CATALOG.components_for("openshift"):
        if component.scalable:
            deployment = deployments[component.name]
            assert deployment["spec"]["replicas"] >= 2, component.name
            assert "podAntiAffinity" in deployment["spec"]["template"]["spec"]["affinity"], component.name
            assert component.name in pdbs
    assert (
        _by_kind(objects, "StatefulSet")["koku-db"]["spec"]["volumeClaimTemplates"][0]["spec"]["resources"][
            "requests"
        ]["storage"]
        == "200Gi"
    )


@pytest.mark.tools
def test_trino_heap_follows_the_profile() -> None:
    def jvm(overlay: str) -> str:
        configs = [
            o
            for o in built(overlay)
            if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("trino-worker-config-")
        ]
        assert len(configs) == 1
        return str(configs[0]["data"]["jvm.config"])

    assert "-Xmx1G" in jvm("minimal") and "-Xmx2G" in jvm("dev") and "-Xmx6G" in jvm("prod")
    # the hash suffix changes with the content, so pods roll when the heap changes
    names = {
        o["metadata"]["name"]
        for ov in ("minimal", "dev")
        for o in built(ov)
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("trino-worker-config-")
    }
    assert len(names) == 2
