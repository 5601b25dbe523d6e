"""Which pod-to-pod flows the NetworkPolicies allow, compared with the catalog's traffic matrix.

Kubernetes semantics (networking.k8s.io/v1): a pod is isolated for ingress (egress) when any policy in
its namespace selects it and lists that policy type; an isolated pod accepts (sends) only what some
selecting policy's rules allow, and a connection needs both the source's egress and the destination's
ingress. Pod IPs are unknown here, so an ipBlock matches pods only when it covers everything (/0 without
`except`); an external declared by an ipBlock matches the same ipBlock, or /0.

Pods an operator creates from the overlay's custom resources are endpoints too: with Strimzi (the catalog's
`platforms.<p>.kafka`), each KafkaNodePool's brokers and controllers and the Kafka's entity operator, with the
labels and ports the operator gives them (rosgit.catalog.strimzi).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rosgit import cache, ids
from rosgit.catalog import strimzi as S
from rosgit.catalog.model import StrimziKafka
from rosgit.catalog.traffic import dns_namespace
from rosgit.findings import Finding
from rosgit.k8s.meta import as_map
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj, by_kind, namespace_of, pod_templates, ref, selector_matches
from rosgit.lint.shared import per_overlay

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
DNS = "dns"

PortDecl = tuple[str | None, int, str]
FlowKey = tuple[str, str, int, str]


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


@dataclass(frozen=True)
class Endpoint:
    """A flow end: the pods of one workload in the overlay, or an external peer selected by labels."""

    name: str
    namespace_labels: dict[str, str]
    pod_labels: dict[str, str]
    ports: tuple[PortDecl, ...] = ()
    external: bool = False
    ref: str = ""
    # an external reached by addresses: (cidr, except)
    ip_block: tuple[str, tuple[str, ...]] | None = None

    @property
    def namespace(self) -> str | None:
        return self.namespace_labels.get(NAMESPACE_NAME_LABEL)


@dataclass(frozen=True)
class Policy:
    name: str
    namespace: str
    pod_selector: dict[str, Any]
    types: frozenset[str]
    ingress: tuple[dict[str, Any], ...]
    egress: tuple[dict[str, Any], ...]


def parse_policy(obj: Obj) -> Policy:
    spec = as_map(obj.get("spec"))
    declared = spec.get("policyTypes")
    if isinstance(declared, list) and declared:
        types = frozenset(str(t) for t in declared)
    else:
        # Without policyTypes: Ingress always, Egress only when egress rules are present.
        types = frozenset({"Ingress", *(["Egress"] if "egress" in spec else [])})
    return Policy(
        name=ref(obj),
        namespace=namespace_of(obj),
        pod_selector=as_map(spec.get("podSelector")),
        types=types,
        ingress=tuple(_items(spec.get("ingress"))),
        egress=tuple(_items(spec.get("egress"))),
    )


def selects(policy: Policy, endpoint: Endpoint) -> bool:
    return (
        not endpoint.external
        and endpoint.namespace == policy.namespace
        and selector_matches(policy.pod_selector, endpoint.pod_labels)
    )


def _ip_block(block: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    excepted = block.get("except")
    return str(block.get("cidr")), tuple(str(e) for e in excepted) if isinstance(excepted, list) else ()


def peer_matches(peer: dict[str, Any], policy_namespace: str, endpoint: Endpoint) -> bool:
    if "ipBlock" in peer:
        cidr, excepted = _ip_block(as_map(peer["ipBlock"]))
        everything = cidr in ("0.0.0.0/0", "::/0") and not excepted
        return everything or (endpoint.ip_block is not None and endpoint.ip_block == (cidr, excepted))
    namespace_selector = peer.get("namespaceSelector")
    pod_selector = peer.get("podSelector")
    if namespace_selector is None:
        if endpoint.namespace != policy_namespace:
            return False
    elif not selector_matches(as_map(namespace_selector), endpoint.namespace_labels):
        return False
    return pod_selector is None or selector_matches(as_map(pod_selector), endpoint.pod_labels)


def port_matches(ports: Any, destination: Endpoint, number: int, protocol: str) -> bool:
    """A rule's ports: none means every port; a name is resolved on the destination's containers."""
    entries = _items(ports)
    if not isinstance(ports, list) or not ports:
        return True
    for entry in entries:
        if str(entry.get("protocol", "TCP")) != protocol:
            continue
        port = entry.get("port")
        if port is None:
            return True
        if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
            start = int(port)
            end_port = entry.get("endPort")
            end = end_port if isinstance(end_port, int) else start
            if start <= number <= end:
                return True
        elif any(name == port and n == number and p == protocol for name, n, p in destination.ports):
            return True
    return False


def _rule_allows(
    rules: tuple[dict[str, Any], ...], peer_key: str, namespace: str, peer: Endpoint, dst: Endpoint,
    number: int, protocol: str,
) -> bool:
    for rule in rules:
        peers = rule.get(peer_key)
        if isinstance(peers, list) and peers and not any(
            peer_matches(p, namespace, peer) for p in _items(peers)
        ):
            continue
        if port_matches(rule.get("ports"), dst, number, protocol):
            return True
    return False


@dataclass
class Verdict:
    allowed: bool
    egress_by: list[str] = field(default_factory=list)
    ingress_by: list[str] = field(default_factory=list)
    blocked_at: str = ""


class PolicySet:
    """The NetworkPolicies of one overlay, with the per-endpoint selection cached."""

    def __init__(self, policies: list[Policy]) -> None:
        self.policies = policies
        self._cache: dict[tuple[str, str], list[Policy]] = {}

    def isolating(self, endpoint: Endpoint, direction: str) -> list[Policy]:
        key = (endpoint.name, direction)
        if key not in self._cache:
            self._cache[key] = [p for p in self.policies if direction in p.types and selects(p, endpoint)]
        return self._cache[key]

    def verdict(self, src: Endpoint, dst: Endpoint, number: int, protocol: str) -> Verdict:
        verdict = Verdict(allowed=True)
        egress = self.isolating(src, "Egress")
        if egress:
            verdict.egress_by = [
                p.name for p in egress if _rule_allows(p.egress, "to", p.namespace, dst, dst, number, protocol)
            ]
            if not verdict.egress_by:
                verdict.allowed, verdict.blocked_at = False, "egress"
                return verdict
        ingress = self.isolating(dst, "Ingress")
        if ingress:
            verdict.ingress_by = [
                p.name for p in ingress if _rule_allows(p.ingress, "from", p.namespace, src, dst, number, protocol)
            ]
            if not verdict.ingress_by:
                verdict.allowed, verdict.blocked_at = False, "ingress"
        return verdict


@per_overlay
def endpoints(objects: list[Obj], context: LintContext) -> tuple[dict[str, Endpoint], dict[str, Endpoint]]:
    """(workload endpoints, external endpoints) of the overlay; the DNS namespace is external `dns`."""
    pods: dict[str, Endpoint] = {}
    for template in pod_templates(objects):
        name = template.workload
        if name in pods:
            continue
        pods[name] = Endpoint(
            name=name,
            namespace_labels={NAMESPACE_NAME_LABEL: template.namespace},
            pod_labels=template.labels,
            ports=tuple(template.ports()),
            ref=template.ref,
        )
    externals: dict[str, Endpoint] = {}
    catalog = context.catalog
    if catalog is not None:
        strimzi = S.strimzi_of(catalog, context.platform) if context.platform else None
        if strimzi is not None:
            for endpoint in operator_pods(objects, strimzi):
                pods.setdefault(endpoint.name, endpoint)
        # a platform's externals are the peers its flows name: the OpenShift router is no endpoint on Kubernetes
        named = (
            {
                end
                for flow in context.required_flows()
                for end in (flow.source, flow.destination)
            }
            if context.platform
            else set(catalog.externals)
        )
        for name, external in catalog.externals.items():
            if name not in named:
                continue
            block = external.ip_block
            externals[name] = Endpoint(
                name=name,
                namespace_labels=dict(external.namespace_labels),
                pod_labels=dict(external.pod_labels),
                ports=tuple((None, p, "TCP") for p in external.ports),
                external=True,
                ref=f"external/{name}",
                ip_block=(block.cidr, tuple(block.except_)) if block is not None else None,
            )
        platform = catalog.platforms.get(context.platform) if context.platform else None  # type: ignore[call-overload]
        if platform is not None:
            externals[DNS] = Endpoint(
                name=DNS,
                namespace_labels={NAMESPACE_NAME_LABEL: dns_namespace(catalog, str(context.platform))},
                pod_labels=dict(platform.dns_pod_labels),
                ports=tuple((None, p, proto) for p in platform.dns_ports for proto in ("UDP", "TCP")),
                external=True,
                ref=f"external/{DNS}",
            )
    return pods, externals


def operator_pods(objects: list[Obj], strimzi: StrimziKafka) -> list[Endpoint]:
    """The pods the Strimzi operator will run for the overlay's Kafka and KafkaNodePools: a combined pool's
    nodes are both the brokers and the controllers end."""
    kafka = next(
        (o for o in by_kind(objects, "Kafka") if as_map(o.get("metadata")).get("name") == strimzi.cluster), None
    )
    if kafka is None:
        return []
    namespace = namespace_of(kafka)
    spec = as_map(kafka.get("spec"))
    listeners = _items(as_map(spec.get("kafka")).get("listeners"))
    listener_ports: list[PortDecl] = [
        (str(item.get("name")), int(item["port"]), "TCP") for item in listeners if isinstance(item.get("port"), int)
    ]
    found: list[Endpoint] = []

    def add(group: S.PodGroup, labels: dict[str, str], ports: list[PortDecl], owner: Obj) -> None:
        found.append(
            Endpoint(group.name, {NAMESPACE_NAME_LABEL: namespace}, labels, tuple(ports), ref=ref(owner))
        )

    for pool in by_kind(objects, "KafkaNodePool"):
        metadata = as_map(pool.get("metadata"))
        if as_map(metadata.get("labels")).get(S.CLUSTER_LABEL) != strimzi.cluster:
            continue
        roles = {str(r) for r in as_map(pool.get("spec")).get("roles") or []}
        labels = {
            **S.node_labels(strimzi),
            S.POOL_LABEL: str(metadata.get("name")),
            S.BROKER_ROLE_LABEL: str("broker" in roles).lower(),
            S.CONTROLLER_ROLE_LABEL: str("controller" in roles).lower(),
        }
        agent: PortDecl = (None, S.AGENT_PORT, "TCP")
        if "broker" in roles:
            add(S.brokers(strimzi), labels, [(None, S.REPLICATION_PORT, "TCP"), *listener_ports, agent], pool)
        if "controller" in roles:
            add(S.controllers(strimzi), labels, [(None, S.CONTROL_PLANE_PORT, "TCP"), agent], pool)
    if "entityOperator" in spec:
        group = S.entity_operator(strimzi)
        add(group, {**group.labels, S.KIND_LABEL: "Kafka"}, [], kafka)
    return found


@dataclass
class Reachability:
    """Every flow the policies allow between the overlay's pods and the externals, and the comparison."""

    allowed: dict[FlowKey, Verdict]
    required: dict[FlowKey, str]
    missing: dict[FlowKey, str]
    extra: dict[FlowKey, Verdict]
    dns_blocked: list[str]
    # for each missing flow, the side whose policies deny it: "egress", "ingress" or "absent"
    blocked_at: dict[FlowKey, str] = field(default_factory=dict)


