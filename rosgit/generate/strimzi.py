"""Kafka run by the Strimzi / AMQ Streams operator: the Kafka, KafkaNodePool and KafkaTopic objects of a
platform whose catalog entry has a `kafka:` section, and the `kafka` ConfigMap every client reads its bootstrap
address from (on every platform).

The shapes follow what upstream's installer applies (insights-onprem/cost-onprem-chart scripts/deploy-kafka.sh:
415-606: KRaft node pools, a `plain` 9092 internal listener without TLS, replication settings sized by the
brokers, the Topic Operator) and fit both kafka.strimzi.io/v1beta2 (Strimzi 0.48, AMQ Streams 3.1) and v1
(Strimzi >= 0.49): nothing here uses a field either schema lacks.
"""

from __future__ import annotations

from dataclasses import replace

from rosgit.catalog.model import AnalyticsMode, Catalog, Component, Platform, StrimziKafka
from rosgit.catalog.profiles import ResolvedProfile, resolve_profile
from rosgit.catalog.strimzi import CLUSTER_LABEL, bootstrap_service, brokers, strimzi_of
from rosgit.catalog.traffic import required_flows
from rosgit.fileset.text import yaml_file
from rosgit.generate.networkpolicy import pod_selector
from rosgit.generate.workloads import resources_of
from rosgit.k8s import labels as L
from rosgit.k8s.argo import WAVE_CONFIG, WAVE_DATA, WAVE_SETUP, wave_annotation
from rosgit.k8s.objects import Obj

KAFKA_CONFIG = "kafka"
LISTENER = "plain"
BROKER_POOL = "brokers"
CONTROLLER_POOL = "controllers"
# upstream's broker settings (deploy-kafka.sh:492-534): a week of retention, 1 GiB segments
RETENTION_HOURS = 168
SEGMENT_BYTES = 1073741824


def kafka_component(catalog: Catalog, platform: Platform) -> Component | None:
    """The component a platform's operator-run cluster stands in for, or the one running Kafka itself."""
    name = platform.kafka.component if platform.kafka is not None else "kafka"
    return catalog.component(name)


def kafka_config(catalog: Catalog, platform: Platform) -> Obj | None:
    """ConfigMap `kafka`: where the platform's Kafka is, for every client (and the wait containers)."""
    component = kafka_component(catalog, platform)
    port = component.port("kafka") if component is not None else None
    if component is None or port is None:
        return None
    host = bootstrap_service(platform.kafka) if platform.kafka is not None else component.service_name
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": KAFKA_CONFIG,
            "labels": {**L.project_labels(catalog), L.COMPONENT: "kafka"},
            "annotations": wave_annotation(WAVE_CONFIG),
        },
        "data": {"bootstrap-servers": f"{host}:{port.port}", "host": host, "port": str(port.port)},
    }


def replication(profile: ResolvedProfile) -> tuple[int, int]:
    """(replication factor, min in-sync replicas): at most 3 copies, a majority of them in sync, as upstream
    (min.insync.replicas = replicas / 2 + 1)."""
    copies = min(3, profile.kafka.brokers or 1)
    return copies, copies // 2 + 1


def strimzi_settings(profile: ResolvedProfile) -> Obj:
    """The brokers' settings (spec.kafka.config) at a profile."""
    copies, in_sync = replication(profile)
    return {
        # every topic is a KafkaTopic (catalog topics:), as on Kubernetes, where the Job creates them
        "auto.create.topics.enable": False,
        "default.replication.factor": copies,
        "min.insync.replicas": in_sync,
        "offsets.topic.replication.factor": copies,
        "transaction.state.log.replication.factor": copies,
        "transaction.state.log.min.isr": in_sync,
        "log.retention.hours": RETENTION_HOURS,
        "log.segment.bytes": SEGMENT_BYTES,
    }


