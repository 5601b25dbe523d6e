"""Every workload of an overlay checked against the contract of its image (rosgit/contracts).

A container's image is mapped to its catalog image key by repository (the tag is the contracts' own
coverage check), the key to its contract, and the contract's mode by `match` on the container's command
and args. Then, per container: required env present; with `env_complete`, no variable set that the
program never reads; values that parse as the program parses them (rosgit.contracts.parsers); probes on a
served port and path; runAsNonRoot verifiable by the kubelet for the image's USER on Kubernetes overlays
(OpenShift's SCC assigns a numeric UID, so nothing to verify there); written paths on a volume when the
root filesystem is read-only, else writable by the user and groups the platform runs the container with, as
the image's build leaves them (rosgit.lint.run_as).
Per ServiceMonitor: its endpoints reach a metrics port and path of the
selected pods' program. The steps that must exist for a workload (topics, buckets, queues, databases) are
rosgit.lint.contract_steps, which documents how "created by a step" is recognised.

Each rule sees only the facts that apply to the container: a fact whose `when:` does not hold for the
container's env is removed once, in rosgit.lint.contract_view (rosgit.contracts.conditions judges it;
a condition on a value the overlay does not show is taken to hold).
The facts are only as good as the contracts; what the overlay does not show (a value from a Secret, an
envFrom of an object outside the overlay) is not guessed: such checks are skipped, never failed.
"""

from __future__ import annotations

from typing import Any

from rosgit import ids
from rosgit.contracts.model import Write
from rosgit.contracts.parsers import value_problem
from rosgit.findings import Finding
from rosgit.k8s.meta import as_map, namespace_of, ref
from rosgit.lint.context import LintContext
from rosgit.lint.contract_view import Running, overlay_runnings
from rosgit.lint.objects import Obj, by_kind, selector_matches
from rosgit.lint.run_as import may_write, run_as
from rosgit.lint.services import PROBES, selected_pods

Served = tuple[int | None, Any]


def _port_number(container: dict[str, Any], port: Any) -> int | None:
    """A probe's or Service's target port as the container's port number (a name looked up)."""
    if isinstance(port, int):
        return port
    if isinstance(port, str) and port.isdigit():
        return int(port)
    declared = [p for p in container.get("ports") or [] if isinstance(p, dict)]
    numbers = [p.get("containerPort") for p in declared if p.get("name") == port]
    return next((n for n in numbers if isinstance(n, int)), None)


def served_ports(running: Running) -> list[Served] | None:
    """(port, serve fact) per port the mode serves; None when a port moved by env cannot be resolved."""
    if running.mode is None:
        return None
    served: list[Served] = []
    for serve in running.mode.serves:
        port: int | None = serve.port
        if serve.env and serve.env in running.env.values:
            value = running.env.known(serve.env)
            if value is None or not value.strip().isdigit():
                return None
            port = int(value)
        served.append((port, serve))
    return served


def _env_findings(running: Running, context: LintContext) -> list[Finding]:
    findings: list[Finding] = []
    contract, env = running.contract, running.env
    for fact in contract.env_facts(running.mode):
        field = f"container {running.name} env {fact.name}"
        if fact.required and fact.name not in env.values and not env.open:
            findings.append(running.finding(
                context, ids.CON001, field, "not set, and the program requires it",
                f"required env {fact.name}", fact.source, f"set {fact.name} on the container",
            ))
        value = env.known(fact.name)
        problem = value_problem(fact, value) if value is not None else None
        if problem:
            findings.append(running.finding(
                context, ids.CON003, field, f"value {value!r}: {problem}",
                f"env {fact.name} is {fact.type} read by {fact.parser}", fact.source,
                f"give {fact.name} a value {fact.parser} reads as a {fact.type}",
            ))
    if contract.env_complete:
        known = running.declared.read_env()
        for name in (name for name in env.explicit if name not in known):
            findings.append(running.finding(
                context, ids.CON002, f"container {running.name} env {name}", "the program never reads it",
                "env_complete lists every variable it reads", "", "fix the variable's name (a typo?) or drop it",
            ))
    return findings