@per_overlay
def reachability(objects: list[Obj], context: LintContext) -> Reachability:
    """Pure: evaluate the overlay's NetworkPolicies on every (source, destination port) pair.

    The evaluation is lint's costliest part, and a function of the endpoints, policies and required flows
    alone: an edit that changes none of them (an environment variable, an image, resources) takes the
    evaluation of an earlier run (`cache.keyed`, by the inputs' repr: equal for equal plain data, with types
    and key order, so equal reprs are equal inputs; the one set, a policy's types, is sorted)."""
    pods, externals = endpoints(objects, context)
    policies = [parse_policy(obj) for obj in by_kind(objects, "NetworkPolicy")]
    required = {flow.key: flow.purpose for flow in context.required_flows()}

    def evaluate() -> Reachability:
        return _evaluate(pods, externals, PolicySet(policies), required)

    if not cache.enabled():
        return evaluate()
    inputs = repr((
        list(pods.values()),
        list(externals.values()),
        [(p.name, p.namespace, p.pod_selector, sorted(p.types), p.ingress, p.egress) for p in policies],
        required,
    ))
    return cache.keyed(
        "reachability", (cache.text_digest(inputs),), (cache.source_digest(),), evaluate,
        accept=lambda value: isinstance(value, Reachability),
    )


