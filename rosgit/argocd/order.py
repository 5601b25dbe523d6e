"""The order Argo CD applies a built overlay in, and what each workload needs to exist before it starts.

Argo CD sorts sync tasks by phase (PreSync, Sync, PostSync; plain resources are Sync), then sync wave, then
kind, then name, and only moves to the next wave once everything in the current one is healthy (hook Jobs:
completed). So "A is ready before B starts" holds exactly when (phase, wave) of A is smaller than B's;
the kind order inside a wave gives no such guarantee.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rosgit.generate.waves import HOOK, SYNC_WAVE

Obj = dict[str, Any]
PHASES = {"PreSync": 0, "Sync": 1, "PostSync": 2}
# gitops-engine's kind order inside one wave (unknown kinds last)
KIND_ORDER = [
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
]
POD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod")
DATABASE_ROLE = "database"
COMPONENT_LABEL = "app.kubernetes.io/component"
_TOKEN = re.compile(r"[a-z0-9][-a-z0-9]*")


@dataclass(frozen=True, order=True)
class Step:
    phase: int
    wave: int
    kind_rank: int
    kind: str
    name: str

    @property
    def barrier(self) -> tuple[int, int]:
        """What Argo CD waits on: everything with a smaller barrier is healthy before this starts."""
        return (self.phase, self.wave)

    def describe(self) -> str:
        phase = next(name for name, rank in PHASES.items() if rank == self.phase)
        return f"{self.kind}/{self.name} ({phase} wave {self.wave})"


def _meta(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _annotations(obj: Obj) -> dict[str, str]:
    return {str(k): str(v) for k, v in (_meta(obj).get("annotations") or {}).items()}


def step_of(obj: Obj) -> Step:
    annotations = _annotations(obj)
    hooks = [h.strip() for h in annotations.get(HOOK, "").split(",") if h.strip()]
    phase = min((PHASES[h] for h in hooks if h in PHASES), default=PHASES["Sync"])
    try:
        wave = int(annotations.get(SYNC_WAVE, "0"))
    except ValueError:
        wave = 0
    kind = str(obj.get("kind", ""))
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    return Step(phase, wave, rank, kind, str(_meta(obj).get("name", "")))


def apply_order(objects: list[Obj]) -> list[Step]:
    return sorted(step_of(obj) for obj in objects)


def pod_spec(obj: Obj) -> Obj | None:
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return spec if isinstance(spec, dict) else None
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    if kind in POD_KINDS:
        template = spec.get("template") or {}
        inner = template.get("spec")
        return inner if isinstance(inner, dict) else None
    return None


def _containers(spec: Obj) -> Iterator[Obj]:
    for key in ("initContainers", "containers"):
        for container in spec.get(key) or []:
            if isinstance(container, dict):
                yield container


def referenced_objects(obj: Obj) -> set[tuple[str, str]]:
    """(kind, name) of the Secrets, ConfigMaps and claims a pod-bearing object mounts or reads."""
    spec = pod_spec(obj)
    found: set[tuple[str, str]] = set()
    if spec is None:
        return found
    for container in _containers(spec):
        for env in container.get("env") or []:
            source = (env or {}).get("valueFrom") or {}
            if "secretKeyRef" in source:
                found.add(("Secret", str(source["secretKeyRef"].get("name"))))
            if "configMapKeyRef" in source:
                found.add(("ConfigMap", str(source["configMapKeyRef"].get("name"))))
        for env_from in container.get("envFrom") or []:
            if "secretRef" in env_from:
                found.add(("Secret", str(env_from["secretRef"].get("name"))))
            if "configMapRef" in env_from:
                found.add(("ConfigMap", str(env_from["configMapRef"].get("name"))))
    for volume in spec.get("volumes") or []:
        if "secret" in volume:
            found.add(("Secret", str(volume["secret"].get("secretName"))))
        if "configMap" in volume:
            found.add(("ConfigMap", str(volume["configMap"].get("name"))))
        if "persistentVolumeClaim" in volume:
            found.add(("PersistentVolumeClaim", str(volume["persistentVolumeClaim"].get("claimName"))))
    return found


def referenced_hosts(obj: Obj) -> set[str]:
    """Every DNS-label-like token in env values, commands and args: candidate Service host names."""
    spec = pod_spec(obj)
    tokens: set[str] = set()
    if spec is None:
        return tokens
    for container in _containers(spec):
        texts = [
            str(e.get("value")) for e in container.get("env") or [] if isinstance(e, dict) and "value" in e
        ]
        texts += [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]
        for text in texts:
            tokens.update(_TOKEN.findall(text))
    return tokens


def _selects(selector: dict[str, str], obj: Obj) -> bool:
    spec = pod_spec(obj)
    if spec is None or not selector:
        return False
    kind = obj.get("kind")
    template = (obj.get("spec") or {}).get("template") or {}
    if kind == "CronJob":
        template = ((obj["spec"].get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    return all(labels.get(k) == v for k, v in selector.items())


def service_backends(objects: list[Obj]) -> dict[str, list[Obj]]:
    """Service name -> the workloads its selector picks."""
    workloads = [o for o in objects if pod_spec(o) is not None]
    backends: dict[str, list[Obj]] = {}
    for obj in objects:
        if obj.get("kind") == "Service":
            selector = {str(k): str(v) for k, v in ((obj.get("spec") or {}).get("selector") or {}).items()}
            backends[str(_meta(obj).get("name"))] = [w for w in workloads if _selects(selector, w)]
    return backends


def producers(objects: list[Obj]) -> dict[tuple[str, str], Obj]:
    """(kind, name) a workload can reference -> the object Argo CD applies to make it exist.

    A Secret comes from the SealedSecret whose template names it (the controller creates it).
    """
    found: dict[tuple[str, str], Obj] = {}
    for obj in objects:
        kind, name = str(obj.get("kind")), str(_meta(obj).get("name"))
        if kind == "SealedSecret":
            template = ((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}
            found[("Secret", str(template.get("name") or name))] = obj
        elif kind in ("Secret", "ConfigMap", "PersistentVolumeClaim"):
            found[(kind, name)] = obj
    return found


def is_database(obj: Obj) -> bool:
    return str((_meta(obj).get("labels") or {}).get(COMPONENT_LABEL)) == DATABASE_ROLE


def databases_used(obj: Obj, backends: dict[str, list[Obj]]) -> list[Obj]:
    used: list[Obj] = []
    for host in sorted(referenced_hosts(obj)):
        used.extend(b for b in backends.get(host, []) if is_database(b) and b is not obj)
    return used


@dataclass(frozen=True)
class Violation:
    needed: Step
    user: Step
    reason: str

    def message(self) -> str:
        return (
            f"{self.user.describe()} needs {self.needed.describe()} ({self.reason}), "
            "but Argo CD does not wait for it first"
        )


def order_violations(objects: list[Obj]) -> list[Violation]:
    """Each workload's Secrets, ConfigMaps, claims and databases must be in an earlier (phase, wave)."""
    made_by = producers(objects)
    backends = service_backends(objects)
    violations: list[Violation] = []
    for obj in objects:
        if pod_spec(obj) is None:
            continue
        user = step_of(obj)
        needs: list[tuple[Obj, str]] = []
        for ref in sorted(referenced_objects(obj)):
            producer = made_by.get(ref)
            if producer is not None:
                needs.append((producer, f"{ref[0]} {ref[1]}"))
        needs += [(db, "database") for db in databases_used(obj, backends)]
        for needed_obj, reason in needs:
            needed = step_of(needed_obj)
            if needed.kind == "PersistentVolumeClaim" and needed.barrier == user.barrier:
                continue  # a claim binds with its pod; same wave is enough
            if not needed.barrier < user.barrier:
                violations.append(Violation(needed, user, reason))
    return violations


