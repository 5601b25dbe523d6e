"""Pods meet the restricted Pod Security Standard; on OpenShift they leave UIDs to the SCC.

A namespace labelled `pod-security.kubernetes.io/enforce: restricted` (or OpenShift's restricted-v2
SCC) rejects such pods at admission, which Argo CD only shows as a ReplicaSet that never gets pods.
"""

from __future__ import annotations

from typing import Any

from rosgit import ids
from rosgit.findings import Finding, RuleId
from rosgit.k8s.meta import as_map
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj, PodTemplate, pod_templates

# Volume types the restricted profile allows; everything else (hostPath, nfs, ...) is refused.
RESTRICTED_VOLUME_TYPES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
ALLOWED_ADDED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def pod_violations(template: PodTemplate, *, openshift: bool) -> list[tuple[RuleId, str]]:
    """(rule id, message) for every restricted-profile violation of one pod template."""
    spec = template.spec
    pod_sc = as_map(spec.get("securityContext"))
    found: list[tuple[RuleId, str]] = []
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field) is True:
            found.append((ids.ROS406, f"pod sets {field}: true"))
    for volume in _items(spec.get("volumes")):
        types = [key for key in volume if key != "name"]
        for kind in types:
            if kind == "hostPath":
                found.append((ids.ROS406, f"volume {volume.get('name')} is a hostPath"))
            elif kind not in RESTRICTED_VOLUME_TYPES:
                found.append((ids.ROS407, f"volume {volume.get('name')} has type {kind}, not allowed by restricted"))
    for sysctl in _items(pod_sc.get("sysctls")):
        if sysctl.get("name") not in SAFE_SYSCTLS:
            found.append((ids.ROS409, f"pod sets unsafe sysctl {sysctl.get('name')}"))
    if openshift:
        for field in ("runAsUser", "fsGroup"):
            if field in pod_sc:
                found.append((ids.ROS408, f"pod securityContext fixes {field}: {pod_sc[field]}"))
    for container in template.containers():
        found.extend(_container_violations(container, pod_sc, openshift=openshift))
    return found


def _container_violations(
    container: dict[str, Any], pod_sc: dict[str, Any], *, openshift: bool
) -> list[tuple[RuleId, str]]:
    sc = as_map(container.get("securityContext"))
    who = f"container {container.get('name')}"
    found: list[tuple[RuleId, str]] = []
    non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
    if non_root is not True:
        found.append((ids.ROS401, f"{who} does not set runAsNonRoot: true"))
    if sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
        found.append((ids.ROS401, f"{who} runs as UID 0"))
    if sc.get("allowPrivilegeEscalation") is not False:
        found.append((ids.ROS402, f"{who} does not set allowPrivilegeEscalation: false"))
    capabilities = as_map(sc.get("capabilities"))
    drop = capabilities["drop"] if isinstance(capabilities.get("drop"), list) else []
    if "ALL" not in drop:
        found.append((ids.ROS403, f"{who} does not drop ALL capabilities"))
    added = capabilities["add"] if isinstance(capabilities.get("add"), list) else []
    extra = sorted(str(c) for c in added if c not in ALLOWED_ADDED_CAPABILITIES)
    if extra:
        found.append((ids.ROS403, f"{who} adds capabilities {', '.join(extra)}"))
    seccomp = as_map(sc.get("seccompProfile")) or as_map(pod_sc.get("seccompProfile"))
    if seccomp.get("type") not in ("RuntimeDefault", "Localhost"):
        found.append((ids.ROS404, f"{who} has no seccompProfile RuntimeDefault (or Localhost)"))
    if sc.get("privileged") is True:
        found.append((ids.ROS405, f"{who} is privileged"))
    for port in _items(container.get("ports")):
        if port.get("hostPort"):
            found.append((ids.ROS406, f"{who} binds hostPort {port['hostPort']}"))
    if sc.get("procMount") not in (None, "Default"):
        found.append((ids.ROS409, f"{who} sets procMount {sc.get('procMount')}"))
    if as_map(sc.get("windowsOptions")).get("hostProcess") is True:
        found.append((ids.ROS406, f"{who} is a Windows hostProcess container"))
    if openshift and "runAsUser" in sc:
        found.append((ids.ROS408, f"{who} securityContext fixes runAsUser: {sc['runAsUser']}"))
    return found


_HINTS = {
    ids.ROS401: "set runAsNonRoot: true (pod or container securityContext) and a non-zero UID",
    ids.ROS402: "set allowPrivilegeEscalation: false on the container",
    ids.ROS403: "set capabilities: {drop: [ALL]} and add at most NET_BIND_SERVICE",
    ids.ROS404: "set seccompProfile: {type: RuntimeDefault} on the pod",
    ids.ROS405: "remove privileged: true",
    ids.ROS406: "remove host namespaces, hostPath volumes and hostPorts",
    ids.ROS407: "use configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral or a PVC",
    ids.ROS408: "OpenShift's restricted-v2 SCC assigns UIDs from the namespace range: drop the fixed value "
    "(the kubernetes Component sets it)",
    ids.ROS409: "remove the unsafe setting",
}


def check_pod_security(objects: list[Obj], context: LintContext) -> list[Finding]:
    """The restricted Pod Security Standard, plus no fixed UIDs on OpenShift."""
    openshift = context.platform == "openshift"
    findings: list[Finding] = []
    for template in pod_templates(objects):
        for rule_id, message in pod_violations(template, openshift=openshift):
            severity = ids.RULES[rule_id].severity
            findings.append(context.finding(rule_id, severity, template.ref, message, _HINTS[rule_id]))
    return findings
