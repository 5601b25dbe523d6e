"""Replica counts that break the application: two Celery beats, undrainable disruption budgets."""

from __future__ import annotations

from rosgit import ids
from rosgit.findings import Finding
from rosgit.k8s.meta import as_map
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj, by_kind, name_of, namespace_of, pod_templates, ref, selector_matches


def singleton_names(context: LintContext) -> set[str]:
    if context.catalog is None:
        return set()
    return {c.name for c in context.catalog.components if c.singleton}


def check_singletons(objects: list[Obj], context: LintContext) -> list[Finding]:
    """A singleton runs exactly one replica and is not autoscaled, nor rolled with surge."""
    singletons = singleton_names(context)
    findings: list[Finding] = []
    targets: dict[tuple[str, str, str], str] = {}
    for template in pod_templates(objects):
        if template.workload not in singletons:
            continue
        targets[(template.kind, template.namespace, template.name)] = template.ref
        if template.replicas is not None and template.replicas != 1:
            findings.append(
                context.finding(
                    ids.ROS801,
                    "error",
                    template.ref,
                    f"singleton runs {template.replicas} replicas; every periodic task would run "
                    f"{template.replicas} times",
                    "keep replicas at 1 (remove it from the profile's `replicas:`)",
                )
            )
        strategy = as_map(as_map(template.owner.get("spec")).get("strategy"))
        if template.kind == "Deployment" and strategy.get("type", "RollingUpdate") == "RollingUpdate":
            findings.append(
                context.finding(
                    ids.ROS802,
                    "warning",
                    template.ref,
                    "singleton Deployment uses RollingUpdate, so two replicas overlap during a rollout",
                    "use strategy: {type: Recreate}",
                )
            )
    for hpa in by_kind(objects, "HorizontalPodAutoscaler"):
        target = as_map(as_map(hpa.get("spec")).get("scaleTargetRef"))
        key = (str(target.get("kind")), namespace_of(hpa), str(target.get("name")))
        if key in targets and as_map(hpa.get("spec")).get("maxReplicas", 1) != 1:
            findings.append(
                context.finding(
                    ids.ROS801, "error", ref(hpa), f"autoscales singleton {targets[key]} beyond one replica",
                    "remove the autoscaler",
                )
            )
    return findings


def check_disruption_budgets(objects: list[Obj], context: LintContext) -> list[Finding]:
    """A PodDisruptionBudget that can never allow an eviction blocks every node drain."""
    findings: list[Finding] = []
    templates = pod_templates(objects)
    for pdb in by_kind(objects, "PodDisruptionBudget"):
        spec = as_map(pdb.get("spec"))
        selector = as_map(spec.get("selector"))
        pods = [
            t for t in templates
            if t.namespace == namespace_of(pdb) and t.replicas is not None and selector_matches(selector, t.labels)
        ]
        if not pods:
            findings.append(
                context.finding(
                    ids.ROS803, "warning", ref(pdb), "selects no Deployment or StatefulSet pods",
                    "fix the selector or remove the budget",
                )
            )
            continue
        replicas = sum(t.replicas or 0 for t in pods)
        min_available = spec.get("minAvailable")
        blocked = spec.get("maxUnavailable") in (0, "0", "0%") or (
            isinstance(min_available, int) and min_available >= replicas
        ) or min_available == "100%"
        if blocked:
            findings.append(
                context.finding(
                    ids.ROS803,
                    "error",
                    ref(pdb),
                    f"allows no voluntary eviction of {', '.join(name_of(t.owner) for t in pods)} "
                    f"({replicas} replica(s)); node drains would hang",
                    "use maxUnavailable: 1, or run more replicas than minAvailable",
                )
            )
    return findings
