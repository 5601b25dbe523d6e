"""One resource in flight: its object plus the identity history kustomize tracks for name references."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

Obj = dict[str, Any]

# Kinds the builtin Kubernetes schema marks cluster-scoped, keyed by (group, kind).
# Unknown kinds (custom resources) count as namespaced, as in kustomize.
_CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("", "ComponentStatus"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("node.k8s.io", "RuntimeClass"),
        ("policy", "PodSecurityPolicy"),
        ("extensions", "PodSecurityPolicy"),
        ("networking.k8s.io", "IngressClass"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        ("authentication.k8s.io", "TokenReview"),
        ("authorization.k8s.io", "SelfSubjectAccessReview"),
        ("authorization.k8s.io", "SelfSubjectRulesReview"),
        ("authorization.k8s.io", "SubjectAccessReview"),
    }
)


@lru_cache(maxsize=1024)
def _cluster_scoped(group: str, kind: str) -> bool:
    return (group, kind) in _CLUSTER_SCOPED


def split_api_version(api_version: str) -> tuple[str, str]:
    """(group, version); the core group is ''."""
    if "/" in api_version:
        group, _, version = api_version.partition("/")
        return group, version
    return "", api_version


class Gvk(NamedTuple):
    group: str
    version: str
    kind: str

    def is_cluster_scoped(self) -> bool:
        return _cluster_scoped(self.group, self.kind)

    def is_selected_by(self, selector: Gvk) -> bool:
        """Empty fields of the selector match anything."""
        return (
            (not selector.group or selector.group == self.group)
            and (not selector.version or selector.version == self.version)
            and (not selector.kind or selector.kind == self.kind)
        )

    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


class ResId(NamedTuple):
    gvk: Gvk
    name: str
    namespace: str

    def ns_equals(self, other: ResId) -> bool:
        """kustomize treats '' and 'default' as the same namespace; cluster-scoped ids ignore it."""
        return _effective_ns(self) == _effective_ns(other)

    def describe(self) -> str:
        """Kustomize's ResId.String(): [noGrp/]Kind.version.[group]/name.[ns]."""
        ns = self.namespace or "[noNs]"
        group = self.gvk.group or "[noGrp]"
        return f"{self.gvk.kind}.{self.gvk.version}.{group}/{self.name}.{ns}"


def _effective_ns(rid: ResId) -> str:
    if rid.gvk.is_cluster_scoped():
        return ""
    return rid.namespace or "default"


@lru_cache(maxsize=1024)
def _gvk(api_version: str, kind: str) -> Gvk:
    group, version = split_api_version(api_version)
    return Gvk(group, version, kind)


def gvk_of(obj: Obj) -> Gvk:
    api_version = obj.get("apiVersion")
    kind = obj.get("kind")
    return _gvk(api_version if isinstance(api_version, str) else str(api_version or ""),
                kind if isinstance(kind, str) else str(kind or ""))


def meta(obj: Obj) -> Obj:
    m = obj.get("metadata")
    if not isinstance(m, dict):
        m = {}
        obj["metadata"] = m
    return m


class Resource:
    """An object being built, plus what kustomize tracks about it besides its content."""

    __slots__ = ("behavior", "needs_hash", "obj", "prefixes", "prev_ids", "suffixes")

    def __init__(
        self,
        obj: Obj,
        prev_ids: list[ResId] | None = None,
        prefixes: list[str] | None = None,
        suffixes: list[str] | None = None,
        needs_hash: bool = False,
        behavior: str = "",
    ) -> None:
        self.obj = obj
        # Identities this resource had before each rename (oldest first); resolve references.
        self.prev_ids: list[ResId] = prev_ids if prev_ids is not None else []
        # Prefixes/suffixes applied so far, innermost first; let references prefer one base.
        self.prefixes: list[str] = prefixes if prefixes is not None else []
        self.suffixes: list[str] = suffixes if suffixes is not None else []
        # Set by generators: add the content hash to the name at the root.
        self.needs_hash = needs_hash
        # Generator behavior (create/merge/replace) for merging across kustomizations.
        self.behavior = behavior

    @property
    def gvk(self) -> Gvk:
        return gvk_of(self.obj)

    @property
    def name(self) -> str:
        return str(meta(self.obj).get("name") or "")

    @property
    def namespace(self) -> str:
        return str(meta(self.obj).get("namespace") or "")

    def cur_id(self) -> ResId:
        return ResId(self.gvk, self.name, self.namespace)

    def org_id(self) -> ResId:
        return self.prev_ids[0] if self.prev_ids else self.cur_id()

    def all_ids(self) -> list[ResId]:
        return [*self.prev_ids, self.cur_id()]

    def store_previous_id(self) -> None:
        self.prev_ids.append(self.cur_id())

    def set_name(self, name: str) -> None:
        meta(self.obj)["name"] = name