@dataclass(frozen=True)
class MigrationChain:
    """A migration Job, the databases it migrates, and the workloads that read those databases."""

    job: Step
    databases: tuple[Step, ...]
    needs: tuple[Step, ...]
    users: tuple[Step, ...]


def migration_chains(objects: list[Obj]) -> list[MigrationChain]:
    """Hook Jobs that talk to a database are migrations; their users are the other workloads of that DB."""
    backends = service_backends(objects)
    made_by = producers(objects)
    chains: list[MigrationChain] = []
    for obj in objects:
        if obj.get("kind") != "Job" or not _annotations(obj).get(HOOK):
            continue
        dbs = databases_used(obj, backends)
        if not dbs:
            continue
        users = [
            o
            for o in objects
            if pod_spec(o) is not None
            and o is not obj
            and not is_database(o)
            and not _annotations(o).get(HOOK)
            and any(db in dbs for db in databases_used(o, backends))
        ]
        needs = [made_by[ref] for ref in sorted(referenced_objects(obj)) if ref in made_by]
        for db in dbs:
            needs += [made_by[ref] for ref in sorted(referenced_objects(db)) if ref in made_by]
        chains.append(
            MigrationChain(
                job=step_of(obj),
                databases=tuple(step_of(db) for db in dbs),
                needs=tuple(sorted({step_of(n) for n in needs})),
                users=tuple(sorted(step_of(u) for u in users)),
            )
        )
    return chains
