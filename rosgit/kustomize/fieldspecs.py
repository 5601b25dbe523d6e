"""Field specs: where builtin transformers read or write a value, and the walker that visits those places.

The tables restate the facts of kustomize's builtin configuration (which kinds carry labels, name
references, ...) in compact form.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from rosgit.errors import UsageError
from rosgit.kustomize.resource import Gvk


class ShapeError(ValueError):
    """A field on a spec's path has the wrong YAML shape (e.g. a scalar where a map must be)."""


class FieldSpec(NamedTuple):
    path: tuple[str, ...]
    gvk: Gvk
    create: bool = False

    def selects(self, gvk: Gvk) -> bool:
        return gvk.is_selected_by(self.gvk)


def split_path(path: str) -> tuple[str, ...]:
    """Split at '/', keeping escaped slashes ('a\\/b') inside one field."""
    parts: list[str] = []
    cur = ""
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\" and i + 1 < len(path) and path[i + 1] == "/":
            cur += "/"
            i += 2
            continue
        if ch == "/":
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    parts.append(cur)
    return tuple(parts)


def split_outside(text: str, separator: str, opening: str, closing: str) -> list[str]:
    """`text` split at `separator` wherever it is outside `opening`...`closing` brackets, counting nesting."""
    parts: list[str] = []
    cur = ""
    depth = 0
    for ch in text:
        if ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
        if ch == separator and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def spec(path: str, kind: str = "", group: str = "", version: str = "", create: bool = False) -> FieldSpec:
    return FieldSpec(split_path(path), Gvk(group, version, kind), create)


# A value for `create_kind` meaning "create a mapping at the last field" vs a scalar.
MAP = "map"
SCALAR = "scalar"


def apply_spec(
    node: Any, path: tuple[str, ...], create: bool, create_kind: str, setter: Callable[[Any, str], None]
) -> None:
    """Visit every place `path` reaches in `node`; sequences on the way are entered element-wise.

    `setter(parent, key)` is called with the mapping holding the final field, so it can replace or
    update the value in place. With `create`, missing fields are created (maps on the way, and
    `create_kind` at the end); a field ending in '[]' is only followed, never created.
    """
    if isinstance(node, list):
        for item in node:
            apply_spec(item, path, create, create_kind, setter)
        return
    if not isinstance(node, dict):
        raise ShapeError("expected sequence or mapping node")
    name = path[0]
    is_seq = name.endswith("[]")
    if is_seq:
        name = name[:-2]
    last = len(path) == 1
    if name not in node or node[name] is None:
        if not create or is_seq:
            return
        if last:
            if create_kind == MAP:
                node[name] = {}
            elif name not in node:
                node[name] = None
        else:
            node[name] = {}
    if last:
        setter(node, name)
        return
    apply_spec(node[name], path[1:], create, create_kind, setter)


def apply_checked(
    obj: dict[str, Any], spec: FieldSpec, create: bool, create_kind: str, setter: Callable[[Any, str], None]
) -> None:
    """apply_spec, turning a field of the wrong shape into kustomize's one-line error."""
    try:
        apply_spec(obj, spec.path, create, create_kind, setter)
    except ShapeError as exc:
        md = obj.get("metadata")
        name = md.get("name") if isinstance(md, dict) else None
        raise UsageError(
            f"considering field '{'/'.join(spec.path)}' of object {obj.get('kind')}/{name}: {exc}"
        ) from None


def apply_specs(
    obj: dict[str, Any], gvk: Gvk, specs: list[FieldSpec], create_kind: str,
    setter: Callable[[Any, str], None],
) -> None:
    for fs in specs:
        if fs.selects(gvk):
            apply_checked(obj, fs, fs.create, create_kind, setter)

METADATA_LABELS: list[FieldSpec] = [spec("metadata/labels", create=True)]

TEMPLATE_LABELS: list[FieldSpec] = [
    spec("spec/template/metadata/labels", "ReplicationController", version="v1", create=True),
    spec("spec/template/metadata/labels", "Deployment", create=True),
    spec("spec/template/metadata/labels", "ReplicaSet", create=True),
    spec("spec/template/metadata/labels", "DaemonSet", create=True),
    spec("spec/template/metadata/labels", "StatefulSet", group="apps", create=True),
    spec("spec/volumeClaimTemplates[]/metadata/labels", "StatefulSet", group="apps", create=True),
    spec("spec/template/metadata/labels", "Job", group="batch", create=True),
    spec("spec/jobTemplate/metadata/labels", "CronJob", group="batch", create=True),
    spec("spec/jobTemplate/spec/template/metadata/labels", "CronJob", group="batch", create=True),
]

