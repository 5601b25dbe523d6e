"""The pods the Strimzi operator runs for its custom resources (`kafka.strimzi.io/*`), sized from the CRs.

A KafkaNodePool is `spec.replicas` Kafka pods, each with `spec.resources`, and a claim per replica for its
`persistent-claim` storage (a `jbod` list: each `persistent-claim` volume; `ephemeral` is no claim).
A Kafka CR's `entityOperator` is one pod, with a container for each of `topicOperator` and `userOperator` it
sets (with neither, Strimzi runs no Entity Operator: strimzi/strimzi-kafka-operator@8541da1e
cluster-operator/src/main/java/io/strimzi/operator/cluster/model/EntityOperator.java:136-137); its
`cruiseControl` and `kafkaExporter` are one pod each. Pod names are the operator's
(`<cluster>-entity-operator`, ...), the group the CR's own `rosgit.io/group` label.
"""

from __future__ import annotations

from typing import Any

from rosgit.quantity import bytes_of
from rosgit.resources.totals import Workload, dig, group_of, pods_of

GROUP = "kafka.strimzi.io"
# The Kafka CR's parts the operator runs as a Deployment of one pod, and the containers of each.
SINGLE_POD_PARTS = {
    "entityOperator": ("topicOperator", "userOperator"),
    "cruiseControl": None,
    "kafkaExporter": None,
}
POD_NAMES = {"entityOperator": "entity-operator", "cruiseControl": "cruise-control", "kafkaExporter": "kafka-exporter"}


def _is_strimzi(obj: dict[str, Any], kind: str) -> bool:
    return obj.get("kind") == kind and str(obj.get("apiVersion", "")).startswith(f"{GROUP}/")


def claimed_bytes(storage: dict[str, Any]) -> int:
    """One replica's persistent-claim sizes."""
    if storage.get("type") == "jbod":
        return sum(claimed_bytes(volume) for volume in storage.get("volumes") or [] if isinstance(volume, dict))
    if storage.get("type") == "persistent-claim" and storage.get("size") is not None:
        return bytes_of(storage["size"])
    return 0


def strimzi_workloads(obj: dict[str, Any]) -> list[Workload]:
    """The pods of a KafkaNodePool or a Kafka CR; nothing for any other object."""
    spec = dig(obj, "spec")
    name = str(dig(obj, "metadata").get("name", "?"))
    if _is_strimzi(obj, "KafkaNodePool"):
        replicas = spec.get("replicas")
        count = replicas if isinstance(replicas, int) and not isinstance(replicas, bool) else 0
        totals = pods_of([spec.get("resources")], count, claimed_bytes(dig(spec, "storage")) * count)
        return [Workload(name, group_of(obj), totals)]
    if not _is_strimzi(obj, "Kafka"):
        return []
    workloads: list[Workload] = []
    for part, containers in SINGLE_POD_PARTS.items():
        if part not in spec:
            continue
        part_spec = dig(spec, part)
        if containers is None:
            resources = [part_spec.get("resources")]
        else:
            resources = [dig(part_spec, c).get("resources") for c in containers if c in part_spec]
            if not resources:
                continue
        workloads.append(Workload(f"{name}-{POD_NAMES[part]}", group_of(obj), pods_of(resources, 1)))
    return workloads