def _probe_findings(running: Running, context: LintContext) -> list[Finding]:
    served = served_ports(running)
    if served is None or running.mode is None:
        return []
    findings: list[Finding] = []
    for probe_field in PROBES:
        probe = as_map(running.container.get(probe_field))
        handler = "httpGet" if "httpGet" in probe else "tcpSocket" if "tcpSocket" in probe else None
        if handler is None:
            continue
        action = as_map(probe[handler])
        port = _port_number(running.container, action.get("port"))
        if port is None:
            continue  # ROS203 reports ports the container does not declare
        field = f"container {running.name} {probe_field} {handler} port {action.get('port')}"
        mode = running.mode
        on_port = [serve for number, serve in served if number == port]
        web = [serve for serve in on_port if serve.protocol == "http"]
        paths = [path for serve in web for path in serve.paths]
        path = str(action.get("path", "/")).split("?", 1)[0]
        if not on_port:
            ports = ", ".join(f"{serve.name} {number}" for number, serve in served) or "none"
            source = served[0][1].source if served else ""
            findings.append(running.finding(
                context, ids.CON004, field, f"port {port} is not served by the program in mode {mode.name}",
                f"mode {mode.name} serves {ports}", source, "probe a port the program listens on",
            ))
        elif handler == "httpGet" and not web:
            findings.append(running.finding(
                context, ids.CON004, field, f"port {port} speaks {on_port[0].protocol}, not HTTP",
                f"serves {on_port[0].name} ({on_port[0].protocol})", on_port[0].source,
                "use a tcpSocket or exec probe",
            ))
        elif handler == "httpGet" and paths and path not in paths:
            findings.append(running.finding(
                context, ids.CON004, f"{field} path {path}", f"path {path} is not a health path of port {port}",
                f"serves {web[0].name} paths {', '.join(paths)}", web[0].source, f"probe one of {', '.join(paths)}",
            ))
    return findings


def _non_root_findings(running: Running, context: LintContext) -> list[Finding]:
    user = running.contract.user
    if context.platform != "kubernetes" or user is None:
        return []
    pod_sc = as_map(running.template.spec.get("securityContext"))
    sc = as_map(running.container.get("securityContext"))
    non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
    run_as = sc.get("runAsUser", pod_sc.get("runAsUser"))
    if non_root is not True or (isinstance(run_as, int) and not isinstance(run_as, bool)):
        return []
    field = f"container {running.name} securityContext.runAsNonRoot"
    fact = f"USER {user.name}" + (f" (uid {user.uid})" if user.uid is not None else "")
    number = f"{user.uid}" if user.uid is not None else "the image's numeric uid"
    if user.numeric and int(user.name) != 0:
        return []
    problem = (
        "the image runs as root (UID 0): the kubelet refuses to start it"
        if user.numeric
        else f"the image's USER is the name {user.name!r}: the kubelet cannot verify it is non-root"
    )
    hint = f"set runAsUser: {number}" if not user.numeric else "set runAsUser to a non-zero UID"
    return [running.finding(context, ids.CON006, field, problem, fact, user.source, hint)]


def _on_volume(running: Running, path: str) -> bool:
    mounts = [str(m.get("mountPath", "")).rstrip("/") for m in running.container.get("volumeMounts") or []
              if isinstance(m, dict)]
    path = path.rstrip("/")
    return any(path == mount or path.startswith(mount + "/") for mount in mounts)


def _write_findings(running: Running, context: LintContext) -> list[Finding]:
    """A read-only root filesystem is one finding per path; only a writable one leaves the image's
    permissions to judge (else every such path would be reported twice)."""
    read_only = as_map(running.container.get("securityContext")).get("readOnlyRootFilesystem") is True
    who = run_as(context.platform, running.template.spec, running.container, running.contract.user)
    findings: list[Finding] = []
    for write in running.contract.writes_for(running.mode):
        if _on_volume(running, write.path):
            continue
        field = f"container {running.name} path {write.path}"
        if read_only:
            findings.append(running.finding(
                context, ids.CON007, field,
                "written by the program, but on the read-only root filesystem (no volume mounted there)",
                f"writes {write.path}", write.source, f"mount an emptyDir at {write.path}",
            ))
        elif write.writable_source and may_write(who, write.writable_by) is False:
            findings.append(running.finding(
                context, ids.CON012, field,
                f"written by the program and on no volume, but {who.how}, and {_writers(running, write)}",
                f"writes {write.path} ({running.contract.cite(write.source)}), writable by {write.writable_by}",
                write.writable_source,
                f"mount an emptyDir at {write.path} (seeded from the image if the program reads files there)"
                " or run the container as a user who may write it",
            ))
    return findings