_AFFINITY = [
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/"
    "podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
    "labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/"
    "podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
    "labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
]

SELECTOR_LABELS: list[FieldSpec] = [
    spec("spec/selector", "Service", version="v1", create=True),
    spec("spec/selector", "ReplicationController", version="v1", create=True),
    spec("spec/selector/matchLabels", "Deployment", create=True),
    *[spec(p, "Deployment", group="apps") for p in _AFFINITY],
    spec("spec/selector/matchLabels", "ReplicaSet", create=True),
    spec("spec/selector/matchLabels", "DaemonSet", create=True),
    spec("spec/selector/matchLabels", "StatefulSet", group="apps", create=True),
    spec("spec/volumeClaimTemplates[]/metadata/labels", "StatefulSet", group="apps", create=True),
    *[spec(p, "StatefulSet", group="apps") for p in _AFFINITY],
    spec("spec/selector/matchLabels", "Job", group="batch"),
    spec("spec/jobTemplate/spec/selector/matchLabels", "CronJob", group="batch"),
    spec("spec/selector/matchLabels", "PodDisruptionBudget", group="policy"),
    spec("spec/podSelector/matchLabels", "NetworkPolicy", group="networking.k8s.io"),
    spec("spec/ingress/from/podSelector/matchLabels", "NetworkPolicy", group="networking.k8s.io"),
    spec("spec/egress/to/podSelector/matchLabels", "NetworkPolicy", group="networking.k8s.io"),
]

# commonLabels / labels with includeSelectors: selectors first, then metadata and templates.
COMMON_LABELS: list[FieldSpec] = [*SELECTOR_LABELS, *METADATA_LABELS, *TEMPLATE_LABELS]

COMMON_ANNOTATIONS: list[FieldSpec] = [
    spec("metadata/annotations", create=True),
    spec("spec/template/metadata/annotations", "ReplicationController", version="v1", create=True),
    spec("spec/template/metadata/annotations", "Deployment", create=True),
    spec("spec/template/metadata/annotations", "ReplicaSet", create=True),
    spec("spec/template/metadata/annotations", "DaemonSet", create=True),
    spec("spec/template/metadata/annotations", "StatefulSet", create=True),
    spec("spec/template/metadata/annotations", "Job", group="batch", create=True),
    spec("spec/jobTemplate/metadata/annotations", "CronJob", group="batch", create=True),
    spec("spec/jobTemplate/spec/template/metadata/annotations", "CronJob", group="batch", create=True),
]

REPLICAS: list[FieldSpec] = [
    spec("spec/replicas", k, create=True)
    for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
]

# Namespace fields besides metadata/namespace (which is handled for every namespaced kind).
NAMESPACE_EXTRA: list[FieldSpec] = [
    spec("metadata/name", "Namespace", create=True),
    spec("spec/service/namespace", "APIService", group="apiregistration.k8s.io", create=True),
    spec(
        "spec/conversion/webhook/clientConfig/service/namespace",
        "CustomResourceDefinition",
        group="apiextensions.k8s.io",
    ),
]


_WORKLOADS = ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job"]

_CM_LEAFS = [
    "volumes/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
    "volumes/projected/sources/configMap/name",
]
_SECRET_LEAFS = [
    "volumes/secret/secretName",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
]


def _all_pod_specs(leafs: list[str]) -> list[FieldSpec]:
    out = [spec(f"spec/{leaf}", "Pod", version="v1") for leaf in leafs]
    out += [spec(f"template/spec/{leaf}", "PodTemplate") for leaf in leafs]
    out += [spec(f"spec/template/spec/{leaf}", kind) for kind in _WORKLOADS for leaf in leafs]
    out += [spec(f"spec/jobTemplate/spec/template/spec/{leaf}", "CronJob") for leaf in leafs]
    return out


def _sa_like(leaf: str, kinds: list[str]) -> list[FieldSpec]:
    out = [spec(f"spec/{leaf}", "Pod")]
    for kind in kinds:
        if kind == "CronJob":
            out.append(spec(f"spec/jobTemplate/spec/template/spec/{leaf}", kind))
        else:
            out.append(spec(f"spec/template/spec/{leaf}", kind))
    return out


_SA_KINDS = ["StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet"]