def _metadata(catalog: Catalog, strimzi: StrimziKafka, name: str, wave: int, *, member: bool) -> Obj:
    labels = {**L.project_labels(catalog), L.COMPONENT: "kafka"}
    stood_in = catalog.component(strimzi.component)
    if stood_in is not None:
        # the group of the component Strimzi stands in for: Strimzi copies CR labels to its pods, and
        # `rosgit resources` counts the CRs' pods under it
        labels[L.GROUP] = stood_in.group
    if member:
        # what ties a node pool or topic to its cluster (the operator ignores objects without it)
        labels[CLUSTER_LABEL] = strimzi.cluster
    return {"name": name, "labels": labels, "annotations": wave_annotation(wave)}


def _listener_peers(
    catalog: Catalog, platform: str, strimzi: StrimziKafka, port: int, analytics: AnalyticsMode
) -> list[Obj]:
    """The clients of the matrix: the operator's own NetworkPolicy then opens the listener to them only
    (without peers it opens it to every pod of every namespace, KafkaCluster.java:1731-1733)."""
    target = brokers(strimzi).name
    flows = required_flows(catalog, platform, analytics)
    sources = sorted({f.source for f in flows if f.destination == target and f.port == port})
    return [
        {"podSelector": pod_selector(catalog, platform, source)}
        for source in sources
        if catalog.component(source)
    ]


def kafka_cluster(catalog: Catalog, platform: str, strimzi: StrimziKafka, profile: ResolvedProfile) -> Obj:
    component = catalog.component(strimzi.component)
    assert component is not None, "validated by the loader"
    port = component.port("kafka")
    assert port is not None, "validated by the loader"
    listener: Obj = {
        "name": LISTENER,
        "port": port.port,
        "type": "internal",
        "tls": False,
        "networkPolicyPeers": _listener_peers(catalog, platform, strimzi, port.port, profile.analytics),
    }
    kafka: Obj = {}
    if strimzi.version is not None:
        kafka["version"] = strimzi.version
    kafka["listeners"] = [listener]
    kafka["config"] = strimzi_settings(profile)
    return {
        "apiVersion": strimzi.api_version,
        "kind": "Kafka",
        "metadata": _metadata(catalog, strimzi, strimzi.cluster, WAVE_DATA, member=False),
        "spec": {"kafka": kafka, "entityOperator": {"topicOperator": {}}},
    }


def _storage(strimzi: StrimziKafka, size: str) -> Obj:
    volume: Obj = {"id": 0, "type": "persistent-claim", "size": size, "deleteClaim": False}
    if strimzi.storage_class:
        volume["class"] = strimzi.storage_class
    return {"type": "jbod", "volumes": [volume]}


def node_pool(
    catalog: Catalog,
    strimzi: StrimziKafka,
    name: str,
    replicas: int,
    roles: list[str],
    resources: Obj,
    size: str,
) -> Obj:
    return {
        "apiVersion": strimzi.api_version,
        "kind": "KafkaNodePool",
        "metadata": _metadata(catalog, strimzi, name, WAVE_DATA, member=True),
        "spec": {
            "replicas": replicas,
            "roles": roles,
            "resources": resources,
            "storage": _storage(strimzi, size),
        },
    }


def pool_shapes(catalog: Catalog, strimzi: StrimziKafka, profile: ResolvedProfile) -> dict[str, Obj]:
    """{pool: replicas, roles, resources, size}: one pool of combined broker+controller nodes, or brokers
    and controllers apart (profile `kafka:`); the brokers' size is the kafka component's `data` storage."""
    component = catalog.component(strimzi.component)
    assert component is not None, "validated by the loader"
    resources = resources_of(profile, component)
    data = next((c for c in component.storage if c.name == "data"), None)
    broker_size = str(profile.storage_for(component, "data", data.size)) if data is not None else "10Gi"
    nodes = profile.kafka
    controllers = nodes.controllers or 0
    shapes = {
        BROKER_POOL: {
            "replicas": nodes.brokers or 1,
            "roles": ["broker"] if controllers else ["controller", "broker"],
            "resources": resources,
            "size": broker_size,
        }
    }
    if controllers:
        size = str(nodes.controller_storage or broker_size)
        shapes[CONTROLLER_POOL] = {
            "replicas": controllers,
            "roles": ["controller"],
            "resources": resources,
            "size": size,
        }
    return shapes


