"""The order Argo CD syncs objects in, and the ordering defects of a set of objects: the one model the lint
rules and the Argo CD stage report from.

What Argo CD does (gitops-engine's sync tasks, docs `sync-waves.md`):

- It sorts by phase (PreSync, Sync, PostSync; plain resources are Sync), then sync wave
  (`argocd.argoproj.io/sync-wave`, an integer as Go's `strconv.Atoi` reads it, default 0), then kind
  (`KIND_ORDER`: Namespaces, Secrets, ConfigMaps and claims before workloads), then name.
- It applies one (phase, wave) at a time and starts the next only once everything applied so far is
  healthy (hook Jobs: completed). That wait is the only *readiness* guarantee; the kind order inside a
  wave only guarantees that an object is *applied* before the later kinds of the same wave.
- A hook of type Skip is never applied; SyncFail, PreDelete and PostDelete hooks run outside a normal sync;
  a hook annotation naming no phase Argo CD knows makes the object a hook that never runs. None of them has
  a place in the order. A sync-wave `strconv.Atoi` cannot read makes Argo CD fall back to wave 0 silently,
  so such an object has no trustworthy place either: it is reported once, as an annotation defect, and left
  out of the other checks rather than judged at a wave it does not ask for.

Hence the rules:

- config: a ConfigMap, Secret or claim a pod reads must be *applied* before the pod's workload; the same
  wave is enough, since the kind order applies it first. A SealedSecret's Secret only exists once the
  controller unseals it, which Argo CD waits for only at a wave boundary, so it needs an earlier (phase, wave).
- database: a *database* is a pod-bearing workload labelled `app.kubernetes.io/component: database` (the
  catalog role the generator writes there). A workload that uses one must sync in a later (phase, wave):
  being applied first does not make a database accept connections.
- migration: a *migration* is a Job that uses a database. Every other workload using that database (not a
  database itself, not a migration) must sync in a later (phase, wave) than the migration.

A workload *uses* another when a Service selecting the other's pods is named, as a DNS label, in the
first one's env values, command or args, or when the caller's `connections` (the catalog's traffic
matrix) says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Literal

from rosgit.k8s.argo import HOOK, PHASES, SYNC_WAVE
from rosgit.k8s.labels import COMPONENT
from rosgit.k8s.meta import (
    annotations_of,
    as_map,
    labels_of,
    name_of,
    namespace_of,
    ref,
    sealed_secret_target,
)
from rosgit.k8s.objects import Obj
from rosgit.k8s.podspec import PodTemplate, map_selector_matches, pod_references, pod_templates

Rule = Literal["annotation", "config", "database", "migration"]

DATABASE_ROLE = "database"
# Hook types that keep an object out of a normal sync's order.
OFF_SYNC_HOOKS = ("Skip", "SyncFail", "PreDelete", "PostDelete")
# gitops-engine's kind order inside one wave (unknown kinds last)
KIND_ORDER = (
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
)
CONFIG_KINDS = ("ConfigMap", "Secret", "PersistentVolumeClaim")
_ATOI = re.compile(r"[+-]?[0-9]+")
_DNS_LABEL = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?")


@dataclass(frozen=True, order=True)
class Position:
    """Where Argo CD puts an object in a sync; positions compare in apply order."""

    phase: int
    wave: int
    kind_rank: int
    name: str

    @property
    def barrier(self) -> tuple[int, int]:
        """What Argo CD waits on: everything with a smaller barrier is healthy before this is applied."""
        return (self.phase, self.wave)

    def describe(self) -> str:
        phase = next(name for name, rank in PHASES.items() if rank == self.phase)
        return f"{phase} wave {self.wave}"


def _hooks(notes: Mapping[str, str]) -> list[str] | None:
    return [h.strip() for h in notes[HOOK].split(",")] if HOOK in notes else None


def annotation_problems(obj: Obj) -> list[str]:
    """Why Argo CD would not read the object's sync-wave or hook annotation as written."""
    notes = annotations_of(obj)
    problems: list[str] = []
    if SYNC_WAVE in notes and not _ATOI.fullmatch(notes[SYNC_WAVE]):
        problems.append(f"sync-wave {notes[SYNC_WAVE]!r} is not an integer")
    unknown = [h for h in _hooks(notes) or [] if h not in (*PHASES, *OFF_SYNC_HOOKS)]
    if unknown:
        problems.append(f"unknown Argo CD hook {', '.join(unknown)}")
    return problems


def position_of(obj: Obj) -> Position | None:
    """The object's place in a sync, or None when it has none (off-sync hooks) or none to trust (see above)."""
    notes = annotations_of(obj)
    phase = PHASES["Sync"]
    hooks = _hooks(notes)
    if hooks is not None:
        known = [PHASES[h] for h in hooks if h in PHASES]
        if not known or "Skip" in hooks:
            return None
        phase = min(known)
    wave = notes.get(SYNC_WAVE, "0")
    if not _ATOI.fullmatch(wave):
        return None
    kind = str(obj.get("kind", ""))
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    return Position(phase, int(wave), rank, name_of(obj))


