"""A Strimzi-run Kafka as ends of the traffic matrix: the pods the cluster operator creates, the labels it puts
on them, and the flows those pods need among themselves. Pure data over the catalog, shared by the traffic
matrix, the NetworkPolicy generator and the traffic lint.

Facts (strimzi/strimzi-kafka-operator@0.48.0):
- Node pods carry strimzi.io/cluster, strimzi.io/kind=Kafka, strimzi.io/name=<cluster>-kafka and
  strimzi.io/broker-role / strimzi.io/controller-role "true"|"false"; the bootstrap Service selects the first
  three plus broker-role=true (cluster-operator/.../model/KafkaCluster.java:1997-1999; label names
  operator-common/.../model/Labels.java:53-63, api/.../ResourceLabels.java:29-47).
- Controllers listen on 9090 (CONTROLPLANE), brokers on 9091 (REPLICATION) and on each user listener, every
  node on 8443 (KafkaAgent) (KafkaCluster.java:154-158; KafkaBrokerConfigurationBuilder.java:256-269).
- The Topic Operator (entity operator, strimzi.io/name=<cluster>-entity-operator) connects to
  <cluster>-kafka-bootstrap:9091 (EntityTopicOperator.java:106) and watches KafkaTopics through the API server.
- The cluster operator's pods are labelled strimzi.io/kind=cluster-operator
  (packaging/install/cluster-operator/060-Deployment-strimzi-cluster-operator.yaml:12-17) and reach the
  nodes on 9090, 9091 and 8443 (KafkaCluster.java:1720-1728).
"""

from __future__ import annotations

from dataclasses import dataclass

from rosgit.catalog.model import Catalog, StrimziKafka

CLUSTER_LABEL = "strimzi.io/cluster"
KIND_LABEL = "strimzi.io/kind"
NAME_LABEL = "strimzi.io/name"
BROKER_ROLE_LABEL = "strimzi.io/broker-role"
CONTROLLER_ROLE_LABEL = "strimzi.io/controller-role"
POOL_LABEL = "strimzi.io/pool-name"
CONTROL_PLANE_PORT = 9090
REPLICATION_PORT = 9091
AGENT_PORT = 8443
# The catalog externals the operator's pods talk to (declared in `externals:`).
CLUSTER_OPERATOR = "strimzi-cluster-operator"
API_SERVER = "kube-apiserver"
API_SERVER_PORT = 6443


def strimzi_of(catalog: Catalog, platform: str) -> StrimziKafka | None:
    spec = catalog.platforms.get(platform)  # type: ignore[call-overload]
    return spec.kafka if spec is not None else None


def bootstrap_service(strimzi: StrimziKafka) -> str:
    """The Service Strimzi names for the brokers (api/.../kafka/KafkaResources.java:95-97)."""
    return f"{strimzi.cluster}-kafka-bootstrap"


@dataclass(frozen=True)
class PodGroup:
    """Pods the operator creates, as one end of flows: a name for the matrix and the labels selecting them."""

    name: str
    labels: dict[str, str]


def node_labels(strimzi: StrimziKafka) -> dict[str, str]:
    return {CLUSTER_LABEL: strimzi.cluster, KIND_LABEL: "Kafka", NAME_LABEL: f"{strimzi.cluster}-kafka"}


def brokers(strimzi: StrimziKafka) -> PodGroup:
    """Named like the component the cluster stands in for, so the matrix's `to: kafka` lands here."""
    return PodGroup(strimzi.component, {**node_labels(strimzi), BROKER_ROLE_LABEL: "true"})


def controllers(strimzi: StrimziKafka) -> PodGroup:
    return PodGroup(
        f"{strimzi.component}-controllers", {**node_labels(strimzi), CONTROLLER_ROLE_LABEL: "true"}
    )


def entity_operator(strimzi: StrimziKafka) -> PodGroup:
    return PodGroup(
        f"{strimzi.component}-entity-operator",
        {CLUSTER_LABEL: strimzi.cluster, NAME_LABEL: f"{strimzi.cluster}-entity-operator"},
    )


def pod_groups(strimzi: StrimziKafka) -> list[PodGroup]:
    return [brokers(strimzi), controllers(strimzi), entity_operator(strimzi)]


@dataclass(frozen=True)
class OperatorFlow:
    source: str
    destination: str
    port: int
    purpose: str


def operator_flows(strimzi: StrimziKafka) -> list[OperatorFlow]:
    """What the operator's pods need, whatever the profile's node layout: every node reaches the controllers'
    quorum and the brokers' replication listener (one combined pool or two pools alike)."""
    broker, controller, entity = (
        brokers(strimzi).name,
        controllers(strimzi).name,
        entity_operator(strimzi).name,
    )
    flows = []
    for node in (broker, controller):
        flows.append(OperatorFlow(node, controller, CONTROL_PLANE_PORT, "Kafka: KRaft controller quorum"))
        flows.append(OperatorFlow(node, broker, REPLICATION_PORT, "Kafka: replication"))
        flows.append(OperatorFlow(CLUSTER_OPERATOR, node, AGENT_PORT, "Strimzi: node state (KafkaAgent)"))
    flows.append(
        OperatorFlow(CLUSTER_OPERATOR, controller, CONTROL_PLANE_PORT, "Strimzi: quorum checks, rolls")
    )
    flows.append(OperatorFlow(CLUSTER_OPERATOR, broker, REPLICATION_PORT, "Strimzi: admin client"))
    flows.append(OperatorFlow(entity, broker, REPLICATION_PORT, "Topic Operator: Kafka admin client"))
    flows.append(OperatorFlow(entity, API_SERVER, API_SERVER_PORT, "Topic Operator: watches KafkaTopics"))
    return flows


def selector_of(catalog: Catalog, platform: str, name: str) -> dict[str, str] | None:
    """The pod labels of an operator-run flow end, or None when `name` is an ordinary component."""
    strimzi = strimzi_of(catalog, platform)
    if strimzi is None:
        return None
    for group in pod_groups(strimzi):
        if group.name == name:
            return dict(group.labels)
    return None
