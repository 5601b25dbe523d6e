"""NetworkPolicies from the traffic matrix: deny everything, then allow exactly the listed flows and DNS."""

from __future__ import annotations

from collections import defaultdict

from rosgit.catalog.model import Catalog
from rosgit.catalog.traffic import DNS_PORTS, Flow, required_flows
from rosgit.k8s import labels as L
from rosgit.k8s.argo import WAVE_CONFIG, wave_annotation
from rosgit.k8s.objects import Obj


def _metadata(catalog: Catalog, name: str) -> Obj:
    return {
        "name": name,
        "labels": {**L.project_labels(catalog), L.COMPONENT: "networkpolicy"},
        "annotations": wave_annotation(WAVE_CONFIG),
    }


def _peer(catalog: Catalog, name: str) -> Obj:
    external = catalog.externals.get(name)
    if external is not None:
        peer: Obj = {"namespaceSelector": {"matchLabels": dict(external.namespace_labels)}}
        if external.pod_labels:
            peer["podSelector"] = {"matchLabels": dict(external.pod_labels)}
        return peer
    return {"podSelector": {"matchLabels": {L.NAME: name, L.INSTANCE: catalog.project.name}}}


def _rules(catalog: Catalog, flows: list[Flow], peer_of: str, direction: str) -> list[Obj]:
    """One rule per port, listing every peer allowed on it; sorted for stable output."""
    by_port: dict[tuple[int, str], set[str]] = defaultdict(set)
    for flow in flows:
        by_port[(flow.port, flow.protocol)].add(getattr(flow, peer_of))
    rules = []
    for (port, protocol), peers in sorted(by_port.items()):
        rules.append(
            {
                direction: [_peer(catalog, peer) for peer in sorted(peers)],
                "ports": [{"protocol": protocol, "port": port}],
            }
        )
    return rules


def network_policies(catalog: Catalog, platform: str, dns_namespace: str) -> list[Obj]:
    flows = required_flows(catalog, platform)
    policies: list[Obj] = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _metadata(catalog, "default-deny-all"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _metadata(catalog, "allow-dns"),
            "spec": {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"kubernetes.io/metadata.name": dns_namespace}
                                }
                            }
                        ],
                        "ports": [
                            {"protocol": proto, "port": port}
                            for port in DNS_PORTS
                            for proto in ("UDP", "TCP")
                        ],
                    }
                ],
            },
        },
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
                    "podSelector": {"matchLabels": {L.NAME: destination, L.INSTANCE: catalog.project.name}},
                    "policyTypes": ["Ingress"],
                    "ingress": _rules(catalog, inbound[destination], "source", "from"),
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
                    "podSelector": {"matchLabels": {L.NAME: source, L.INSTANCE: catalog.project.name}},
                    "policyTypes": ["Egress"],
                    "egress": _rules(catalog, outbound[source], "destination", "to"),
                },
            }
        )
    return policies
