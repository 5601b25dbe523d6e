"""Services reach pods, probes and front doors (Route, Ingress, ServiceMonitor) reach ports."""

from __future__ import annotations

from typing import Any

from rosgit import ids
from rosgit.findings import Finding
from rosgit.k8s.meta import as_map
from rosgit.lint.context import LintContext
from rosgit.lint.objects import (
    Obj,
    PodTemplate,
    by_kind,
    map_selector_matches,
    name_of,
    namespace_of,
    pod_templates,
    ref,
    selector_matches,
)

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def selected_pods(service: Obj, templates: list[PodTemplate]) -> list[PodTemplate]:
    selector = as_map(as_map(service.get("spec")).get("selector"))
    return [
        t
        for t in templates
        if t.namespace == namespace_of(service) and map_selector_matches(selector, t.labels)
    ]


def _declares(template: PodTemplate, target: int | str, protocol: str) -> bool:
    for name, number, proto in template.ports():
        if proto == protocol and (name == target if isinstance(target, str) else number == target):
            return True
    return False


def check_services(objects: list[Obj], context: LintContext) -> list[Finding]:
    """A selector matching no pod template; a targetPort missing on the selected pods."""
    templates = pod_templates(objects)
    findings: list[Finding] = []
    for service in by_kind(objects, "Service"):
        spec = as_map(service.get("spec"))
        selector = as_map(spec.get("selector"))
        if not selector or spec.get("type") == "ExternalName":
            continue  # selector-less Services have hand-managed Endpoints
        pods = selected_pods(service, templates)
        if not pods:
            wanted = ", ".join(f"{k}={v}" for k, v in sorted(selector.items()))
            findings.append(
                context.finding(
                    ids.ROS201,
                    "error",
                    ref(service),
                    f"selector {wanted} matches no pod template in the overlay",
                    "fix the selector or the pod labels; the Service would have no endpoints",
                )
            )
            continue
        for port in _items(spec.get("ports")):
            target = port.get("targetPort", port.get("port"))
            protocol = str(port.get("protocol", "TCP"))
            if not isinstance(target, int | str):
                continue
            for pod in pods:
                if not _declares(pod, target, protocol):
                    findings.append(
                        context.finding(
                            ids.ROS202,
                            "error",
                            ref(service),
                            f"port {port.get('name', port.get('port'))}: targetPort {target!r} "
                            f"is not a {protocol} port of {pod.ref}",
                            "name the container port as the Service's targetPort, or fix the number",
                        )
                    )
    return findings


def _probe_port(probe: dict[str, Any]) -> int | str | None:
    for handler in ("httpGet", "tcpSocket", "grpc"):
        if handler in probe:
            port = as_map(probe[handler]).get("port")
            return port if isinstance(port, int | str) else None
    return None


def check_probes(objects: list[Obj], context: LintContext) -> list[Finding]:
    """A probe's port must be one the same container declares (a name must; a number should)."""
    findings: list[Finding] = []
    for template in pod_templates(objects):
        for container in template.containers():
            declared = {
                p.get("name"): p.get("containerPort") for p in _items(container.get("ports"))
            }
            numbers = set(declared.values())
            for probe_field in PROBES:
                port = _probe_port(as_map(container.get(probe_field)))
                if port is None:
                    continue
                where = f"container {container.get('name')} {probe_field}"
                if isinstance(port, str) and not port.isdigit() and port not in declared:
                    findings.append(
                        context.finding(
                            ids.ROS203,
                            "error",
                            template.ref,
                            f"{where} uses port {port!r}, which the container does not declare",
                            "use one of the container's named ports",
                        )
                    )
                elif (isinstance(port, int) or port.isdigit()) and int(port) not in numbers:
                    findings.append(
                        context.finding(
                            ids.ROS203,
                            "warning",
                            template.ref,
                            f"{where} uses port {port}, which the container does not declare",
                            "declare the port on the container and probe it by name",
                        )
                    )
    return findings


def _service_ports(service: Obj) -> list[dict[str, Any]]:
    return _items(as_map(service.get("spec")).get("ports"))


def _has_port(service: Obj, port: Any) -> bool:
    return any(port in (i.get("name"), i.get("port"), i.get("targetPort")) for i in _service_ports(service))


def check_front_doors(objects: list[Obj], context: LintContext) -> list[Finding]:
    """Routes, Ingress backends and ServiceMonitors point at an existing Service and port."""
    services = {(namespace_of(s), name_of(s)): s for s in by_kind(objects, "Service")}
    findings: list[Finding] = []

    def backend(owner: Obj, name: str, port: Any, where: str) -> None:
        service = services.get((namespace_of(owner), name))
        if service is None:
            message = f"{where} sends traffic to Service {name!r}, which the overlay does not create"
        elif port is not None and not _has_port(service, port):
            message = f"{where} uses port {port!r}, which Service {name!r} does not expose"
        else:
            return
        findings.append(context.finding(ids.ROS204, "error", ref(owner), message, "fix the Service name or port"))

    for route in by_kind(objects, "Route"):
        spec = as_map(route.get("spec"))
        target = as_map(spec.get("port")).get("targetPort")
        backend(route, str(as_map(spec.get("to")).get("name", "")), target, "spec.to")
    for ingress in by_kind(objects, "Ingress"):
        for rule in _items(as_map(ingress.get("spec")).get("rules")):
            for path in _items(as_map(rule.get("http")).get("paths")):
                svc = as_map(as_map(path.get("backend")).get("service"))
                svc_port = as_map(svc.get("port"))
                backend(ingress, str(svc.get("name", "")), svc_port.get("name", svc_port.get("number")), "backend")
    for monitor in by_kind(objects, "ServiceMonitor"):
        spec = as_map(monitor.get("spec"))
        selector = as_map(spec.get("selector"))
        matched = [
            s for (ns, _), s in services.items()
            if ns == namespace_of(monitor) and selector_matches(selector, _labels(s))
        ]
        if not matched:
            findings.append(
                context.finding(
                    ids.ROS204, "error", ref(monitor), "selector matches no Service in the overlay",
                    "fix the ServiceMonitor selector or the Service labels",
                )
            )
            continue
        for scrape in _items(spec.get("endpoints")):
            port = scrape.get("port")
            if port is not None and not any(_has_port(s, port) for s in matched):
                findings.append(
                    context.finding(
                        ids.ROS204, "error", ref(monitor),
                        f"endpoint port {port!r} is not a port of the selected Service(s)",
                        "use the Service port name",
                    )
                )
    return findings


def _labels(obj: Obj) -> dict[str, str]:
    return {str(k): str(v) for k, v in as_map(as_map(obj.get("metadata")).get("labels")).items()}
