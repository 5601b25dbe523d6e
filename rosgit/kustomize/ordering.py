"""kustomize's legacy output order (the default when a kustomization sets no sortOptions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

DEFAULT_ORDER_FIRST: tuple[str, ...] = (
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
)
DEFAULT_ORDER_LAST: tuple[str, ...] = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def _ranks(order_first: Sequence[str], order_last: Sequence[str]) -> dict[str, int]:
    ranks: dict[str, int] = {}
    # Later assignments win, matching how the rank table is filled (first list, then last list).
    for index, kind in enumerate(order_first):
        ranks[kind] = index - len(order_first)
    for index, kind in enumerate(order_last):
        ranks[kind] = index + 1
    return ranks


_DEFAULT_RANKS = _ranks(DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST)


def split_api_version(api_version: str) -> tuple[str, str]:
    """(group, version) of an apiVersion string; the core group is ''."""
    group, sep, version = api_version.rpartition("/")
    if not sep:
        return "", api_version
    return group, version


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class _Descending:
    """Orders strings backwards inside a sort key."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __lt__(self, other: _Descending) -> bool:
        return other.text < self.text

    def __gt__(self, other: _Descending) -> bool:
        return other.text > self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def _sort_key(obj: dict[str, Any], ranks: dict[str, int]) -> tuple[int, int, str | _Descending, str]:
    kind = _text(obj.get("kind"))
    group, version = split_api_version(_text(obj.get("apiVersion")))
    gvk = "_".join((group or "~G", version or "~V", kind or "~K"))
    # kustomize inverts the comparison of two Namespace GVKs when either is in the core group
    # (so a core Namespace precedes a custom kind called "Namespace", #5457); between core
    # Namespaces that inversion also puts higher versions first.
    core_namespace = kind == "Namespace" and not group
    gvk_key: str | _Descending = _Descending(gvk) if core_namespace else gvk
    metadata = obj.get("metadata")
    namespace = name = ""
    if isinstance(metadata, dict):
        namespace = _text(metadata.get("namespace"))
        name = _text(metadata.get("name"))
    # The separator takes part in the comparison, exactly like comparing kustomize's id strings.
    rest = (namespace or "~X") + "|" + (name or "~N")
    return ranks.get(kind, 0), 0 if core_namespace else 1, gvk_key, rest


def legacy_sort(
    objs: Iterable[dict[str, Any]],
    order_first: Sequence[str] | None = None,
    order_last: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The objects in kustomize's legacy order.

    With neither list given, kustomize's default kind lists apply. Once a kustomization sets
    `sortOptions.legacySortOptions`, its lists replace both defaults and a missing list is empty
    (so pass `[]` for it). A kind in both lists is ranked by the last list.
    """
    if order_first is None and order_last is None:
        ranks = _DEFAULT_RANKS
    else:
        ranks = _ranks(order_first or (), order_last or ())
    return sorted(objs, key=lambda obj: _sort_key(obj, ranks))