def is_database(template: PodTemplate) -> bool:
    return DATABASE_ROLE in (labels_of(template.owner).get(COMPONENT), template.labels.get(COMPONENT))


def uses(objects: list[Obj], connections: Mapping[str, Set[str]] | None = None) -> dict[str, set[str]]:
    """workload -> the workloads it connects to: Services named in env values, commands and args (DB_HOST=ros-db,
    jdbc URLs, FQDNs), plus `connections`."""
    templates = pod_templates(objects)
    backends: dict[str, set[str]] = {}
    for service in objects:
        selector = as_map(as_map(service.get("spec")).get("selector"))
        if service.get("kind") == "Service" and selector:
            backends[name_of(service)] = {t.workload for t in templates if map_selector_matches(selector, t.labels)}
    found: dict[str, set[str]] = {t.workload: set() for t in templates}
    for template in templates:
        for container in template.containers():
            texts = [e.get("value") for e in container.get("env") or [] if isinstance(e, dict)]
            texts += [*(container.get("command") or []), *(container.get("args") or [])]
            for text in texts:
                for host in _DNS_LABEL.findall(text) if isinstance(text, str) else ():
                    if host in backends:
                        found[template.workload] |= backends[host] - {template.workload}
    for workload, targets in (connections or {}).items():
        found.setdefault(workload, set()).update(t for t in targets if t != workload)
    return found


@dataclass(frozen=True)
class Violation:
    """One ordering defect: `subject` syncs too early for `needed` (or carries an unreadable annotation)."""

    rule: Rule
    subject: Obj
    message: str
    needed: Obj | None = None


def sync_violations(objects: list[Obj], connections: Mapping[str, Set[str]] | None = None) -> list[Violation]:
    """Every ordering defect of one sync's objects, annotation defects first, then per workload in order."""
    violations = [Violation("annotation", obj, problem) for obj in objects for problem in annotation_problems(obj)]
    templates = pod_templates(objects)
    violations += _config_violations(objects, templates)
    violations += _database_violations(templates, uses(objects, connections))
    return violations


def _config_violations(objects: list[Obj], templates: list[PodTemplate]) -> list[Violation]:
    providers: dict[tuple[str, str, str], Obj] = {}
    for obj in objects:
        kind = str(obj.get("kind"))
        if kind in CONFIG_KINDS:
            providers[(kind, namespace_of(obj), name_of(obj))] = obj
        elif kind == "SealedSecret":
            providers[("Secret", *sealed_secret_target(obj))] = obj
    found: list[Violation] = []
    for template in templates:
        reader = position_of(template.owner)
        if reader is None:
            continue
        seen: set[str] = set()
        for reference in pod_references(template):
            provider = providers.get((reference.kind, template.namespace, reference.name))
            if provider is None or ref(provider) in seen:
                continue
            seen.add(ref(provider))
            made = position_of(provider)
            if made is None:
                continue
            message = f"syncs in {reader.describe()} but reads {ref(provider)}, which syncs in {made.describe()}"
            if provider.get("kind") == "SealedSecret":
                if made.barrier < reader.barrier:
                    continue
                message += "; its Secret exists only once the controller has unsealed it"
            elif made < reader:
                continue
            found.append(Violation("config", template.owner, message, provider))
    return found


def _database_violations(templates: list[PodTemplate], graph: Mapping[str, Set[str]]) -> list[Violation]:
    by_workload = {t.workload: t for t in templates}
    databases = {t.workload for t in templates if is_database(t)}
    migrations = {t.workload for t in templates if t.kind == "Job" and graph.get(t.workload, set()) & databases}
    found: list[Violation] = []
    for template in templates:
        user = position_of(template.owner)
        if user is None:
            continue
        for database in sorted(graph.get(template.workload, set()) & databases):
            made = position_of(by_workload[database].owner)
            if made is not None and not made.barrier < user.barrier:
                found.append(
                    Violation(
                        "database",
                        template.owner,
                        f"syncs in {user.describe()}, not after the database it uses, "
                        f"{by_workload[database].ref} ({made.describe()})",
                        by_workload[database].owner,
                    )
                )
        if template.workload in databases | migrations:
            continue
        for migration in sorted(migrations):
            shared = sorted(graph.get(template.workload, set()) & graph[migration] & databases)
            migrated = position_of(by_workload[migration].owner)
            if shared and migrated is not None and not migrated.barrier < user.barrier:
                found.append(
                    Violation(
                        "migration",
                        template.owner,
                        f"syncs in {user.describe()}, not after migration {by_workload[migration].ref} "
                        f"({migrated.describe()}) of the database it uses ({', '.join(shared)})",
                        by_workload[migration].owner,
                    )
                )
    return found