def _writers(running: Running, write: Write) -> str:
    user = running.contract.user
    owner = f"the image's USER {user.name}" if user else "the image's USER"
    if write.writable_by == "owner":
        return f"in the image only {owner} may write it"
    return f"in the image only {owner} and group 0 may write it"


def _labels(obj: Obj) -> dict[str, str]:
    return {str(k): str(v) for k, v in as_map(as_map(obj.get("metadata")).get("labels")).items()}


def _metrics_findings(objects: list[Obj], all_running: list[Running], context: LintContext) -> list[Finding]:
    services = by_kind(objects, "Service")
    findings: list[Finding] = []
    for monitor in by_kind(objects, "ServiceMonitor"):
        spec = as_map(monitor.get("spec"))
        selector = as_map(spec.get("selector"))
        chosen = [
            s for s in services
            if namespace_of(s) == namespace_of(monitor) and selector_matches(selector, _labels(s))
        ]
        for endpoint in spec.get("endpoints") or []:
            for service in chosen if isinstance(endpoint, dict) else []:
                findings += _endpoint_findings(monitor, service, endpoint, all_running, context)
    return findings


def _endpoint_findings(
    monitor: Obj, service: Obj, endpoint: dict[str, Any], all_running: list[Running], context: LintContext
) -> list[Finding]:
    """The endpoint's Service port -> targetPort -> each selected container's port -> the served fact."""
    path = str(endpoint.get("path", "/metrics"))
    port_ref = endpoint.get("port", endpoint.get("targetPort"))
    service_port = next(
        (
            p for p in as_map(service.get("spec")).get("ports") or []
            if isinstance(p, dict) and port_ref in (p.get("name"), p.get("port"))
        ),
        None,
    )
    if service_port is None:
        return []  # ROS204 reports endpoints that name no Service port
    target = service_port.get("targetPort", service_port.get("port"))
    selected = {t.ref for t in selected_pods(service, [r.template for r in all_running])}
    findings: list[Finding] = []
    for running in (r for r in all_running if r.template.ref in selected):
        number = _port_number(running.container, target)
        served = served_ports(running)
        if number is None or served is None or number not in _declared(running):
            continue
        on_port = [serve for n, serve in served if n == number and serve.metrics]
        paths = [p for serve in on_port for p in serve.paths]
        field = f"endpoint port {port_ref} path {path} ({running.template.ref} container {running.name} port {number})"
        if not on_port:
            metrics = [(n, s) for n, s in served if s.metrics]
            where = ", ".join(f"{s.name} {n} {','.join(s.paths)}" for n, s in metrics) or "no port"
            fact = metrics[0][1] if metrics else next((s for n, s in served if n == number), None)
            findings.append(running.finding(
                context, ids.CON005, field, f"port {number} is not a metrics endpoint of the program",
                f"metrics served on {where}", fact.source if fact else "",
                "scrape the port the program serves metrics on", obj=ref(monitor),
            ))
        elif paths and path not in paths:
            findings.append(running.finding(
                context, ids.CON005, field, f"path {path} is not the metrics path of port {number}",
                f"metrics at {', '.join(paths)}", on_port[0].source, f"set path: {paths[0]}", obj=ref(monitor),
            ))
    return findings


def _declared(running: Running) -> set[int]:
    return {
        int(p["containerPort"]) for p in running.container.get("ports") or []
        if isinstance(p, dict) and isinstance(p.get("containerPort"), int)
    }


def check_contracts(objects: list[Obj], context: LintContext) -> list[Finding]:
    """Each container and ServiceMonitor of the overlay against the contracts of the images it runs."""
    all_running = overlay_runnings(objects, context)
    findings: list[Finding] = []
    for running in all_running:
        findings += _env_findings(running, context)
        findings += _probe_findings(running, context)
        findings += _non_root_findings(running, context)
        findings += _write_findings(running, context)
    findings += _metrics_findings(objects, all_running, context)
    return findings
