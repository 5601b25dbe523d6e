"""Kafka on OpenShift through Strimzi / AMQ Streams (issue 10, item 4), checked on the built overlays.

apache/kafka cannot start under OpenShift's random UID (its start script must write /opt/kafka/config,
owned by appuser: apache/kafka docker/resources/common-scripts/configure:65, docker/jvm/Dockerfile:76);
upstream runs the AMQ Streams operator with Kafka, KafkaNodePool and KafkaTopic objects
(insights-onprem/cost-onprem-chart scripts/deploy-kafka.sh:39-44, 415-606). Strimzi names the brokers'
Service `<cluster>-kafka-bootstrap` (strimzi/strimzi-kafka-operator@0.48.0 api/.../KafkaResources.java:95-97).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.catalog.profiles import overlay_analytics, overlay_authorization
from rosgit.catalog.strimzi import BROKER_ROLE_LABEL, CLUSTER_LABEL, strimzi_of
from rosgit.catalog.traffic import required_flows
from rosgit.k8s.podspec import pod_templates
from rosgit.lint.context import LintContext
from rosgit.lint.network import reachability
from tests.conftest import REPO_ROOT

Obj = dict[str, Any]
CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")
OPENSHIFT = ["openshift-minimal", "openshift-dev", "openshift-prod"]
KUBERNETES = ["minimal", "dev", "prod"]
STRIMZI = strimzi_of(CATALOG, "openshift")
STRIMZI_KINDS = ("Kafka", "KafkaNodePool", "KafkaTopic")
# every env variable a client reads the Kafka address from (contracts ros-backend, ingress, koku)
BOOTSTRAP_ENV = ("KAFKA_BOOTSTRAP_SERVERS", "INGRESS_KAFKABROKERS")


@cache
def built(overlay: str) -> tuple[Obj, ...]:
    return tuple(build_objects(REPO_ROOT / "overlays" / overlay))


def of_kind(overlay: str, kind: str) -> dict[str, Obj]:
    return {o["metadata"]["name"]: o for o in built(overlay) if o["kind"] == kind}


def resolved_env(overlay: str, container: Obj) -> dict[str, str]:
    config_maps = of_kind(overlay, "ConfigMap")
    values = {v["name"]: v["value"] for v in container.get("env", []) if "value" in v}
    for var in container.get("env", []):
        ref = var.get("valueFrom", {}).get("configMapKeyRef")
        if ref is not None:
            values[var["name"]] = config_maps[ref["name"]]["data"][ref["key"]]
    return values


def test_the_catalog_runs_kafka_through_strimzi_on_openshift() -> None:
    assert STRIMZI is not None and STRIMZI.operator == "strimzi"
    # AMQ Streams 3.1 (channel amq-streams-3.1.x) is Strimzi 0.48, which serves only v1beta2
    assert STRIMZI.api_version == "kafka.strimzi.io/v1beta2"


@pytest.mark.parametrize("overlay", OPENSHIFT)
def test_openshift_runs_no_apache_kafka_workload(overlay: str) -> None:
    images = {
        (template.ref, container["image"])
        for template in pod_templates(list(built(overlay)))
        for container in [*template.spec.get("initContainers", []), *template.spec["containers"]]
    }
    assert not [entry for entry in images if "apache/kafka" in entry[1]]


@pytest.mark.parametrize("overlay", OPENSHIFT)
def test_openshift_has_the_strimzi_objects_with_the_catalogs_api_version(overlay: str) -> None:
    assert STRIMZI is not None
    objects = [o for o in built(overlay) if o["kind"] in STRIMZI_KINDS]
    assert {o["apiVersion"] for o in objects} == {STRIMZI.api_version}
    kafka = of_kind(overlay, "Kafka")
    assert list(kafka) == [STRIMZI.cluster]
    spec = kafka[STRIMZI.cluster]["spec"]
    assert spec["entityOperator"] == {"topicOperator": {}}
    (listener,) = spec["kafka"]["listeners"]
    assert (listener["name"], listener["port"], listener["type"], listener["tls"]) == (
        "plain",
        9092,
        "internal",
        False,
    )
    assert spec["kafka"]["version"] == STRIMZI.version
    for obj in [*of_kind(overlay, "KafkaNodePool").values(), *of_kind(overlay, "KafkaTopic").values()]:
        assert obj["metadata"]["labels"][CLUSTER_LABEL] == STRIMZI.cluster
    topics = set(of_kind(overlay, "KafkaTopic"))
    assert topics == {topic.name for topic in CATALOG.topics}


@pytest.mark.parametrize("overlay", KUBERNETES)
def test_kubernetes_keeps_its_kafka_and_creates_every_catalog_topic(overlay: str) -> None:
    assert not [o for o in built(overlay) if o["kind"] in STRIMZI_KINDS]
    assert "kafka" in of_kind(overlay, "StatefulSet")
    (job,) = [t for t in pod_templates(list(built(overlay))) if t.name == "kafka-topics"]
    script = "\n".join(job.spec["containers"][0]["command"])
    assert "--create" in script
    for topic in CATALOG.topics:
        assert f" {topic.name} " in script or f" {topic.name};" in script, topic.name


def _kafka_clients(overlay: str) -> list[tuple[str, dict[str, str]]]:
    found = []
    for template in pod_templates(list(built(overlay))):
        for container in template.spec["containers"]:
            env = resolved_env(overlay, container)
            if any(name in env for name in (*BOOTSTRAP_ENV, "INSIGHTS_KAFKA_HOST")):
                found.append((f"{template.name}/{container['name']}", env))
    return found


@pytest.mark.parametrize("overlay", OPENSHIFT + KUBERNETES)
def test_every_kafka_client_points_at_the_platforms_kafka(overlay: str) -> None:
    assert STRIMZI is not None
    expected = f"{STRIMZI.cluster}-kafka-bootstrap:9092" if overlay in OPENSHIFT else "kafka:9092"
    clients = _kafka_clients(overlay)
    assert len(clients) > 20  # ROS, ingress and every Koku pod
    for name, env in clients:
        addresses = {env[var] for var in BOOTSTRAP_ENV if var in env}
        if "INSIGHTS_KAFKA_HOST" in env:
            addresses.add(f"{env['INSIGHTS_KAFKA_HOST']}:{env['INSIGHTS_KAFKA_PORT']}")
        assert addresses == {expected}, name


def _matrix_listener_clients(overlay: str) -> set[str]:
    """The matrix's clients of the brokers' listener in the overlay's analytics mode (its profile's)."""
    spec = CATALOG.overlay(overlay)
    assert spec is not None
    flows = required_flows(CATALOG, "openshift", overlay_analytics(CATALOG, spec))
    return {f.source for f in flows if f.destination == "kafka" and f.port == 9092}


@pytest.mark.parametrize("overlay", OPENSHIFT)
def test_clients_reach_the_broker_pods_on_9092_and_nothing_else_opens(overlay: str) -> None:
    spec = CATALOG.overlay(overlay)
    assert spec is not None
    context = LintContext(catalog=CATALOG, platform="openshift", namespace=None,
                          authorization=overlay_authorization(CATALOG, spec))
    result = reachability(list(built(overlay)), context)
    assert not result.missing and not result.extra
    matrix_clients = _matrix_listener_clients(overlay)
    to_brokers = {(key[0], key[2]) for key in result.allowed if key[1] == "kafka"}
    assert {source for source, port in to_brokers if port == 9092} == matrix_clients
    # the other ports of the brokers are the operator's own (replication, KafkaAgent), only for its pods
    others = {source for source, port in to_brokers if port != 9092}
    assert others == {"kafka", "kafka-controllers", "kafka-entity-operator", "strimzi-cluster-operator"}
    policies = of_kind(overlay, "NetworkPolicy")
    ingress = policies["allow-ingress-to-kafka"]["spec"]
    assert ingress["podSelector"]["matchLabels"][BROKER_ROLE_LABEL] == "true"
    client_rule = next(r for r in ingress["ingress"] if r["ports"] == [{"protocol": "TCP", "port": 9092}])
    assert len(client_rule["from"]) == len(matrix_clients)


@pytest.mark.parametrize("overlay", OPENSHIFT)
def test_the_listener_is_opened_by_strimzis_own_policy_to_the_matrix_clients_only(overlay: str) -> None:
    # Without networkPolicyPeers Strimzi's generated NetworkPolicy opens the listener to every pod of every
    # namespace (cluster-operator/.../model/KafkaCluster.java:1731-1733 at 0.48.0).
    assert STRIMZI is not None
    (listener,) = of_kind(overlay, "Kafka")[STRIMZI.cluster]["spec"]["kafka"]["listeners"]
    peers = {
        p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in listener["networkPolicyPeers"]
    }
    assert peers == _matrix_listener_clients(overlay)


def test_prod_sizes_kafka_as_its_profile_says() -> None:
    minimal, prod = of_kind("openshift-minimal", "KafkaNodePool"), of_kind("openshift-prod", "KafkaNodePool")
    assert {n: (p["spec"]["replicas"], p["spec"]["roles"]) for n, p in minimal.items()} == {
        "brokers": (1, ["controller", "broker"])
    }
    assert {n: (p["spec"]["replicas"], p["spec"]["roles"]) for n, p in prod.items()} == {
        "brokers": (3, ["broker"]),
        "controllers": (3, ["controller"]),
    }
    sizes = {n: p["spec"]["storage"]["volumes"][0]["size"] for n, p in prod.items()}
    assert sizes == {"brokers": "100Gi", "controllers": "20Gi"}  # storage.kafka.data, kafka.controllerStorage
    assert minimal["brokers"]["spec"]["storage"]["volumes"][0]["size"] == "10Gi"
    assert prod["brokers"]["spec"]["resources"]["limits"] == {"cpu": "2", "memory": "4Gi"}  # sizes.kafka
    config = {o: next(iter(of_kind(o, "Kafka").values()))["spec"]["kafka"]["config"] for o in OPENSHIFT}
    assert config["openshift-minimal"]["default.replication.factor"] == 1
    assert config["openshift-minimal"]["min.insync.replicas"] == 1
    assert config["openshift-prod"]["default.replication.factor"] == 3
    assert config["openshift-prod"]["min.insync.replicas"] == 2
    assert config["openshift-prod"]["offsets.topic.replication.factor"] == 3
    assert {t["spec"]["replicas"] for t in of_kind("openshift-prod", "KafkaTopic").values()} == {3}
    assert config["openshift-prod"]["auto.create.topics.enable"] is False


def test_prod_overlay_patches_only_what_differs() -> None:
    text = (REPO_ROOT / "overlays/openshift-prod/profile-patches.yaml").read_text()
    kafka_patch = text.split("kind: Kafka\n", 1)[1].split("---", 1)[0]
    assert "listeners" not in kafka_patch and "log.retention.hours" not in kafka_patch
    assert "min.insync.replicas: 2" in kafka_patch
    assert not (REPO_ROOT / "overlays/openshift-minimal/strimzi.yaml").exists()
    assert "name: controllers" in (REPO_ROOT / "overlays/openshift-prod/strimzi.yaml").read_text()


@pytest.mark.parametrize("overlay", OPENSHIFT)
def test_strimzi_objects_sync_in_the_phase_of_what_they_replace(overlay: str) -> None:
    waves = {
        (o["kind"], o["metadata"]["name"]): o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
        for o in built(overlay)
        if o["kind"] in (*STRIMZI_KINDS, "ConfigMap")
    }
    assert waves[("ConfigMap", "kafka")] == "-20"
    assert {w for (kind, _), w in waves.items() if kind in ("Kafka", "KafkaNodePool")} == {"-10"}  # data
    assert {w for (kind, _), w in waves.items() if kind == "KafkaTopic"} == {"-5"}  # setup, as the Job


def _wait_address(overlay_objects: list[Obj], workload: str) -> set[str]:
    config_maps = {o["metadata"]["name"]: o for o in overlay_objects if o["kind"] == "ConfigMap"}
    (template,) = [t for t in pod_templates(overlay_objects) if t.name == workload]
    (wait,) = [c for c in template.spec["initContainers"] if c["name"] == "wait-for-kafka"]
    env = {}
    for var in wait["env"]:
        ref = var["valueFrom"]["configMapKeyRef"]
        env[var["name"]] = config_maps[ref["name"]]["data"][ref["key"]]
    return {f"{env['KAFKA_HOST']}:{env['KAFKA_PORT']}"}


@pytest.mark.parametrize("overlay", KUBERNETES)
def test_waiting_for_kafka_on_kubernetes_waits_for_the_statefulset(overlay: str) -> None:
    assert _wait_address(list(built(overlay)), "kafka-topics") == {"kafka:9092"}


def test_waiting_for_kafka_on_openshift_waits_for_the_bootstrap_service(tmp_path: Any) -> None:
    from rosgit.generate.tree import manifest_files

    assert STRIMZI is not None
    text = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
    marker = "    command: [/bin/sh, -c, ./rosocp start processor]\n"
    assert marker in text
    catalog_path = tmp_path / "rosgit.yaml"
    catalog_path.write_text(
        text.replace(marker, marker + '    waitFor: ["kafka:kafka"]\n', 1), encoding="utf-8"
    )
    for path, content in manifest_files(load_catalog(catalog_path)).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content, encoding="utf-8")
    for overlay, expected in (
        ("openshift-prod", f"{STRIMZI.cluster}-kafka-bootstrap:9092"),
        ("prod", "kafka:9092"),
    ):
        objects = build_objects(tmp_path / "overlays" / overlay)
        assert _wait_address(objects, "rosocp-processor") == {expected}
