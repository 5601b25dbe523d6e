"""Removed and deprecated APIs for a target Kubernetes (or OpenShift) version: "is this tree ready for 1.36?".

A removed API is reported by name with its replacement instead of as "could not find schema" (the schemas of
a version simply lack it); an API still served but deprecated is a warning naming the version that removes it.

Sources. Removals: the Kubernetes deprecated API migration guide (kubernetes.io/docs/reference/using-api/
deprecation-guide), one row per "no longer served as of vX" entry; the rows from 1.26 on are also proven
against kubernetes-validate's schemas (each API is in the schemas of the minor before and absent from the
minor that removes it: tests/validate/test_deprecations.py). OpenShift minors: each OpenShift Container
Platform 4.y release note's "About this release" ("based on Kubernetes 1.x").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rosgit.errors import UsageError


@dataclass(frozen=True)
class ApiChange:
    api_version: str
    kinds: tuple[str, ...]
    replacement: str  # the apiVersion (or kind) to move to
    deprecated_in: str  # the Kubernetes minor that deprecated it
    removed_in: str | None  # the minor that stops serving it; None: deprecated, no removal scheduled


def _rows(api_version: str, kinds: str, replacement: str, deprecated: str, removed: str | None) -> ApiChange:
    return ApiChange(api_version, tuple(kinds.split()), replacement, deprecated, removed)


API_CHANGES: tuple[ApiChange, ...] = (
    # 1.16
    _rows("extensions/v1beta1", "Deployment DaemonSet ReplicaSet", "apps/v1", "1.9", "1.16"),
    _rows("apps/v1beta1", "Deployment StatefulSet", "apps/v1", "1.9", "1.16"),
    _rows("apps/v1beta2", "Deployment StatefulSet DaemonSet ReplicaSet", "apps/v1", "1.9", "1.16"),
    _rows("extensions/v1beta1", "NetworkPolicy", "networking.k8s.io/v1", "1.9", "1.16"),
    _rows("extensions/v1beta1", "PodSecurityPolicy", "policy/v1beta1", "1.10", "1.16"),
    # 1.22
    _rows("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration ValidatingWebhookConfiguration",
          "admissionregistration.k8s.io/v1", "1.16", "1.22"),
    _rows("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "apiextensions.k8s.io/v1", "1.16", "1.22"),
    _rows("apiregistration.k8s.io/v1beta1", "APIService", "apiregistration.k8s.io/v1", "1.19", "1.22"),
    _rows("authentication.k8s.io/v1beta1", "TokenReview", "authentication.k8s.io/v1", "1.19", "1.22"),
    _rows("authorization.k8s.io/v1beta1", "SubjectAccessReview LocalSubjectAccessReview SelfSubjectAccessReview",
          "authorization.k8s.io/v1", "1.19", "1.22"),
    _rows("certificates.k8s.io/v1beta1", "CertificateSigningRequest", "certificates.k8s.io/v1", "1.19", "1.22"),
    _rows("coordination.k8s.io/v1beta1", "Lease", "coordination.k8s.io/v1", "1.19", "1.22"),
    _rows("extensions/v1beta1", "Ingress", "networking.k8s.io/v1", "1.14", "1.22"),
    _rows("networking.k8s.io/v1beta1", "Ingress IngressClass", "networking.k8s.io/v1", "1.19", "1.22"),
    _rows("rbac.authorization.k8s.io/v1beta1", "ClusterRole ClusterRoleBinding Role RoleBinding",
          "rbac.authorization.k8s.io/v1", "1.17", "1.22"),
    _rows("scheduling.k8s.io/v1beta1", "PriorityClass", "scheduling.k8s.io/v1", "1.14", "1.22"),
    _rows("storage.k8s.io/v1beta1", "CSIDriver CSINode StorageClass VolumeAttachment", "storage.k8s.io/v1", "1.19",
          "1.22"),
    # 1.25
    _rows("batch/v1beta1", "CronJob", "batch/v1", "1.21", "1.25"),
    _rows("discovery.k8s.io/v1beta1", "EndpointSlice", "discovery.k8s.io/v1", "1.21", "1.25"),
    _rows("events.k8s.io/v1beta1", "Event", "events.k8s.io/v1", "1.19", "1.25"),
    _rows("autoscaling/v2beta1", "HorizontalPodAutoscaler", "autoscaling/v2", "1.22", "1.25"),
    _rows("policy/v1beta1", "PodDisruptionBudget", "policy/v1", "1.21", "1.25"),
    _rows("policy/v1beta1", "PodSecurityPolicy", "Pod Security Admission (namespace labels)", "1.21", "1.25"),
    _rows("node.k8s.io/v1beta1", "RuntimeClass", "node.k8s.io/v1", "1.20", "1.25"),
    # 1.26
    _rows("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema PriorityLevelConfiguration",
          "flowcontrol.apiserver.k8s.io/v1", "1.23", "1.26"),
    _rows("autoscaling/v2beta2", "HorizontalPodAutoscaler", "autoscaling/v2", "1.23", "1.26"),
    # 1.27
    _rows("storage.k8s.io/v1beta1", "CSIStorageCapacity", "storage.k8s.io/v1", "1.24", "1.27"),
    # 1.29
    _rows("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema PriorityLevelConfiguration",
          "flowcontrol.apiserver.k8s.io/v1", "1.26", "1.29"),
    # 1.32
    _rows("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema PriorityLevelConfiguration",
          "flowcontrol.apiserver.k8s.io/v1", "1.29", "1.32"),
    # deprecated, still served (KEP-4974: v1 Endpoints are deprecated in favour of EndpointSlices in 1.33)
    _rows("v1", "Endpoints", "discovery.k8s.io/v1 EndpointSlice", "1.33", None),
)

# OpenShift minor -> the Kubernetes minor it is based on (each release note's "About this release").
OPENSHIFT_KUBERNETES: dict[str, str] = {
    "4.12": "1.25",
    "4.13": "1.26",
    "4.14": "1.27",
    "4.15": "1.28",
    "4.16": "1.29",
    "4.17": "1.30",
    "4.18": "1.31",
    "4.19": "1.32",
    "4.20": "1.33",
    "4.21": "1.34",
}

_MINOR = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?")


def minor_of(version: str) -> tuple[int, int]:
    match = _MINOR.fullmatch(version.strip())
    if not match:
        raise UsageError(f"{version!r} is not a version such as 1.33")
    return int(match.group(1)), int(match.group(2))


def kubernetes_of_openshift(version: str) -> str:
    """The Kubernetes minor of an OpenShift minor (4.20 -> 1.33); a minor not in the table is a usage error."""
    major, minor = minor_of(version)
    key = f"{major}.{minor}"
    if key not in OPENSHIFT_KUBERNETES:
        raise UsageError(
            f"no Kubernetes version known for OpenShift {version!r}; known: {', '.join(OPENSHIFT_KUBERNETES)}"
        )
    return OPENSHIFT_KUBERNETES[key]


def target_kubernetes(kubernetes_version: str | None, openshift_version: str | None) -> str | None:
    """The Kubernetes version to check against, from at most one of the two options."""
    if kubernetes_version and openshift_version:
        raise UsageError("give --kubernetes-version or --openshift-version, not both")
    return kubernetes_of_openshift(openshift_version) if openshift_version else kubernetes_version


@dataclass(frozen=True)
class ApiVerdict:
    removed: bool
    message: str


def api_verdict(api_version: str, kind: str, kubernetes_version: str) -> ApiVerdict | None:
    """Whether this apiVersion of the kind is removed in (or deprecated by) the target version, and what to
    use instead; None when it is neither."""
    target = minor_of(kubernetes_version)
    for change in API_CHANGES:
        if change.api_version != api_version or kind not in change.kinds:
            continue
        name = f"{api_version} {kind}"
        use = f"use {change.replacement}"
        if change.removed_in is not None and target >= minor_of(change.removed_in):
            return ApiVerdict(True, f"{name} was removed in Kubernetes {change.removed_in}; {use}")
        if target >= minor_of(change.deprecated_in):
            removal = f", removed in {change.removed_in}" if change.removed_in else ""
            return ApiVerdict(False, f"{name} is deprecated since Kubernetes {change.deprecated_in}{removal}; {use}")
    return None