def _evaluate(
    pods: dict[str, Endpoint], externals: dict[str, Endpoint], policies: PolicySet, required: dict[FlowKey, str]
) -> Reachability:
    everything = {**externals, **pods}
    allowed: dict[FlowKey, Verdict] = {}
    for src in everything.values():
        for dst in everything.values():
            if (src.external and dst.external) or dst.name == DNS:
                continue
            for _, number, protocol in sorted(set(dst.ports), key=lambda p: (p[1], p[2])):
                verdict = policies.verdict(src, dst, number, protocol)
                if verdict.allowed:
                    allowed[(src.name, dst.name, number, protocol)] = verdict
    missing: dict[FlowKey, str] = {}
    blocked_at: dict[FlowKey, str] = {}
    for key, purpose in required.items():
        source, target = everything.get(key[0]), everything.get(key[1])
        if source is None or target is None:
            absent = key[0] if source is None else key[1]
            missing[key] = f"{purpose}: the overlay has no pods for {absent}"
            blocked_at[key] = "absent"
            continue
        verdict = policies.verdict(source, target, key[2], key[3])
        if not verdict.allowed:
            side = f"egress from {key[0]}" if verdict.blocked_at == "egress" else f"ingress to {key[1]}"
            missing[key] = f"{purpose}: {side} is denied"
            blocked_at[key] = verdict.blocked_at
    extra = {key: v for key, v in allowed.items() if key not in required}
    dns_blocked: list[str] = []
    dns = externals.get(DNS)
    if dns is not None:
        for pod in pods.values():
            closed = [
                f"{number}/{protocol}"
                for _, number, protocol in dns.ports
                if not policies.verdict(pod, dns, number, protocol).allowed
            ]
            if closed:
                dns_blocked.append(f"{pod.name}: {', '.join(closed)}")
    return Reachability(allowed, required, missing, extra, sorted(dns_blocked), blocked_at)


