"""ROS7xx: Argo CD sync order. Config before its readers, databases before migrations, migrations
before the apps that use the same database.

Argo CD applies PreSync hooks, then the Sync phase (plain resources and Sync hooks), then PostSync; within
a phase it goes wave by wave (`argocd.argoproj.io/sync-wave`, default 0) and waits for each wave to be
healthy before the next. Inside one wave kinds are ordered (ConfigMap and Secret before workloads), but a
SealedSecret only becomes a Secret once the controller unseals it, so it needs an earlier wave.
"""

from __future__ import annotations

import re
from typing import Any

from rosgit.catalog.traffic import required_flows
from rosgit.findings import Finding
from rosgit.lint.context import LintContext
from rosgit.lint.objects import (
    Obj,
    PodTemplate,
    annotations_of,
    by_kind,
    map_selector_matches,
    name_of,
    namespace_of,
    pod_templates,
    ref,
)
from rosgit.lint.references import pod_references, sealed_secret_target

SYNC_WAVE = "argocd.argoproj.io/sync-wave"
HOOK = "argocd.argoproj.io/hook"
PHASES = {"PreSync": 0, "Sync": 1, "PostSync": 2}
_TOKEN = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")

SyncKey = tuple[int, int]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def sync_key(obj: Obj) -> SyncKey | None:
    """(phase, wave) in Argo CD's apply order, or None for Skip/SyncFail hooks or unparsable annotations."""
    notes = annotations_of(obj)
    phase = 1
    if HOOK in notes:
        hooks = [h.strip() for h in notes[HOOK].split(",")]
        known = [PHASES[h] for h in hooks if h in PHASES]
        if not known:
            return None
        phase = min(known)
    try:
        wave = int(notes.get(SYNC_WAVE, "0").strip())
    except ValueError:
        return None
    return (phase, wave)


def describe(key: SyncKey) -> str:
    phase = {v: k for k, v in PHASES.items()}[key[0]]
    return f"{phase} wave {key[1]}"


def check_annotations(objects: list[Obj], context: LintContext) -> list[Finding]:
    """ROS704: sync-wave must be an integer and hook a phase Argo CD knows."""
    findings: list[Finding] = []
    for obj in objects:
        notes = annotations_of(obj)
        if SYNC_WAVE in notes and not re.fullmatch(r"\s*-?\d+\s*", notes[SYNC_WAVE]):
            findings.append(
                context.finding(
                    "ROS704", "error", ref(obj), f"sync-wave {notes[SYNC_WAVE]!r} is not an integer",
                    "use a whole number such as \"-10\"",
                )
            )
        if HOOK in notes:
            unknown = [
                h for h in (x.strip() for x in notes[HOOK].split(","))
                if h not in (*PHASES, "Skip", "SyncFail", "PreDelete", "PostDelete")
            ]
            if unknown:
                findings.append(
                    context.finding(
                        "ROS704", "error", ref(obj), f"unknown Argo CD hook {', '.join(unknown)}",
                        "use PreSync, Sync, PostSync, SyncFail or Skip",
                    )
                )
    return findings


def check_config_order(objects: list[Obj], context: LintContext) -> list[Finding]:
    """ROS701: the ConfigMaps, Secrets and SealedSecrets a pod reads sync before it."""
    providers: dict[tuple[str, str, str], Obj] = {}
    for obj in objects:
        kind = obj.get("kind")
        if kind in ("ConfigMap", "Secret"):
            providers[(str(kind), namespace_of(obj), name_of(obj))] = obj
        elif kind == "SealedSecret":
            namespace, name, _ = sealed_secret_target(obj, context)
            providers[("Secret", namespace, name)] = obj
    findings: list[Finding] = []
    for template in pod_templates(objects):
        reader = sync_key(template.owner)
        if reader is None:
            continue
        seen: set[str] = set()
        for reference in pod_references(template):
            provider = providers.get((reference.kind, template.namespace, reference.name))
            if provider is None or ref(provider) in seen:
                continue
            seen.add(ref(provider))
            key = sync_key(provider)
            if key is None:
                continue
            late = key >= reader if provider.get("kind") == "SealedSecret" else key > reader
            if late:
                findings.append(
                    context.finding(
                        "ROS701", "error", template.ref,
                        f"syncs in {describe(reader)} but reads {ref(provider)}, which syncs in {describe(key)}",
                        "give config and secrets an earlier sync-wave than the workloads reading them",
                    )
                )
    return findings


