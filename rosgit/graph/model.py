"""A built overlay as a graph: components grouped by tier, the flows the NetworkPolicies allow (evaluated by the
lint's reachability model, the one place NetworkPolicy semantics live), and what Routes and Ingresses publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rosgit.k8s.objects import Obj
from rosgit.k8s.podspec import pod_templates, selector_matches
from rosgit.lint.context import LintContext
from rosgit.lint.network import endpoints, reachability
from rosgit.lint.objects import by_kind

GROUP_LABEL = "rosgit.io/group"
TIER_ORDER = ("published", "ros", "koku", "trino", "infrastructure", "operator", "external")
TIER_TITLES = {
    "published": "published endpoints",
    "operator": "run by operators",
    "external": "outside the namespace",
}


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    tier: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    published: bool = False  # a Route or Ingress path, drawn dashed


@dataclass(frozen=True)
class Graph:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def tiers(self) -> list[tuple[str, list[Node]]]:
        def rank(tier: str) -> tuple[int, str]:
            return (TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER), tier)

        ordered = sorted({n.tier for n in self.nodes}, key=rank)
        return [(tier, sorted((n for n in self.nodes if n.tier == tier), key=lambda n: n.id)) for tier in ordered]


def _ports_label(ports: set[tuple[int, str]]) -> str:
    return ", ".join(f"{number}" if protocol == "TCP" else f"{number}/{protocol}" for number, protocol in sorted(ports))


def _tier(labels: dict[str, str], name: str, context: LintContext) -> str:
    if labels.get(GROUP_LABEL):
        return labels[GROUP_LABEL]
    component = context.catalog.component(name) if context.catalog is not None else None
    return component.group if component is not None else "operator"


def _published(objects: list[Obj]) -> list[tuple[str, str, str]]:
    """(label, Service name, port) of every Route and Ingress path."""
    found: list[tuple[str, str, str]] = []
    for route in by_kind(objects, "Route"):
        spec: dict[str, Any] = route.get("spec") or {}
        host = spec.get("host", "")
        found.append((
            f"Route {host}{spec.get('path', '/')}",
            str((spec.get("to") or {}).get("name", "")),
            str((spec.get("port") or {}).get("targetPort", "")),
        ))
    for ingress in by_kind(objects, "Ingress"):
        for rule in (ingress.get("spec") or {}).get("rules") or []:
            for path in ((rule.get("http") or {}).get("paths")) or []:
                service = ((path.get("backend") or {}).get("service")) or {}
                port = service.get("port") or {}
                found.append((
                    f"Ingress {rule.get('host', '')}{path.get('path', '/')}",
                    str(service.get("name", "")),
                    str(port.get("name") or port.get("number") or ""),
                ))
    return sorted(found)


def _service_targets(objects: list[Obj]) -> dict[str, list[str]]:
    """Service name -> the workloads (app.kubernetes.io/name) its selector picks."""
    templates = pod_templates(objects)
    targets: dict[str, list[str]] = {}
    for service in by_kind(objects, "Service"):
        selector = (service.get("spec") or {}).get("selector") or {}
        picked = sorted(
            {t.workload for t in templates if selector and selector_matches({"matchLabels": selector}, t.labels)}
        )
        targets[str(service["metadata"]["name"])] = picked
    return targets


def build_graph(objects: list[Obj], context: LintContext, title: str) -> Graph:
    pods, externals = endpoints(objects, context)
    nodes = [Node(name, name, _tier(endpoint.pod_labels, name, context)) for name, endpoint in pods.items()]
    notes: list[str] = []
    edges: list[Edge] = []
    if by_kind(objects, "NetworkPolicy"):
        flows: dict[tuple[str, str], set[tuple[int, str]]] = {}
        for source, target, number, protocol in reachability(objects, context).allowed:
            flows.setdefault((source, target), set()).add((number, protocol))
        used = {end for pair in flows for end in pair}
        nodes += [Node(name, name, "external") for name in externals if name in used]
        edges += [Edge(s, t, _ports_label(ports)) for (s, t), ports in sorted(flows.items())]
    else:
        notes.append("no NetworkPolicies: every flow is open, none is drawn")
    services = _service_targets(objects)
    for index, (label, service, port) in enumerate(_published(objects)):
        node = f"published-{index + 1}"
        nodes.append(Node(node, label, "published"))
        edges += [Edge(node, workload, port, published=True) for workload in services.get(service, [])]
    return merge_alike(Graph(title, tuple(sorted(nodes, key=lambda n: n.id)), tuple(edges), tuple(notes)))


MERGEABLE = ("ros", "koku", "trino", "infrastructure", "operator")


def merge_alike(graph: Graph) -> Graph:
    """Components of one tier with exactly the same flows in and out (Koku's workers) drawn as one box that
    names them all: the picture shows the traffic matrix, not each replica set."""
    outgoing: dict[str, set[tuple[str, str, bool]]] = {}
    incoming: dict[str, set[tuple[str, str, bool]]] = {}
    for edge in graph.edges:
        outgoing.setdefault(edge.source, set()).add((edge.target, edge.label, edge.published))
        incoming.setdefault(edge.target, set()).add((edge.source, edge.label, edge.published))
    groups: dict[tuple[Any, ...], list[Node]] = {}
    for node in graph.nodes:
        if node.tier in MERGEABLE:
            key: tuple[Any, ...] = (
                node.tier, frozenset(outgoing.get(node.id, ())), frozenset(incoming.get(node.id, ()))
            )
        else:
            key = ("", node.id)
        groups.setdefault(key, []).append(node)
    rename: dict[str, str] = {}
    nodes: list[Node] = []
    for members in groups.values():
        first = members[0]
        if len(members) == 1:
            nodes.append(first)
            continue
        for member in members:
            rename[member.id] = first.id
        nodes.append(Node(first.id, "\n".join(m.label for m in members), first.tier))
    edges = list(dict.fromkeys(
        Edge(rename.get(e.source, e.source), rename.get(e.target, e.target), e.label, e.published) for e in graph.edges
    ))
    return Graph(graph.title, tuple(sorted(nodes, key=lambda n: n.id)), tuple(edges), graph.notes)