def node_pools(catalog: Catalog, strimzi: StrimziKafka, profile: ResolvedProfile) -> list[Obj]:
    return [
        node_pool(
            catalog, strimzi, name, shape["replicas"], shape["roles"], shape["resources"], shape["size"]
        )
        for name, shape in pool_shapes(catalog, strimzi, profile).items()
    ]


def kafka_topics(catalog: Catalog, strimzi: StrimziKafka, profile: ResolvedProfile) -> list[Obj]:
    """A KafkaTopic per catalog topic, after the cluster (setup phase, as the Kubernetes topic Job)."""
    copies, _ = replication(profile)
    return [
        {
            "apiVersion": strimzi.api_version,
            "kind": "KafkaTopic",
            "metadata": _metadata(catalog, strimzi, topic.name, WAVE_SETUP, member=True),
            "spec": {"partitions": 1, "replicas": copies},
        }
        for topic in catalog.topics
    ]


def strimzi_objects(catalog: Catalog, platform: str, profile: ResolvedProfile) -> list[Obj]:
    """Everything the operator needs from us on this platform at this profile; none without a `kafka:` section."""
    strimzi = strimzi_of(catalog, platform)
    if strimzi is None:
        return []
    return [
        kafka_cluster(catalog, platform, strimzi, profile),
        *node_pools(catalog, strimzi, profile),
        *kafka_topics(catalog, strimzi, profile),
    ]


def _changed(base: Obj, wanted: Obj) -> Obj:
    """The entries of `wanted` that differ from `base`, nested maps by key, lists whole (as a merge patch)."""
    diff: Obj = {}
    for key, value in wanted.items():
        old = base.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            inner = _changed(old, value)
            if inner:
                diff[key] = inner
        elif value != old:
            diff[key] = value
    return diff


def strimzi_overlay(
    catalog: Catalog, platform: str, base: ResolvedProfile, profile: ResolvedProfile
) -> tuple[list[Obj], list[Obj]]:
    """(patches, new objects) turning the platform Component's Strimzi objects (base profile) into the
    profile's: only what differs, as the other profile patches; a pool the base has not is a new object."""
    at_base = {(o["kind"], o["metadata"]["name"]): o for o in strimzi_objects(catalog, platform, base)}
    patches: list[Obj] = []
    added: list[Obj] = []
    for obj in strimzi_objects(catalog, platform, profile):
        old = at_base.pop((obj["kind"], obj["metadata"]["name"]), None)
        if old is None:
            added.append(obj)
            continue
        spec = _changed(old["spec"], obj["spec"])
        if spec:
            name = obj["metadata"]["name"]
            head = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": {"name": name}}
            patches.append({**head, "spec": spec})
    # every profile has the broker pool and the same cluster and topics: nothing of the base's disappears
    assert not at_base, f"profile {profile.name!r} drops {sorted(at_base)}"
    return patches, added


def component_files(
    catalog: Catalog, platform_name: str, platform: Platform, prefix: str, analytics: AnalyticsMode
) -> dict[str, str]:
    """The platform Component's Kafka files: kafka.yaml (the ConfigMap) and, with Strimzi, strimzi.yaml
    at the base profile. Keys are paths; the Component lists their file names as resources."""
    files: dict[str, str] = {}
    config = kafka_config(catalog, platform)
    if config is not None:
        files[f"{prefix}/kafka.yaml"] = yaml_file(config)
    base = resolve_profile(catalog, catalog.project.base_profile)
    objects = strimzi_objects(catalog, platform_name, replace(base, analytics=analytics))
    if objects:
        files[f"{prefix}/strimzi.yaml"] = yaml_file(*objects)
    return files
