"""The front door on every overlay: only the gateway is published, the backends' API ports answer only the
gateway and the matrix's in-stack callers, and Koku never runs in the combination that answers 424. Each rule
also fires on the defect planted in a built overlay."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import Catalog, load_catalog
from rosgit.lint.context import LintContext
from rosgit.lint.gateway import check_backend_ports, check_koku_authorization, check_published
from rosgit.lint.network import reachability
from tests.conftest import REPO_ROOT

Obj = dict[str, Any]
OVERLAYS = ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]


@cache
def _catalog() -> Catalog:
    return load_catalog(REPO_ROOT / "rosgit.yaml")


@cache
def _built(overlay: str) -> tuple[Obj, ...]:
    return tuple(build_objects(REPO_ROOT / "overlays" / overlay))


def _objects(overlay: str) -> list[Obj]:
    return copy.deepcopy(list(_built(overlay)))


def _context(overlay: str) -> LintContext:
    catalog = _catalog()
    spec = catalog.overlay(overlay)
    assert spec is not None
    return LintContext.for_overlay(catalog, spec)


def _ids(findings: list[Any]) -> list[tuple[str, str]]:
    return [(str(f.id), f.object) for f in findings]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_is_published_and_only_it_reaches_the_backends(overlay: str) -> None:
    objects, context = _objects(overlay), _context(overlay)
    published = [o for o in objects if o["kind"] in ("Route", "Ingress")]
    assert len(published) == 1, [o["metadata"]["name"] for o in published]
    assert check_published(objects, context) == []
    assert check_backend_ports(objects, context) == []
    assert check_koku_authorization(objects, context) == []
    allowed = reachability(objects, context).allowed
    for backend, port in (("rosocp-api", 8000), ("koku-api-reads", 8000), ("koku-api-writes", 8000), ("ingress", 8081)):
        callers = sorted({key[0] for key in allowed if key[1] == backend and key[2] == port})
        assert "gateway" in callers
        # ROS's housekeeper calls Koku's Sources API (traffic matrix); nothing else, nothing from outside
        assert set(callers) <= {"gateway", "rosocp-housekeeper"}, callers


def test_a_route_around_the_gateway_is_found() -> None:
    objects, context = _objects("openshift-minimal"), _context("openshift-minimal")
    route = copy.deepcopy(next(o for o in objects if o["kind"] == "Route"))
    route["metadata"]["name"] = "koku-api"
    route["spec"]["to"]["name"] = "koku-api"
    objects.append(route)
    findings = check_published(objects, context)
    assert _ids(findings) == [("ROS607", "Route/ros-ocp/koku-api")]
    assert "publishes Service 'koku-api' around the gateway 'gateway'" in findings[0].message


def test_an_ingress_path_around_the_gateway_is_found() -> None:
    objects, context = _objects("minimal"), _context("minimal")
    ingress = next(o for o in objects if o["kind"] == "Ingress")
    path = copy.deepcopy(ingress["spec"]["rules"][0]["http"]["paths"][0])
    path["path"], path["backend"]["service"]["name"] = "/api/ingress", "ingress"
    ingress["spec"]["rules"][0]["http"]["paths"].append(path)
    assert _ids(check_published(objects, context)) == [("ROS607", "Ingress/ros-ocp/ros-ocp")]


def test_a_policy_letting_the_router_reach_a_backend_port_is_found() -> None:
    objects, context = _objects("openshift-minimal"), _context("openshift-minimal")
    objects.append({
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "allow-router-to-koku", "namespace": "ros-ocp"},
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "koku-api-reads"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {
                "policy-group.network.openshift.io/ingress": ""}}}], "ports": [{"protocol": "TCP", "port": 8000}]}],
        },
    })
    findings = check_backend_ports(objects, context)
    assert _ids(findings) == [("ROS608", "Deployment/ros-ocp/koku-api-reads")]
    assert "API port 8000 is reachable from outside the stack, around the gateway (router -> koku-api-reads" in (
        findings[0].message)


def test_a_pod_the_matrix_does_not_name_reaching_a_backend_port_is_found() -> None:
    objects, context = _objects("minimal"), _context("minimal")
    objects.append({
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "everyone-to-ros", "namespace": "ros-ocp"},
        "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "rosocp-api"}},
                 "policyTypes": ["Ingress"], "ingress": [{"from": [{"podSelector": {}}]}]},
    })
    objects.append({
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "kruize-out", "namespace": "ros-ocp"},
        "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "kruize"}},
                 "policyTypes": ["Egress"], "egress": [{}]},
    })
    found = _ids(check_backend_ports(objects, context))
    assert ("ROS608", "Deployment/ros-ocp/rosocp-api") in found
    messages = [f.message for f in check_backend_ports(objects, context)]
    assert any("from a pod the traffic matrix does not name" in m and "kruize -> rosocp-api:8000" in m
               for m in messages), messages


def _set_authorization(objects: list[Obj], key: str, value: str) -> None:
    config = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("authorization-"))
    config["data"][key] = value


def test_koku_without_enhanced_org_admin_and_without_rbac_is_found() -> None:
    objects, context = _objects("minimal"), _context("minimal")
    _set_authorization(objects, "koku-enhanced-org-admin", "False")
    findings = check_koku_authorization(objects, context)
    assert sorted(f.object for f in findings) == [
        "Deployment/ros-ocp/koku-api-reads", "Deployment/ros-ocp/koku-api-writes", "Deployment/ros-ocp/koku-masu"]
    assert "DEVELOPMENT and ENHANCED_ORG_ADMIN are False, and RBAC_SERVICE_HOST 'rbac-api' is no Service" in (
        findings[0].message)


def test_rbac_mode_asks_the_overlays_insights_rbac_and_without_it_is_found() -> None:
    objects, context = _objects("prod"), _context("prod")
    assert check_koku_authorization(objects, context) == []
    without = [o for o in objects if not (o["kind"] == "Service" and o["metadata"]["name"] == "rbac-api")]
    findings = check_koku_authorization(without, context)
    assert sorted(f.object for f in findings) == [
        "Deployment/ros-ocp-prod/koku-api-reads", "Deployment/ros-ocp-prod/koku-api-writes",
        "Deployment/ros-ocp-prod/koku-masu"]


def test_enhanced_org_admin_without_a_gateway_making_everyone_admin_is_found() -> None:
    objects, context = _objects("minimal"), _context("minimal")
    for obj in objects:
        if obj["kind"] == "ConfigMap" and "envoy.yaml" in obj.get("data", {}):
            obj["data"]["envoy.yaml"] = obj["data"]["envoy.yaml"].replace(
                "ORG_ADMIN_FOR_ALL = true", "ORG_ADMIN_FOR_ALL = false")
    findings = check_koku_authorization(objects, context)
    assert len(findings) == 3
    assert "ENHANCED_ORG_ADMIN is True but the gateway does not make every user an org admin" in findings[0].message


def test_koku_with_an_rbac_service_in_the_overlay_is_not_found() -> None:
    objects, context = _objects("minimal"), _context("minimal")
    _set_authorization(objects, "koku-enhanced-org-admin", "False")
    service = copy.deepcopy(next(o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == "koku-api"))
    service["metadata"]["name"] = "rbac-api"
    objects.append(service)
    for obj in objects:
        if obj["kind"] == "Deployment" and obj["metadata"]["name"].startswith(("koku-api", "koku-masu")):
            obj["spec"]["template"]["spec"]["containers"][0]["env"].append(
                {"name": "RBAC_SERVICE_HOST", "value": "rbac-api.ros-ocp.svc.cluster.local"})
    assert check_koku_authorization(objects, context) == []