def flow_text(key: FlowKey) -> str:
    return f"{key[0]} -> {key[1]}:{key[2]}/{key[3]}"


def render_flows(result: Reachability) -> str:
    """The comparison as text: counts, then every missing and every extra flow."""
    lines = [
        f"required {len(result.required)}, allowed {len(result.allowed)}, "
        f"missing {len(result.missing)}, extra {len(result.extra)}, DNS blocked {len(result.dns_blocked)}"
    ]
    lines += [f"  missing  {flow_text(key)}  ({reason})" for key, reason in sorted(result.missing.items())]
    lines += [f"  extra    {flow_text(key)}" for key in sorted(result.extra)]
    lines += [f"  no DNS   {entry}" for entry in result.dns_blocked]
    return "\n".join(lines) + "\n"


def check_network(objects: list[Obj], context: LintContext) -> list[Finding]:
    """Required flows blocked, unlisted flows open, DNS blocked, or an OpenShift overlay with no policies (a
    Kubernetes overlay may run on a network plugin that enforces none, so there their absence is allowed)."""
    has_policies = bool(by_kind(objects, "NetworkPolicy"))
    if not has_policies:
        if context.platform == "openshift":
            namespace = context.namespace or "?"
            return [
                context.finding(
                    ids.ROS604, "error", f"Namespace/{namespace}",
                    "the overlay has no NetworkPolicies: every pod accepts traffic from anywhere",
                    "include the openshift Component, which carries the traffic matrix as NetworkPolicies",
                )
            ]
        return []
    result = reachability(objects, context)
    pods, externals = endpoints(objects, context)
    everything = {**externals, **pods}

    def owner(key: FlowKey, side: str = "ingress") -> str:
        # The workload whose policies decide: the sender for a flow its egress denies, else the receiver
        # (or the sender when the receiver is outside the overlay).
        dst, src = everything.get(key[1]), everything.get(key[0])
        if side == "egress" and src is not None and not src.external:
            return src.ref
        if dst is not None and not dst.external:
            return dst.ref
        if src is not None and not src.external:
            return src.ref
        return f"flow/{key[0]}"

    findings: list[Finding] = []
    for key, reason in sorted(result.missing.items()):
        findings.append(
            context.finding(
                ids.ROS601,
                "error",
                owner(key, result.blocked_at.get(key, "ingress")),
                f"required flow {flow_text(key)} is blocked ({reason})",
                "add the flow's NetworkPolicy rule (regenerate from the catalog's `traffic:`)",
            )
        )
    for key, verdict in sorted(result.extra.items()):
        allowed_by = ", ".join(verdict.egress_by + verdict.ingress_by) or "no isolating policy"
        findings.append(
            context.finding(
                ids.ROS602, "error", owner(key),
                f"flow {flow_text(key)} is open but not in the traffic matrix (allowed by {allowed_by})",
                "narrow the NetworkPolicy, or add the flow to `traffic:` if it is needed",
            )
        )
    for entry in result.dns_blocked:
        name = entry.split(":", 1)[0]
        findings.append(
            context.finding(
                ids.ROS603, "error", pods[name].ref, f"DNS egress is blocked ({entry.split(': ', 1)[1]})",
                "allow egress to the cluster DNS pods (platforms.<p>.dns) on their ports, UDP and TCP",
            )
        )
    return findings
