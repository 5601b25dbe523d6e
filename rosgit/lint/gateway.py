"""The front door: with the catalog's identity section, the gateway is the only published endpoint, the
backends' API ports (their `expose:` ports) accept connections only from the gateway and the in-stack callers
the traffic matrix names, and Koku never runs in the combination that answers 424 to every request.

Why it matters: Koku, ROS and the upload ingress trust X-Rh-Identity as given (runtime-facts.md §2 facts 12,
15, 17), so anything that reaches them around the gateway can claim any organisation.
"""

from __future__ import annotations

from rosgit import ids
from rosgit.catalog.model import Catalog
from rosgit.contracts.conditions import UNSET
from rosgit.findings import Finding
from rosgit.k8s.meta import as_map
from rosgit.lint.context import LintContext
from rosgit.lint.contract_view import EnvView, env_view, overlay_of
from rosgit.lint.network import flow_text, reachability
from rosgit.lint.objects import Obj, by_kind, name_of, pod_templates, ref

# the Lua literal the gateway's identity filter starts with in org-admin mode (rosgit/catalog/gateway.py)
ORG_ADMIN_FOR_ALL = "local ORG_ADMIN_FOR_ALL = true"
_FALSE = {"false", "0", "no", "off", "n", ""}


def _gateway_service(catalog: Catalog) -> str | None:
    if catalog.identity is None:
        return None
    gateway = catalog.component(catalog.identity.gateway)
    return gateway.service_name if gateway is not None else None


def _published(objects: list[Obj]) -> list[tuple[Obj, str]]:
    """(Route or Ingress, the Service it sends traffic to) for every published path."""
    found: list[tuple[Obj, str]] = []
    for route in by_kind(objects, "Route"):
        found.append((route, str(as_map(as_map(route.get("spec")).get("to")).get("name", ""))))
    for ingress in by_kind(objects, "Ingress"):
        spec = as_map(ingress.get("spec"))
        default = as_map(as_map(spec.get("defaultBackend")).get("service"))
        if default:
            found.append((ingress, str(default.get("name", ""))))
        for rule in spec.get("rules") or []:
            for path in as_map(as_map(rule).get("http")).get("paths") or []:
                service = as_map(as_map(as_map(path).get("backend")).get("service"))
                found.append((ingress, str(service.get("name", ""))))
    return found


def check_published(objects: list[Obj], context: LintContext) -> list[Finding]:
    """Every Route and Ingress path targets the gateway's Service."""
    catalog = context.catalog
    gateway = _gateway_service(catalog) if catalog is not None else None
    if gateway is None:
        return []
    return [
        context.finding(
            ids.ROS607, "error", ref(obj),
            f"publishes Service {target!r} around the gateway {gateway!r}: its backend trusts any X-Rh-Identity",
            "publish only the gateway (identity.gateway); the other components' expose: entries are its routes",
        )
        for obj, target in _published(objects)
        if target != gateway
    ]