@lru_cache(maxsize=1)
def name_references() -> list[tuple[Gvk, list[FieldSpec]]]:
    """(referral target, where referrers hold its name), in the order of kustomize's table.
    Built on first use: only the top kustomization's last step needs it."""
    return [
        *[
            (Gvk("", "", k), [spec("spec/scaleTargetRef/name", "HorizontalPodAutoscaler")])
            for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
        ],
        (
            Gvk("", "v1", "ConfigMap"),
            [
                *_all_pod_specs(_CM_LEAFS),
                spec("spec/configSource/configMap", "Node"),
                spec("rules/resourceNames", "Role"),
                spec("rules/resourceNames", "ClusterRole"),
                spec("metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", "Ingress"),
            ],
        ),
        (
            Gvk("", "v1", "Secret"),
            [
                *_all_pod_specs(_SECRET_LEAFS),
                spec("spec/tls/secretName", "Ingress"),
                spec("metadata/annotations/ingress.kubernetes.io\\/auth-secret", "Ingress"),
                spec("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret", "Ingress"),
                spec("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret", "Ingress"),
                spec("imagePullSecrets/name", "ServiceAccount"),
                spec("parameters/secretName", "StorageClass"),
                spec("parameters/adminSecretName", "StorageClass"),
                spec("parameters/userSecretName", "StorageClass"),
                spec("parameters/secretRef", "StorageClass"),
                spec("rules/resourceNames", "Role"),
                spec("rules/resourceNames", "ClusterRole"),
                spec(
                    "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
                    "Service",
                    group="serving.knative.dev",
                    version="v1",
                ),
                spec("spec/azureFile/secretName", "PersistentVolume"),
            ],
        ),
        (
            Gvk("", "v1", "Service"),
            [
                spec("spec/serviceName", "StatefulSet", group="apps"),
                spec("spec/rules/http/paths/backend/serviceName", "Ingress"),
                spec("spec/backend/serviceName", "Ingress"),
                spec("spec/rules/http/paths/backend/service/name", "Ingress"),
                spec("spec/defaultBackend/service/name", "Ingress"),
                spec("spec/service/name", "APIService", group="apiregistration.k8s.io"),
                spec(
                    "webhooks/clientConfig/service",
                    "ValidatingWebhookConfiguration",
                    group="admissionregistration.k8s.io",
                ),
                spec(
                    "webhooks/clientConfig/service",
                    "MutatingWebhookConfiguration",
                    group="admissionregistration.k8s.io",
                ),
                spec("spec/rules/backendRefs/name", "HTTPRoute"),
            ],
        ),
        (
            Gvk("rbac.authorization.k8s.io", "", "Role"),
            [spec("roleRef/name", "RoleBinding", group="rbac.authorization.k8s.io")],
        ),
        (
            Gvk("rbac.authorization.k8s.io", "", "ClusterRole"),
            [
                spec("roleRef/name", "RoleBinding", group="rbac.authorization.k8s.io"),
                spec("roleRef/name", "ClusterRoleBinding", group="rbac.authorization.k8s.io"),
            ],
        ),
        (
            Gvk("", "v1", "ServiceAccount"),
            [
                spec("subjects", "RoleBinding", group="rbac.authorization.k8s.io"),
                spec("subjects", "ClusterRoleBinding", group="rbac.authorization.k8s.io"),
                *_sa_like("serviceAccountName", _SA_KINDS),
            ],
        ),
        (
            Gvk("", "v1", "PersistentVolumeClaim"),
            _sa_like("volumes/persistentVolumeClaim/claimName", _SA_KINDS),
        ),
        (
            Gvk("", "v1", "PersistentVolume"),
            [spec("spec/volumeName", "PersistentVolumeClaim"), spec("rules/resourceNames", "ClusterRole")],
        ),
        (
            Gvk("storage.k8s.io", "v1", "StorageClass"),
            [
                spec("spec/storageClassName", "PersistentVolume"),
                spec("spec/storageClassName", "PersistentVolumeClaim"),
                spec("spec/volumeClaimTemplates/spec/storageClassName", "StatefulSet"),
            ],
        ),
        (
            Gvk("scheduling.k8s.io", "v1", "PriorityClass"),
            _sa_like("priorityClassName", _SA_KINDS),
        ),
        (
            Gvk("networking.k8s.io/v1", "v1", "IngressClass"),
            [spec("spec/ingressClassName", "Ingress")],
        ),
    ]
