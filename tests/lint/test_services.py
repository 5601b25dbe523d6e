from __future__ import annotations

from rosgit.lint.context import LintContext
from rosgit.lint.services import check_front_doors, check_probes, check_services
from tests.lint.factory import container, deployment, obj

CTX = LintContext(source="test")


def service(name: str, selector: dict[str, str], *ports: dict[str, object]) -> dict[str, object]:
    return obj("Service", name, spec={"selector": selector, "ports": list(ports)}, )


def api() -> dict[str, object]:
    return deployment("api", container(ports=[{"name": "http", "containerPort": 8000}]))


def test_selector_must_match_a_pod_template() -> None:
    good = service("api", {"app.kubernetes.io/name": "api"}, {"port": 80, "targetPort": "http"})
    bad = service("api", {"app.kubernetes.io/name": "apj"}, {"port": 80, "targetPort": "http"})
    assert check_services([api(), good], CTX) == []
    assert [(f.id, f.object) for f in check_services([api(), bad], CTX)] == [("ROS201", "Service/shop/api")]


def test_target_ports_by_name_number_and_default() -> None:
    selector = {"app.kubernetes.io/name": "api"}
    numeric = service("api", selector, {"port": 80, "targetPort": 8000})
    defaulted = service("api", selector, {"port": 8000})
    wrong_name = service("api", selector, {"port": 80, "targetPort": "metrics"})
    wrong_protocol = service("api", selector, {"port": 80, "targetPort": 8000, "protocol": "UDP"})
    assert check_services([api(), numeric, defaulted], CTX) == []
    assert [f.id for f in check_services([api(), wrong_name], CTX)] == ["ROS202"]
    assert [f.id for f in check_services([api(), wrong_protocol], CTX)] == ["ROS202"]


def test_probe_ports() -> None:
    named = container(ports=[{"name": "http", "containerPort": 8000}],
                      readinessProbe={"httpGet": {"path": "/", "port": "htp"}},
                      livenessProbe={"tcpSocket": {"port": 8000}})
    undeclared = container(livenessProbe={"tcpSocket": {"port": 9000}})
    findings = check_probes([deployment("a", named), deployment("b", undeclared)], CTX)
    assert [(f.id, f.severity, f.object) for f in findings] == [
        ("ROS203", "error", "Deployment/shop/a"),
        ("ROS203", "warning", "Deployment/shop/b"),
    ]


def test_routes_ingresses_and_service_monitors_reach_a_service_port() -> None:
    svc = obj("Service", "api", spec={"selector": {"app.kubernetes.io/name": "api"},
                                      "ports": [{"name": "http", "port": 80, "targetPort": "http"}]})
    svc["metadata"]["labels"] = {"app.kubernetes.io/name": "api"}
    route = obj("Route", "api", "route.openshift.io/v1", spec={"to": {"name": "api"}, "port": {"targetPort": "http"}})
    bad_route = obj("Route", "x", "route.openshift.io/v1", spec={"to": {"name": "apx"}})
    ingress = obj("Ingress", "web", "networking.k8s.io/v1", spec={"rules": [{"http": {"paths": [
        {"path": "/", "backend": {"service": {"name": "api", "port": {"number": 81}}}}]}}]})
    monitor = obj("ServiceMonitor", "api", "monitoring.coreos.com/v1", spec={
        "selector": {"matchLabels": {"app.kubernetes.io/name": "api"}}, "endpoints": [{"port": "metrics"}]})
    findings = check_front_doors([svc, route, bad_route, ingress, monitor], CTX)
    assert sorted(f.object for f in findings) == [
        "Ingress/shop/web", "Route/shop/x", "ServiceMonitor/shop/api"
    ]
    assert {f.id for f in findings} == {"ROS204"}
