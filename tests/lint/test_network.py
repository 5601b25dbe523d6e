"""NetworkPolicy semantics on small hand-made policies, then the comparison with the repo's traffic matrix."""

from __future__ import annotations

from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.lint.context import LintContext
from rosgit.lint.network import Endpoint, check_network, operator_pods, parse_policy, reachability
from tests.conftest import REPO_ROOT

NS = "shop"


def pod(name: str, ports: list[tuple[str, int]] | None = None, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name, **(labels or {})}},
                "spec": {
                    "containers": [
                        {
                            "name": name,
                            "ports": [{"name": n, "containerPort": p} for n, p in (ports or [])],
                        }
                    ]
                },
            }
        },
    }


def policy(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": NS},
        "spec": spec,
    }


def select(name: str) -> dict[str, Any]:
    return {"matchLabels": {"app.kubernetes.io/name": name}}


DENY_ALL = policy("deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
PODS = [pod("web", [("http", 8080)]), pod("api", [("http", 8000), ("metrics", 9000)]), pod("db", [("pg", 5432)])]


def allowed(objects: list[dict[str, Any]]) -> set[str]:
    return {f"{s}>{d}:{p}/{proto}" for s, d, p, proto in reachability(objects, LintContext()).allowed}


def test_no_policies_allow_everything() -> None:
    flows = allowed(PODS)
    assert "web>db:5432/TCP" in flows and "db>api:9000/TCP" in flows
    assert len(flows) == 3 * 4  # every pod to every declared port, itself included


def test_default_deny_blocks_everything() -> None:
    assert allowed([*PODS, DENY_ALL]) == set()


def test_connection_needs_both_egress_and_ingress() -> None:
    egress = policy("api-out", {"podSelector": select("api"), "policyTypes": ["Egress"],
                                "egress": [{"to": [{"podSelector": select("db")}]}]})
    ingress = policy("db-in", {"podSelector": select("db"), "policyTypes": ["Ingress"],
                               "ingress": [{"from": [{"podSelector": select("api")}],
                                            "ports": [{"port": 5432}]}]})
    assert allowed([*PODS, DENY_ALL, egress]) == set()
    assert allowed([*PODS, DENY_ALL, ingress]) == set()
    assert allowed([*PODS, DENY_ALL, egress, ingress]) == {"api>db:5432/TCP"}


def test_named_port_resolves_on_the_destination_and_protocol_must_match() -> None:
    open_in = policy("api-in", {"podSelector": select("api"), "ingress": [{"ports": [{"port": "metrics"}]}]})
    flows = allowed([*PODS, open_in])
    assert "web>api:9000/TCP" in flows and "web>api:8000/TCP" not in flows
    udp = policy("api-in", {"podSelector": select("api"), "ingress": [{"ports": [{"port": 9000, "protocol": "UDP"}]}]})
    assert not any(f.startswith("web>api") for f in allowed([*PODS, udp]))


def test_port_ranges_and_missing_port_fields() -> None:
    ranged = policy("api-in", {"podSelector": select("api"),
                               "ingress": [{"ports": [{"port": 8001, "endPort": 9000}]}]})
    assert {f for f in allowed([*PODS, ranged]) if ">api" in f} == {
        f"{s}>api:9000/TCP" for s in ("web", "api", "db")
    }
    any_tcp = policy("api-in", {"podSelector": select("api"), "ingress": [{"ports": [{"protocol": "TCP"}]}]})
    assert len({f for f in allowed([*PODS, any_tcp]) if ">api" in f}) == 6


def test_policy_types_default_from_the_rules_present() -> None:
    # No policyTypes and only ingress rules: Ingress isolation only, egress stays open.
    only_ingress = parse_policy(policy("p", {"podSelector": {}, "ingress": []}))
    assert only_ingress.types == frozenset({"Ingress"})
    both = parse_policy(policy("p", {"podSelector": {}, "egress": []}))
    assert both.types == frozenset({"Ingress", "Egress"})
    # An empty ingress list isolates and allows nothing.
    assert allowed([*PODS, policy("p", {"podSelector": select("db"), "ingress": []})]) == {
        f for f in allowed(PODS) if ">db" not in f
    }


def test_match_expressions_and_empty_peer_selectors() -> None:
    tiered = [pod("web", [("http", 8080)], {"tier": "front"}), pod("db", [("pg", 5432)], {"tier": "data"})]
    expressions = policy("db-in", {
        "podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["data"]}]},
        "ingress": [{"from": [{"podSelector": {"matchExpressions": [
            {"key": "tier", "operator": "NotIn", "values": ["data"]}]}}]}],
    })
    assert {f for f in allowed([*tiered, expressions]) if ">db" in f} == {"web>db:5432/TCP"}
    # `podSelector: {}` in a peer means every pod of the policy's namespace, and nothing outside it.
    same_namespace = policy("db-in", {"podSelector": select("db"), "ingress": [{"from": [{"podSelector": {}}]}]})
    assert {f for f in allowed([*PODS, same_namespace]) if ">db" in f} == {
        "web>db:5432/TCP", "api>db:5432/TCP", "db>db:5432/TCP"
    }


def test_namespace_selector_peers_match_externals_by_namespace_labels() -> None:
    router = Endpoint("router", {"kubernetes.io/metadata.name": "ingress", "role": "router"}, {}, external=True)
    from rosgit.lint.network import PolicySet

    web = Endpoint("web", {"kubernetes.io/metadata.name": NS}, {"app.kubernetes.io/name": "web"},
                   (("http", 8080, "TCP"),))
    by_namespace = PolicySet([parse_policy(policy("web-in", {
        "podSelector": select("web"),
        "ingress": [
            {"from": [{"namespaceSelector": {"matchLabels": {"role": "router"}}}], "ports": [{"port": "http"}]}
        ],
    }))])
    assert by_namespace.verdict(router, web, 8080, "TCP").allowed
    # podSelector alone never reaches outside the policy's namespace
    by_pod = PolicySet([parse_policy(policy("web-in", {
        "podSelector": select("web"), "ingress": [{"from": [{"podSelector": {}}]}],
    }))])
    assert not by_pod.verdict(router, web, 8080, "TCP").allowed
    # both selectors in one peer are ANDed
    both = PolicySet([parse_policy(policy("web-in", {
        "podSelector": select("web"),
        "ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"x": "y"}}}]}],
    }))])
    assert not both.verdict(router, web, 8080, "TCP").allowed


def test_ip_blocks_match_pods_only_when_they_cover_everything() -> None:
    def from_block(cidr: str) -> dict[str, Any]:
        return policy("db-in", {"podSelector": select("db"), "ingress": [{"from": [{"ipBlock": {"cidr": cidr}}]}]})

    world, narrow = from_block("0.0.0.0/0"), from_block("10.0.0.0/8")
    assert "web>db:5432/TCP" in allowed([*PODS, world])
    assert "web>db:5432/TCP" not in allowed([*PODS, narrow])


@pytest.fixture(scope="module")
def openshift_minimal() -> tuple[list[dict[str, Any]], LintContext]:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    objects = build_objects(REPO_ROOT / "overlays/openshift-minimal")
    return objects, LintContext(catalog, "openshift", "ros-ocp", "overlays/openshift-minimal")


def test_repo_policies_allow_exactly_the_traffic_matrix(openshift_minimal: Any) -> None:
    objects, context = openshift_minimal
    result = reachability(objects, context)
    assert result.required and set(result.allowed) == set(result.required)
    assert not result.missing and not result.extra and not result.dns_blocked
    assert check_network(objects, context) == []


def test_removing_dns_policy_is_reported_for_every_pod(openshift_minimal: Any) -> None:
    objects, context = openshift_minimal
    without_dns = [o for o in objects if not (o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "allow-dns")]
    findings = check_network(without_dns, context)
    assert {f.id for f in findings} == {"ROS603"}
    pods = {o["metadata"]["name"] for o in objects if o["kind"] in ("Deployment", "StatefulSet", "Job", "CronJob")}
    # and the pods the Strimzi operator runs for the overlay's Kafka (brokers, controllers, entity operator)
    strimzi = context.catalog.platforms["openshift"].kafka
    operated = {endpoint.name for endpoint in operator_pods(objects, strimzi)}
    assert operated == {"kafka", "kafka-controllers", "kafka-entity-operator"}
    assert len(findings) == len(pods) + len(operated)


def test_dropping_the_deny_all_policy_opens_flows_but_keeps_isolated_pods_closed(openshift_minimal: Any) -> None:
    objects, context = openshift_minimal
    without = [o for o in objects if not (o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "default-deny-all")]
    result = reachability(without, context)
    assert not result.missing
    # Pods with no ingress policy of their own (e.g. Jobs, listeners) now accept anything.
    assert any(key[1] == "koku-listener" for key in result.extra)


def test_no_policies_on_openshift_is_one_finding() -> None:
    context = LintContext(None, "openshift", "shop", "x")
    findings = check_network(PODS, context)
    assert [(f.id, f.object) for f in findings] == [("ROS604", "Namespace/shop")]
    assert check_network(PODS, LintContext(None, "kubernetes", "shop", "x")) == []



def test_blocked_flows_are_reported_on_the_side_that_denies_them(openshift_minimal: Any) -> None:
    import copy

    objects, context = openshift_minimal
    objects = copy.deepcopy(objects)
    ingress = next(
        o for o in objects
        if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "allow-ingress-to-kruize"
    )
    ingress["spec"]["ingress"] = [
        {**rule, "from": [p for p in rule["from"] if "rosocp-processor" not in str(p)]}
        for rule in ingress["spec"]["ingress"]
    ]
    findings = [f for f in check_network(objects, context) if f.id == "ROS601"]
    assert [(f.object, "ingress to kruize is denied" in f.message) for f in findings] == [
        ("Deployment/ros-ocp/kruize", True)
    ]
    assert "rosocp-processor -> kruize:8080/TCP" in findings[0].message


@pytest.mark.parametrize("overlay", ["minimal", "dev", "prod"])
def test_kubernetes_overlays_allow_exactly_the_traffic_matrix(overlay: str) -> None:
    """Default deny plus the matrix on plain Kubernetes too, proven by the same reachability as OpenShift."""
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    spec = next(o for o in catalog.overlays if o.name == overlay)
    objects = build_objects(REPO_ROOT / f"overlays/{overlay}")
    context = LintContext.for_overlay(catalog, spec)
    assert any(o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "default-deny-all" for o in objects)
    result = reachability(objects, context)
    assert result.required and set(result.allowed) == set(result.required)
    assert not result.missing and not result.extra and not result.dns_blocked
    # the ingress controller reaches what the Ingress routes to: the gateway, and no backend around it
    assert ("ingress-nginx", "gateway", 9080, "TCP") in result.required
    assert not any(key[0] == "ingress-nginx" and key[1] != "gateway" for key in result.allowed)
    assert check_network(objects, context) == []


def test_kubernetes_dns_egress_goes_to_the_kube_dns_pods_on_port_53() -> None:
    objects = build_objects(REPO_ROOT / "overlays/minimal")
    dns = next(o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "allow-dns")
    [rule] = dns["spec"]["egress"]
    assert rule["to"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ]
    assert rule["ports"] == [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]


def test_a_dns_policy_missing_the_kube_dns_pod_labels_blocks_dns_on_kubernetes() -> None:
    import copy

    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    objects = copy.deepcopy(build_objects(REPO_ROOT / "overlays/minimal"))
    dns = next(o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "allow-dns")
    dns["spec"]["egress"][0]["to"][0]["podSelector"] = {"matchLabels": {"k8s-app": "coredns"}}
    findings = check_network(objects, LintContext(catalog, "kubernetes", "ros-ocp", "overlays/minimal"))
    assert findings and {f.id for f in findings} == {"ROS603"}
