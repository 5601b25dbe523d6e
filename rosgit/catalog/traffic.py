"""The traffic matrix resolved for one platform: the exact set of flows the stack needs."""

from __future__ import annotations

from dataclasses import dataclass

from rosgit.catalog.model import AnalyticsMode, AuthorizationMode, Catalog
from rosgit.catalog.strimzi import operator_flows, pod_groups, strimzi_of

# Where each platform runs its cluster DNS when the catalog does not say (platforms.<p>.dns).
DEFAULT_DNS_NAMESPACE = {"openshift": "openshift-dns", "kubernetes": "kube-system"}


@dataclass(frozen=True, order=True)
class Flow:
    """One allowed connection. Source and destination are component names or external names."""

    source: str
    destination: str
    port: int
    protocol: str = "TCP"
    purpose: str = ""

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.source, self.destination, self.port, self.protocol)


def dns_namespace(catalog: Catalog, platform: str) -> str:
    spec = catalog.platforms.get(platform)  # type: ignore[call-overload]
    configured = spec.dns if spec is not None else None
    return configured or DEFAULT_DNS_NAMESPACE.get(platform, "kube-system")


def deployed(
    catalog: Catalog, platform: str, analytics: AnalyticsMode | None = None,
    authorization: AuthorizationMode | None = None,
) -> set[str]:
    return {c.name for c in catalog.components_for(platform, analytics, authorization)}


def required_flows(
    catalog: Catalog, platform: str, analytics: AnalyticsMode | None = None,
    authorization: AuthorizationMode | None = None,
) -> list[Flow]:
    """Flows of the traffic matrix on this platform, between deployed components or externals, sorted.

    A platform running Kafka through Strimzi adds the operator's pods: the matrix's flows to the component
    the cluster stands in for go to its brokers, and the pods' own needs (catalog.strimzi) are added. In one
    analytics (authorization) mode only the flows between that mode's components; None: every mode's."""
    present = deployed(catalog, platform, analytics, authorization) | set(catalog.externals)
    flows: dict[tuple[str, str, int, str], Flow] = {}
    strimzi = strimzi_of(catalog, platform)
    if strimzi is not None:
        present |= {group.name for group in pod_groups(strimzi)}
        for need in operator_flows(strimzi):
            flow = Flow(need.source, need.destination, need.port, "TCP", need.purpose)
            flows.setdefault(flow.key, flow)
    for rule in catalog.traffic:
        if platform not in rule.platforms or rule.to not in present:
            continue
        destination = catalog.component(rule.to)
        if destination is not None:
            port = destination.port(int(rule.port) if rule.port.isdigit() else rule.port)
            assert port is not None, "validated by the loader"
            number, protocol = port.port, port.protocol
        else:
            number, protocol = int(rule.port), "TCP"
        for source in rule.source:
            if source in present:
                flow = Flow(source, rule.to, number, protocol, rule.purpose)
                flows.setdefault(flow.key, flow)
    return sorted(flows.values())