def _service_backends(objects: list[Obj], templates: list[PodTemplate]) -> dict[str, set[str]]:
    """Service name -> workloads behind it."""
    found: dict[str, set[str]] = {}
    for service in by_kind(objects, "Service"):
        selector = _dict(_dict(service.get("spec")).get("selector"))
        if selector:
            found[name_of(service)] = {t.workload for t in templates if map_selector_matches(selector, t.labels)}
    return found


def matrix_uses(context: LintContext) -> dict[str, set[str]]:
    """workload -> workloads it connects to according to the catalog's traffic matrix."""
    found: dict[str, set[str]] = {}
    if context.catalog is not None and context.platform:
        for flow in required_flows(context.catalog, context.platform):
            found.setdefault(flow.source, set()).add(flow.destination)
    return found


def env_uses(objects: list[Obj]) -> dict[str, set[str]]:
    """workload -> workloads whose Service name appears in its env values (DB_HOST=ros-db, jdbc URLs)."""
    templates = pod_templates(objects)
    backends = _service_backends(objects, templates)
    found: dict[str, set[str]] = {t.workload: set() for t in templates}
    for template in templates:
        for container in template.containers():
            for env in container.get("env") or []:
                value = env.get("value") if isinstance(env, dict) else None
                if not isinstance(value, str):
                    continue
                for match in _TOKEN.finditer(value):
                    for backend in backends.get(match.group(0), ()):
                        if backend != template.workload:
                            found[template.workload].add(backend)
    return found


def check_migration_order(objects: list[Obj], context: LintContext) -> list[Finding]:
    """ROS702: a database syncs before its migration; ROS703: the migration before the database's users."""
    if context.catalog is None:
        return []
    phase: dict[str, str] = {c.name: c.phase for c in context.catalog.components}
    templates = {t.workload: t for t in pod_templates(objects)}
    matrix, from_env = matrix_uses(context), env_uses(objects)
    # Env values name every backend a shared template mentions (Kafka, Redis); the matrix says which
    # database a migration actually connects to, so it wins when it lists any.
    graph = {w: matrix.get(w, set()) | from_env.get(w, set()) for w in {*matrix, *from_env}}
    findings: list[Finding] = []
    for name, migration in sorted(templates.items()):
        if phase.get(name) != "migration":
            continue
        migration_key = sync_key(migration.owner)
        if migration_key is None:
            continue
        targets = matrix.get(name) or from_env.get(name, set())
        databases = {d for d in targets if phase.get(d) == "data" and d in templates}
        for database in sorted(databases):
            db_key = sync_key(templates[database].owner)
            if db_key is not None and db_key >= migration_key:
                findings.append(
                    context.finding(
                        "ROS702", "error", migration.ref,
                        f"migration syncs in {describe(migration_key)}, not after its database "
                        f"{templates[database].ref} ({describe(db_key)})",
                        "put the database in an earlier sync-wave than the migration",
                    )
                )
        for user, targets in sorted(graph.items()):
            if user == name or user not in templates or phase.get(user) in ("data", "setup", "migration"):
                continue
            shared = sorted(targets & databases)
            user_key = sync_key(templates[user].owner)
            if shared and user_key is not None and user_key <= migration_key:
                findings.append(
                    context.finding(
                        "ROS703", "error", templates[user].ref,
                        f"syncs in {describe(user_key)}, not after migration {migration.ref} "
                        f"({describe(migration_key)}) of the database it uses ({', '.join(shared)})",
                        "put apps in a later sync-wave than the migration of their database",
                    )
                )
    return findings
