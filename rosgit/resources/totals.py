"""Pods, CPU, memory and storage of one workload, and the sums a report is made of."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rosgit.errors import UsageError
from rosgit.k8s.podspec import pod_template_of
from rosgit.quantity import bytes_of, millicores

GROUP_LABEL = "rosgit.io/group"
NAME_LABEL = "app.kubernetes.io/name"
GROUP_ORDER = ("ros", "infrastructure", "koku", "trino")


@dataclass
class Totals:
    pods: int = 0
    cpu_requests_m: int = 0
    cpu_limits_m: int = 0
    memory_requests_bytes: int = 0
    memory_limits_bytes: int = 0
    storage_bytes: int = 0

    def add(self, other: Totals) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass(frozen=True)
class Workload:
    """What one running workload (or a standalone claim, by the workload it is labelled with) adds."""

    name: str
    group: str
    totals: Totals


@dataclass
class Report:
    """Running pods per group, and per workload for the plan's rows; Jobs and CronJobs are counted apart."""

    groups: dict[str, Totals] = field(default_factory=dict)
    jobs: dict[str, Totals] = field(default_factory=dict)
    workloads: list[Workload] = field(default_factory=list)

    @property
    def total(self) -> Totals:
        return sum_of(self.groups.values())


def sum_of(items: Any) -> Totals:
    total = Totals()
    for totals in items:
        total.add(totals)
    return total


def dig(obj: Any, *path: str) -> dict[str, Any]:
    node: Any = obj
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _list(value: Any) -> list[dict[str, Any]]:
    """The mappings of a list field; anything else (null, a string) holds none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _amount(resources: Any, kind: str, resource: str) -> int:
    value = dig(resources, kind).get(resource)
    if value is None:
        return 0
    return millicores(value) if resource == "cpu" else bytes_of(value)


def pod_amount(pod_spec: dict[str, Any], kind: str, resource: str) -> int:
    """Effective pod request/limit as the scheduler sees it: max(sum of containers, largest init container)."""
    main = sum(_amount(c.get("resources"), kind, resource) for c in _list(pod_spec.get("containers")))
    init = max((_amount(c.get("resources"), kind, resource) for c in _list(pod_spec.get("initContainers"))), default=0)
    return max(main, init)


def _pods(pod_spec: dict[str, Any], replicas: int, storage: int) -> Totals:
    return Totals(
        pods=replicas,
        cpu_requests_m=pod_amount(pod_spec, "requests", "cpu") * replicas,
        cpu_limits_m=pod_amount(pod_spec, "limits", "cpu") * replicas,
        memory_requests_bytes=pod_amount(pod_spec, "requests", "memory") * replicas,
        memory_limits_bytes=pod_amount(pod_spec, "limits", "memory") * replicas,
        storage_bytes=storage,
    )


def pods_of(containers: list[Any], replicas: int, storage: int = 0) -> Totals:
    """`replicas` pods whose containers' `resources` are `containers`; `storage` is already all replicas'."""
    return _pods({"containers": [{"resources": resources} for resources in containers]}, replicas, storage)


def workload_totals(obj: dict[str, Any]) -> Totals:
    kind = obj.get("kind", "")
    template = pod_template_of(obj)
    if template is None or not isinstance(obj.get("spec"), dict):
        # the API server would refuse it too: every workload needs a spec with its pod template
        raise UsageError("spec is missing or null: no pod template to size")
    spec = dig(obj, "spec")
    replicas = 1 if kind in ("Job", "CronJob") else spec.get("replicas", 1)
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        raise UsageError(f"spec.replicas {replicas!r} is not an integer")  # the caller names the object
    storage = 0
    for claim in _list(spec.get("volumeClaimTemplates")):
        requested = dig(claim, "spec", "resources", "requests").get("storage")
        if requested is not None:
            storage += bytes_of(requested) * replicas
    return _pods(template.spec, replicas, storage)


def labels_of(obj: dict[str, Any]) -> dict[str, Any]:
    return dig(obj, "metadata", "labels")


def group_of(obj: dict[str, Any]) -> str:
    return str(labels_of(obj).get(GROUP_LABEL, "other"))