def check_backend_ports(objects: list[Obj], context: LintContext) -> list[Finding]:
    """The NetworkPolicies let only the gateway and the matrix's in-stack callers reach a backend's API port:
    no external peer, no pod the matrix does not name for that port."""
    catalog = context.catalog
    if catalog is None or catalog.identity is None or not context.platform:
        return []
    gateway = catalog.identity.gateway
    deployed = {template.workload: template for template in pod_templates(objects)}
    # the backends: what the gateway routes to (expose:) and what the matrix lets it reach (the Service
    # koku-api also selects koku-api-writes, which has no expose: of its own)
    targets: set[tuple[str, str]] = set()
    for component in catalog.components_for(context.platform):
        if component.expose is not None and component.name != gateway:
            targets.add((component.name, component.expose.port))
    for rule in catalog.traffic:
        if gateway in rule.source and context.platform in rule.platforms:
            targets.add((rule.to, rule.port))
    backends: dict[tuple[str, int], str] = {}
    for name, port_ref in sorted(targets):
        target = catalog.component(name)
        port = target.port(int(port_ref) if port_ref.isdigit() else port_ref) if target else None
        if port is not None and name in deployed:
            backends[(name, port.port)] = deployed[name].ref
    if not backends:
        return []
    callers: dict[tuple[str, int], set[str]] = {}
    for rule in catalog.traffic:
        receiver = catalog.component(rule.to)
        if receiver is None or context.platform not in rule.platforms:
            continue
        port = receiver.port(int(rule.port) if rule.port.isdigit() else rule.port)
        if port is not None:
            callers.setdefault((rule.to, port.port), set()).update(
                s for s in rule.source if catalog.component(s) is not None
            )
    result = reachability(objects, context)
    findings: list[Finding] = []
    externals = set(catalog.externals) | {"dns"}
    for (source, destination, number, protocol), _ in sorted(result.allowed.items()):
        owner = backends.get((destination, number))
        if owner is None or source == gateway:
            continue
        if source in externals or source not in callers.get((destination, number), set()):
            kind = "from outside the stack" if source in externals else "from a pod the traffic matrix does not name"
            findings.append(
                context.finding(
                    ids.ROS608, "error", owner,
                    f"API port {number} is reachable {kind}, around the gateway "
                    f"({flow_text((source, destination, number, protocol))})",
                    "route it through the gateway: drop the flow from traffic:, or name the in-stack caller there",
                )
            )
    return findings


def _setting(view: EnvView, name: str, default: str) -> str | None:
    """The container's value of `name`, Koku's default when unset, None when the overlay does not show it."""
    observed = view.observe(name)
    if observed is UNSET:
        return default
    return observed if isinstance(observed, str) else None


def _truthy(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() not in _FALSE


def check_koku_authorization(objects: list[Obj], context: LintContext) -> list[Finding]:
    """A Koku API pod that would ask an RBAC service nobody runs: DEVELOPMENT off and either
    ENHANCED_ORG_ADMIN off, or on while the gateway does not make every user an org admin, with
    RBAC_SERVICE_HOST naming no Service of the overlay (Koku's default is localhost:8111). Koku then answers
    424 to every request it cannot authorise (runtime-facts.md §2 facts 13, 30)."""
    catalog = context.catalog
    if catalog is None or "koku" not in catalog.images:
        return []
    koku_image = str(catalog.images["koku"])
    overlay = overlay_of(objects)
    services = {name_of(s) for s in by_kind(objects, "Service")}
    gateway_config = "\n".join(
        text for data in overlay.config_maps.values() for text in data.values() if ORG_ADMIN_FOR_ALL in text
    )
    every_user_admin = bool(gateway_config)
    findings: list[Finding] = []
    for template in pod_templates(objects):
        for container in template.app_containers():
            if container.get("image") != koku_image:
                continue
            if not any(as_map(p).get("name") == "http" for p in container.get("ports") or []):
                continue  # only the API pods run the identity and RBAC middleware on requests
            view = env_view(container, template.namespace, overlay, context)
            development = _truthy(_setting(view, "DEVELOPMENT", "False"))
            enhanced = _truthy(_setting(view, "ENHANCED_ORG_ADMIN", "False"))
            if development or development is None or enhanced is None:
                continue
            host = _setting(view, "RBAC_SERVICE_HOST", "localhost") or "localhost"
            short = host.split(".", 1)[0]
            if short in services and host != "localhost":
                continue
            if enhanced and every_user_admin:
                continue
            why = ("ENHANCED_ORG_ADMIN is True but the gateway does not make every user an org admin"
                   if enhanced else "DEVELOPMENT and ENHANCED_ORG_ADMIN are False")
            findings.append(
                context.finding(
                    ids.ROS609, "error", template.ref,
                    f"container {container.get('name')}: {why}, and RBAC_SERVICE_HOST {host!r} is no Service of "
                    "the overlay: Koku answers 424 to every request it must ask RBAC about",
                    "use identity authorization org-admin, or deploy insights-rbac (authorization rbac)",
                )
            )
    return findings
