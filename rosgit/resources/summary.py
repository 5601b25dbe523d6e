"""Pods, CPU, memory and storage per workload and per component group, computed from built objects.

Pods are those that run all the time: Deployments, StatefulSets, and the pods the Strimzi operator makes from
its custom resources (rosgit.resources.strimzi). Jobs and CronJobs run on demand and are counted apart.
"""

from __future__ import annotations

from typing import Any

from rosgit.errors import UsageError
from rosgit.quantity import bytes_of
from rosgit.resources.strimzi import strimzi_workloads
from rosgit.resources.totals import (
    GROUP_ORDER,
    NAME_LABEL,
    Report,
    Totals,
    Workload,
    dig,
    group_of,
    labels_of,
    workload_totals,
)


def summarize(objects: list[dict[str, Any]]) -> Report:
    report = Report()
    for obj in objects:
        kind = obj.get("kind")
        name = str(dig(obj, "metadata").get("name", "?"))
        try:
            if kind in ("Deployment", "StatefulSet"):
                report.workloads.append(Workload(name, group_of(obj), workload_totals(obj)))
            elif kind in ("Job", "CronJob"):
                report.jobs[f"{kind}/{name}"] = workload_totals(obj)
            elif kind == "PersistentVolumeClaim":
                requested = dig(obj, "spec", "resources", "requests").get("storage")
                if requested is not None:
                    owner = str(labels_of(obj).get(NAME_LABEL, name))
                    report.workloads.append(Workload(owner, group_of(obj), Totals(storage_bytes=bytes_of(requested))))
            else:
                report.workloads.extend(strimzi_workloads(obj))
        except UsageError as err:
            raise UsageError(f"{kind}/{name}: {err.message}") from None
    for workload in report.workloads:
        report.groups.setdefault(workload.group, Totals()).add(workload.totals)
    ordered = {g: report.groups[g] for g in GROUP_ORDER if g in report.groups}
    ordered.update({g: t for g, t in sorted(report.groups.items()) if g not in ordered})
    report.groups = ordered
    return report
