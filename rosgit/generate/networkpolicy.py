"""NetworkPolicies from the traffic matrix: deny everything, then allow exactly the listed flows and DNS."""

from __future__ import annotations

from collections import defaultdict

from rosgit.catalog.model import AnalyticsMode, AuthorizationMode, Catalog
from rosgit.catalog.strimzi import selector_of
from rosgit.catalog.traffic import Flow, dns_namespace, required_flows
from rosgit.k8s import labels as L
from rosgit.k8s.argo import WAVE_CONFIG, wave_annotation
from rosgit.k8s.objects import Obj


def _metadata(catalog: Catalog, name: str) -> Obj:
    return {
        "name": name,
        "labels": {**L.project_labels(catalog), L.COMPONENT: "networkpolicy"},
        "annotations": wave_annotation(WAVE_CONFIG),
    }


def pod_selector(catalog: Catalog, platform: str, name: str) -> Obj:
    """The pods of a flow end in the namespace: a component's, or those an operator labels (Strimzi's)."""
    labels = selector_of(catalog, platform, name)
    return {"matchLabels": labels if labels is not None else {L.NAME: name, L.INSTANCE: catalog.project.name}}


def _peer(catalog: Catalog, platform: str, name: str) -> Obj:
    external = catalog.externals.get(name)
    if external is not None:
        if external.ip_block is not None:
            block: Obj = {"cidr": external.ip_block.cidr}
            if external.ip_block.except_:
                block["except"] = list(external.ip_block.except_)
            return {"ipBlock": block}
        peer: Obj = {"namespaceSelector": {"matchLabels": dict(external.namespace_labels)}}
        if external.pod_labels:
            peer["podSelector"] = {"matchLabels": dict(external.pod_labels)}
        return peer
    return {"podSelector": pod_selector(catalog, platform, name)}


def _rules(catalog: Catalog, platform: str, flows: list[Flow], peer_of: str, direction: str) -> list[Obj]:
    """One rule per port, listing every peer allowed on it; sorted for stable output."""
    by_port: dict[tuple[int, str], set[str]] = defaultdict(set)
    for flow in flows:
        by_port[(flow.port, flow.protocol)].add(getattr(flow, peer_of))
    rules = []
    for (port, protocol), peers in sorted(by_port.items()):
        rules.append(
            {
                direction: [_peer(catalog, platform, peer) for peer in sorted(peers)],
                "ports": [{"protocol": protocol, "port": port}],
            }
        )
    return rules


def dns_policy(catalog: Catalog, platform: str) -> Obj:
    """Every pod may ask the cluster DNS, on its pod ports, UDP and TCP (large answers fall back to TCP)."""
    spec = catalog.platforms[platform]  # type: ignore[index]
    namespace = {"kubernetes.io/metadata.name": dns_namespace(catalog, platform)}
    peer: Obj = {"namespaceSelector": {"matchLabels": namespace}}
    if spec.dns_pod_labels:
        peer["podSelector"] = {"matchLabels": dict(spec.dns_pod_labels)}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(catalog, "allow-dns"),
        "spec": {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [peer],
                    "ports": [{"protocol": proto, "port": port} for port in spec.dns_ports for proto in ("UDP", "TCP")],
                }
            ],
        },
    }


def network_policies(
    catalog: Catalog, platform: str, analytics: AnalyticsMode | None = None,
    authorization: AuthorizationMode | None = None,
) -> list[Obj]:
    flows = required_flows(catalog, platform, analytics, authorization)
    policies: list[Obj] = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _metadata(catalog, "default-deny-all"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        dns_policy(catalog, platform),
    ]
    inbound: dict[str, list[Flow]] = defaultdict(list)
    outbound: dict[str, list[Flow]] = defaultdict(list)
    for flow in flows:
        if flow.destination not in catalog.externals:
            inbound[flow.destination].append(flow)
        if flow.source not in catalog.externals:
            outbound[flow.source].append(flow)
    for destination in sorted(inbound):
        policies.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": _metadata(catalog, f"allow-ingress-to-{destination}"),
                "spec": {
                    "podSelector": pod_selector(catalog, platform, destination),
                    "policyTypes": ["Ingress"],
                    "ingress": _rules(catalog, platform, inbound[destination], "source", "from"),
                },
            }
        )
    for source in sorted(outbound):
        policies.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": _metadata(catalog, f"allow-egress-from-{source}"),
                "spec": {
                    "podSelector": pod_selector(catalog, platform, source),
                    "policyTypes": ["Egress"],
                    "egress": _rules(catalog, platform, outbound[source], "destination", "to"),
                },
            }
        )
    return policies
