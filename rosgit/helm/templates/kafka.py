"""templates/kafka.yaml: the `kafka` ConfigMap of each platform (where clients find Kafka) and, on OpenShift,
the Strimzi objects, their profile-dependent fields (broker settings, pools, topic replicas) from values."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from rosgit.catalog.model import ALL_ANALYTICS, AnalyticsMode, Catalog, StrimziKafka
from rosgit.catalog.profiles import ResolvedProfile, resolve_profile
from rosgit.catalog.strimzi import CLUSTER_LABEL
from rosgit.fileset.text import HEADER
from rosgit.generate.strimzi import (
    BROKER_POOL,
    CONTROLLER_POOL,
    kafka_cluster,
    kafka_config,
    kafka_topics,
    node_pool,
)
from rosgit.helm.template import Block, Inline, WhenItems, render_document
from rosgit.helm.templates.metadata import (
    OPENSHIFT,
    analytics_is,
    go_string,
    set_metadata,
    set_project_metadata,
)
from rosgit.k8s import labels as L
from rosgit.k8s.objects import Obj

VALUES = ".Values.strimzi"


def _strimzi_metadata(obj: Obj) -> None:
    """Project metadata plus the labels a Strimzi object carries beyond it: its group (counted by
    `rosgit resources`) and, on a pool or topic, the strimzi.io/cluster label tying it to its Kafka."""
    labels = obj["metadata"]["labels"]
    extra = " ".join(
        f"{go_string(key)} {go_string(labels[key])}" for key in (L.COMPONENT, L.GROUP, CLUSTER_LABEL) if key in labels
    )
    set_metadata(
        obj, Block(f'include "ros-ocp.projectMetadataLabels" (dict "root" $ "extra" (dict {extra}))')
    )


def _pool(catalog: Catalog, strimzi: StrimziKafka, name: str) -> Obj:
    pool = node_pool(catalog, strimzi, name, 0, [], {}, "")
    _strimzi_metadata(pool)
    values = f"{VALUES}.{name}"
    spec = pool["spec"]
    spec["replicas"] = Inline(f"{{{{ {values}.replicas }}}}")
    spec["roles"] = Block(f"toYaml {values}.roles")
    spec["resources"] = Block(f"toYaml {values}.resources")
    spec["storage"]["volumes"][0]["size"] = Inline(f"{{{{ {values}.size | quote }}}}")
    return pool


def _peers_by_analytics(catalog: Catalog, strimzi: StrimziKafka, base: ResolvedProfile, cluster: Obj) -> None:
    """Each listener's networkPolicyPeers, a peer present in some analytics modes only under their switches:
    the peers are the listener's clients in the traffic matrix, sorted by name, as in each mode's overlay."""
    per_mode = {
        mode: kafka_cluster(catalog, "openshift", strimzi, replace(base, analytics=mode))["spec"]["kafka"]["listeners"]
        for mode in ALL_ANALYTICS
    }
    for index, listener in enumerate(cluster["spec"]["kafka"]["listeners"]):
        if "networkPolicyPeers" not in listener:
            continue
        peers: dict[str, tuple[Obj, list[AnalyticsMode]]] = {}
        for mode, listeners in per_mode.items():
            for peer in listeners[index].get("networkPolicyPeers", []):
                name = peer["podSelector"]["matchLabels"][L.NAME]
                peers.setdefault(name, (peer, []))[1].append(mode)
        items: list[Any] = []
        for name in sorted(peers):
            peer, modes = peers[name]
            if len(modes) == len(ALL_ANALYTICS):
                items.append(peer)
            else:
                items.extend(WhenItems(analytics_is(mode), [peer]) for mode in modes)
        listener["networkPolicyPeers"] = items


def kafka_template(catalog: Catalog) -> str | None:
    docs: list[str] = []
    for name, platform in sorted(catalog.platforms.items()):
        config = kafka_config(catalog, platform)
        if config is None:
            continue
        obj = copy.deepcopy(config)
        set_project_metadata(obj)
        docs.append(render_document(obj, OPENSHIFT if name == "openshift" else f"not {OPENSHIFT}"))
    openshift = catalog.platforms.get("openshift")
    strimzi = openshift.kafka if openshift is not None else None
    if strimzi is not None:
        base = resolve_profile(catalog, catalog.project.base_profile)
        cluster = copy.deepcopy(kafka_cluster(catalog, "openshift", strimzi, base))
        _peers_by_analytics(catalog, strimzi, base, cluster)
        _strimzi_metadata(cluster)
        cluster["spec"]["kafka"]["config"] = Block(f"toYaml {VALUES}.config")
        docs.append(render_document(cluster, OPENSHIFT))
        for pool in (BROKER_POOL, CONTROLLER_POOL):
            docs.append(
                render_document(_pool(catalog, strimzi, pool), f"and {OPENSHIFT} {VALUES}.{pool}.enabled")
            )
        for topic in copy.deepcopy(kafka_topics(catalog, strimzi, base)):
            _strimzi_metadata(topic)
            topic["spec"]["replicas"] = Inline(f"{{{{ {VALUES}.topicReplicas }}}}")
            docs.append(render_document(topic, OPENSHIFT))
    if not docs:
        return None
    return HEADER + "\n" + "".join(docs)
