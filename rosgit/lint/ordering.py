"""Argo CD sync order, as rosgit.k8s.syncorder models it (read its docstring for what Argo CD
guarantees): config before its readers, databases before their users, migrations before the other users
of their database, and annotations Argo CD can read.

These rules own every sync-order finding of an overlay in `rosgit check`; the Argo CD stage reports only
the objects under argocd/, which no overlay contains.
"""

from __future__ import annotations

from rosgit import ids
from rosgit.findings import Finding, RuleId
from rosgit.k8s.syncorder import Rule, Violation, sync_violations, uses
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj, ref
from rosgit.lint.shared import per_overlay

IDS: dict[Rule, RuleId] = {
    "config": ids.ROS701, "database": ids.ROS702, "migration": ids.ROS703, "annotation": ids.ROS704
}
HINTS: dict[Rule, str] = {
    "config": "give config and secrets an earlier sync-wave than the workloads reading them",
    "database": "put the database in an earlier sync-wave than the workloads using it",
    "migration": "put apps in a later sync-wave than the migration of their database",
}
WAVE_HINT = 'use a whole number such as "-10"'
HOOK_HINT = "use PreSync, Sync, PostSync, SyncFail or Skip"


def matrix_uses(context: LintContext) -> dict[str, set[str]]:
    """workload -> workloads it connects to according to the catalog's traffic matrix."""
    found: dict[str, set[str]] = {}
    if context.catalog is not None and context.platform:
        flows = context.required_flows()
        for flow in flows:
            found.setdefault(flow.source, set()).add(flow.destination)
    return found


@per_overlay
def overlay_uses(objects: list[Obj], context: LintContext) -> dict[str, set[str]]:
    """workload -> the workloads it connects to: named in its env and command, or by the traffic matrix."""
    return uses(objects, matrix_uses(context))


@per_overlay
def _violations(objects: list[Obj], context: LintContext) -> list[Violation]:
    # three rules report the sync order's violations, each its own kinds: one evaluation per overlay
    return sync_violations(objects, matrix_uses(context))


def _hint(violation: Violation) -> str:
    if violation.rule == "annotation":
        return WAVE_HINT if violation.message.startswith("sync-wave") else HOOK_HINT
    return HINTS[violation.rule]


def _findings(objects: list[Obj], context: LintContext, *rules: Rule) -> list[Finding]:
    return [
        context.finding(IDS[v.rule], "error", ref(v.subject), v.message, _hint(v))
        for v in _violations(objects, context)
        if v.rule in rules
    ]


def check_annotations(objects: list[Obj], context: LintContext) -> list[Finding]:
    """Sync-wave must be an integer and hook a phase Argo CD knows."""
    return _findings(objects, context, "annotation")


def check_config_order(objects: list[Obj], context: LintContext) -> list[Finding]:
    """The ConfigMaps, Secrets, claims and SealedSecrets a pod reads sync before it."""
    return _findings(objects, context, "config")


def check_migration_order(objects: list[Obj], context: LintContext) -> list[Finding]:
    """A database syncs before its users (migrations included), and a migration before the other users of
    its database."""
    return _findings(objects, context, "database", "migration")
