"""`rosgit resources`: pods, CPU, memory and storage per component group, computed from built objects."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rosgit.catalog.model import Catalog, PlanTotals
from rosgit.errors import UsageError
from rosgit.k8s.podspec import pod_template_of
from rosgit.quantity import bytes_of, millicores

GROUP_LABEL = "rosgit.io/group"
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


@dataclass
class Report:
    """Running pods (Deployments, StatefulSets) per group; Jobs and CronJobs are counted apart."""

    groups: dict[str, Totals] = field(default_factory=dict)
    jobs: dict[str, Totals] = field(default_factory=dict)

    @property
    def total(self) -> Totals:
        total = Totals()
        for totals in self.groups.values():
            total.add(totals)
        return total


def _dig(obj: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node: Any = obj
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _container_amount(container: dict[str, Any], kind: str, resource: str) -> int:
    value = (container.get("resources") or {}).get(kind, {}).get(resource)
    if value is None:
        return 0
    return millicores(value) if resource == "cpu" else bytes_of(value)


def pod_amount(pod_spec: dict[str, Any], kind: str, resource: str) -> int:
    """Effective pod request/limit as the scheduler sees it: max(sum of containers, largest init container)."""
    main = sum(_container_amount(c, kind, resource) for c in pod_spec.get("containers") or [])
    init = max(
        (_container_amount(c, kind, resource) for c in pod_spec.get("initContainers") or []), default=0
    )
    return max(main, init)


def workload_totals(obj: dict[str, Any]) -> Totals:
    kind = obj.get("kind", "")
    template = pod_template_of(obj)
    pod_spec = template.spec if template is not None else {}
    replicas = 1 if kind in ("Job", "CronJob") else int(obj.get("spec", {}).get("replicas", 1))
    storage = 0
    for claim in obj.get("spec", {}).get("volumeClaimTemplates") or []:
        requested = _dig(claim, ("spec", "resources", "requests")).get("storage")
        if requested is not None:
            storage += bytes_of(requested) * replicas
    return Totals(
        pods=replicas,
        cpu_requests_m=pod_amount(pod_spec, "requests", "cpu") * replicas,
        cpu_limits_m=pod_amount(pod_spec, "limits", "cpu") * replicas,
        memory_requests_bytes=pod_amount(pod_spec, "requests", "memory") * replicas,
        memory_limits_bytes=pod_amount(pod_spec, "limits", "memory") * replicas,
        storage_bytes=storage,
    )


def _group_of(obj: dict[str, Any]) -> str:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return str(labels.get(GROUP_LABEL, "other"))


def summarize(objects: list[dict[str, Any]]) -> Report:
    report = Report()
    for obj in objects:
        kind = obj.get("kind")
        name = (obj.get("metadata") or {}).get("name", "?")
        try:
            if kind in ("Deployment", "StatefulSet"):
                report.groups.setdefault(_group_of(obj), Totals()).add(workload_totals(obj))
            elif kind in ("Job", "CronJob"):
                report.jobs[f"{kind}/{name}"] = workload_totals(obj)
            elif kind == "PersistentVolumeClaim":
                requested = _dig(obj, ("spec", "resources", "requests")).get("storage")
                if requested is not None:
                    report.groups.setdefault(_group_of(obj), Totals()).storage_bytes += bytes_of(requested)
        except UsageError as err:
            raise UsageError(f"{kind}/{name}: {err.message}") from None
    ordered = {g: report.groups[g] for g in GROUP_ORDER if g in report.groups}
    ordered.update({g: t for g, t in sorted(report.groups.items()) if g not in ordered})
    report.groups = ordered
    return report


def _cores(millis: int) -> str:
    return f"{millis / 1000:.2f}"


def _gib(size: int) -> str:
    return f"{size / 2**30:.1f}Gi"


def _row(totals: Totals) -> dict[str, Any]:
    return {
        "pods": totals.pods,
        "cpuRequests": _cores(totals.cpu_requests_m),
        "cpuLimits": _cores(totals.cpu_limits_m),
        "memoryRequests": _gib(totals.memory_requests_bytes),
        "memoryLimits": _gib(totals.memory_limits_bytes),
        "storage": _gib(totals.storage_bytes),
        "cpuRequestsMillicores": totals.cpu_requests_m,
        "cpuLimitsMillicores": totals.cpu_limits_m,
        "memoryRequestsBytes": totals.memory_requests_bytes,
        "memoryLimitsBytes": totals.memory_limits_bytes,
        "storageBytes": totals.storage_bytes,
    }


def plan_for(overlay: Path, catalog: Catalog, root: Path) -> PlanTotals | None:
    """The sizing plan of the catalog profile `overlay` renders, when it is a catalog overlay that has one."""
    resolved = overlay.resolve()
    spec = next((o for o in catalog.overlays if (root / "overlays" / o.name).resolve() == resolved), None)
    profile = catalog.profiles.get(spec.profile) if spec is not None else None
    return profile.plan if profile is not None else None


def plan_totals(plan: PlanTotals) -> Totals:
    return Totals(
        pods=plan.pods,
        cpu_requests_m=millicores(plan.cpu_requests),
        cpu_limits_m=millicores(plan.cpu_limits),
        memory_requests_bytes=bytes_of(plan.memory_requests),
        memory_limits_bytes=bytes_of(plan.memory_limits),
        storage_bytes=bytes_of(plan.storage),
    )


def _difference_cells(report: Report, plan: Totals) -> tuple[str, str, str, str, str, str, str]:
    real = report.total
    return (
        "vs PLAN",
        f"{real.pods - plan.pods:+d}",
        f"{(real.cpu_requests_m - plan.cpu_requests_m) / 1000:+.2f}",
        f"{(real.cpu_limits_m - plan.cpu_limits_m) / 1000:+.2f}",
        f"{(real.memory_requests_bytes - plan.memory_requests_bytes) / 2**30:+.1f}Gi",
        f"{(real.memory_limits_bytes - plan.memory_limits_bytes) / 2**30:+.1f}Gi",
        f"{(real.storage_bytes - plan.storage_bytes) / 2**30:+.1f}Gi",
    )


def render_table(report: Report, output: str, plan: PlanTotals | None = None) -> str:
    """The report as text or JSON; with `plan`, the plan's totals, the difference and the catalog's reasons."""
    if output == "json":
        data: dict[str, Any] = {
            "groups": {group: _row(totals) for group, totals in report.groups.items()},
            "total": _row(report.total),
            "jobs": {name: _row(totals) for name, totals in sorted(report.jobs.items())},
        }
        if plan is not None:
            data["plan"] = {**_row(plan_totals(plan)), "source": plan.source, "differences": list(plan.differences)}
        return json.dumps(data, indent=2)
    if output != "text":
        raise UsageError(f"unknown output format {output!r}; choose text or json")
    planned = plan_totals(plan) if plan is not None else None
    header = ("GROUP", "PODS", "CPU REQ", "CPU LIM", "MEM REQ", "MEM LIM", "STORAGE")
    rows = [header]
    named = [*report.groups.items(), ("TOTAL", report.total)] + ([("PLAN", planned)] if planned else [])
    for group, totals in named:
        row = _row(totals)
        rows.append(
            (
                group,
                str(row["pods"]),
                row["cpuRequests"],
                row["cpuLimits"],
                row["memoryRequests"],
                row["memoryLimits"],
                row["storage"],
            )
        )
    if planned is not None:
        rows.append(_difference_cells(report, planned))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    total_at = len(report.groups) + 1  # the header, then one line per group
    lines.insert(total_at, "-" * len(lines[0]))
    jobs = len(report.jobs)
    lines.append(f"(CPU in cores; {jobs} Job/CronJob workloads run on demand and are not counted as pods)")
    if plan is not None:
        lines.append(f"PLAN: {plan.source}. Where this profile differs from it, and why:")
        lines.extend(f"  - {reason}" for reason in plan.differences)
    return "\n".join(lines)
