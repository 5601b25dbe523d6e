"""What a rehearsal proves, judged from what the cluster holds afterwards (a Snapshot): pure functions from the
built overlay's objects and the live objects to problems, and the timeline text. Nothing here talks to the
cluster."""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rosgit.k8s.argo import PHASES
from rosgit.k8s.meta import annotations_of, as_map, labels_of, name_of
from rosgit.k8s.objects import Obj
from rosgit.k8s.podspec import pod_templates
from rosgit.k8s.syncorder import is_database, position_of, uses
from rosgit.quantity import bytes_of, millicores

EDGE_KINDS = ("Ingress", "Route")
POD_WORKLOADS = ("Deployment", "StatefulSet", "Job", "CronJob")
PSS_LEVEL = "pod-security.kubernetes.io/enforce"


@dataclass(frozen=True)
class Problem:
    """One thing a rehearsal found wrong: `check` names the claim, `subject` the object, `reason` why."""

    check: str
    subject: str
    reason: str

    def line(self) -> str:
        return f"{self.check}: {self.subject}: {self.reason}"


@dataclass
class Snapshot:
    """The live state read after (or during) the sync, as the API server returns it."""

    applications: list[Obj] = field(default_factory=list)
    objects: list[Obj] = field(default_factory=list)  # every object of the overlay's namespace(s) read
    events: list[Obj] = field(default_factory=list)
    nodes: list[Obj] = field(default_factory=list)
    namespaces: list[Obj] = field(default_factory=list)
    job_uids: dict[str, set[str]] = field(default_factory=dict)  # "namespace/name" -> every uid seen
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)  # "namespace/name" -> data (base64)

    def of_kind(self, kind: str) -> list[Obj]:
        return [o for o in self.objects if o.get("kind") == kind]

    def find(self, kind: str, namespace: str, name: str) -> Obj | None:
        for obj in self.objects:
            meta = as_map(obj.get("metadata"))
            if obj.get("kind") == kind and meta.get("name") == name and meta.get("namespace") == namespace:
                return obj
        return None


def parse_time(text: Any) -> datetime.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def created(obj: Obj) -> datetime.datetime | None:
    return parse_time(as_map(obj.get("metadata")).get("creationTimestamp"))


# --- what belongs to what -------------------------------------------------------------------------------------
def _owners(obj: Obj) -> list[tuple[str, str]]:
    return [(str(o.get("kind")), str(o.get("name"))) for o in as_map(obj.get("metadata")).get("ownerReferences") or []]


def pods_of(snapshot: Snapshot, kind: str, namespace: str, name: str) -> list[Obj]:
    """The pods a workload made (a Deployment's through its ReplicaSets, a CronJob's through its Jobs)."""
    direct = {(kind, name)}
    if kind in ("Deployment", "CronJob"):
        middle = "ReplicaSet" if kind == "Deployment" else "Job"
        direct = {(middle, name_of(o)) for o in snapshot.of_kind(middle)
                  if as_map(o.get("metadata")).get("namespace") == namespace and (kind, name) in _owners(o)}
    return [p for p in snapshot.of_kind("Pod") if as_map(p.get("metadata")).get("namespace") == namespace
            and any(owner in direct for owner in _owners(p))]


def ready_time(snapshot: Snapshot, obj: Obj) -> datetime.datetime | None:
    """When a workload was last made ready (its newest pod's Ready transition; a Job's completion)."""
    kind, meta = str(obj.get("kind")), as_map(obj.get("metadata"))
    if kind == "Job":
        live = snapshot.find("Job", str(meta.get("namespace")), str(meta.get("name")))
        return parse_time(as_map((live or {}).get("status")).get("completionTime"))
    times = []
    for pod in pods_of(snapshot, kind, str(meta.get("namespace")), str(meta.get("name"))):
        for condition in as_map(pod.get("status")).get("conditions") or []:
            if condition.get("type") == "Ready" and condition.get("status") == "True":
                stamp = parse_time(condition.get("lastTransitionTime"))
                if stamp:
                    times.append(stamp)
    return max(times) if times else None


def live_object(snapshot: Snapshot, obj: Obj, namespace: str) -> Obj | None:
    return snapshot.find(str(obj.get("kind")), as_map(obj.get("metadata")).get("namespace") or namespace,
                         name_of(obj))


def subject_of(obj: Obj) -> str:
    return f"{obj.get('kind')}/{name_of(obj)}"


# --- the claims -----------------------------------------------------------------------------------------------
def admission_problems(snapshot: Snapshot, namespace: str, level: str) -> list[Problem]:
    """The namespace enforces `level`, and no pod was refused (a workload admitted, its pods not: FailedCreate)."""
    found = []
    ns = next((n for n in snapshot.namespaces if name_of(n) == namespace), None)
    enforced = labels_of(ns).get(PSS_LEVEL) if ns else None
    if enforced != level:
        found.append(Problem("admission", f"Namespace/{namespace}",
                             f"Pod Security enforce is {enforced!r}, not {level!r}"))
    for event in snapshot.events:
        message = str(event.get("message", ""))
        if event.get("reason") == "FailedCreate" or "violates PodSecurity" in message:
            involved = as_map(event.get("involvedObject"))
            found.append(Problem("admission", f"{involved.get('kind')}/{involved.get('name')}", message))
    return _unique(found)


def _requests(pod: Obj) -> tuple[int, int]:
    cpu = memory = 0
    for container in as_map(pod.get("spec")).get("containers") or []:
        requests = as_map(as_map(container.get("resources")).get("requests"))
        cpu += millicores(requests.get("cpu", "0"))
        memory += bytes_of(requests.get("memory", "0"))
    return cpu, memory


def _gib(count: int) -> str:
    return f"{count / 2**30:.2f}Gi"


def scheduling_problems(snapshot: Snapshot, namespace: str) -> list[Problem]:
    """Every pod of the namespace is on one of the fake nodes; an unscheduled one is named with its shortfall."""
    nodes = {name_of(n): as_map(as_map(n.get("status")).get("allocatable")) for n in snapshot.nodes}
    most_cpu = max((millicores(a.get("cpu", "0")) for a in nodes.values()), default=0)
    most_memory = max((bytes_of(a.get("memory", "0")) for a in nodes.values()), default=0)
    found = []
    for pod in snapshot.of_kind("Pod"):
        if as_map(pod.get("metadata")).get("namespace") != namespace:
            continue
        node = as_map(pod.get("spec")).get("nodeName")
        if node in nodes:
            continue
        cpu, memory = _requests(pod)
        why = [f"requests cpu {cpu}m", f"memory {_gib(memory)}"]
        if cpu > most_cpu:
            why.append(f"{cpu - most_cpu}m more cpu than the largest node's {most_cpu}m allocatable")
        if memory > most_memory:
            why.append(f"{_gib(memory - most_memory)} more memory than the largest node's {_gib(most_memory)}")
        message = next((c.get("message") for c in as_map(pod.get("status")).get("conditions") or []
                        if c.get("type") == "PodScheduled" and c.get("status") == "False"), None)
        found.append(Problem("scheduling", f"Pod/{name_of(pod)}",
                             f"not scheduled ({message or 'no node'}); " + ", ".join(why)))
    return found


@dataclass(frozen=True)
class Roles:
    """The overlay's workloads by their part in the intended order."""

    databases: list[Obj]
    migrations: list[Obj]
    apps: list[Obj]
    edge: list[Obj]
    uses: dict[str, set[str]]
    workload_of: dict[str, str]  # "Kind/name" -> workload (component) name


def roles(objects: list[Obj]) -> Roles:
    templates = [t for t in pod_templates(objects) if t.owner.get("kind") in POD_WORKLOADS]
    graph = uses(objects)
    database_names = {t.workload for t in templates if is_database(t)}
    migrations = [t for t in templates if t.kind == "Job" and graph.get(t.workload, set()) & database_names]
    migration_names = {t.workload for t in migrations}
    apps = [t for t in templates if t.kind != "Job" and t.workload not in database_names | migration_names
            and graph.get(t.workload, set()) & database_names]
    return Roles(
        databases=[t.owner for t in templates if t.workload in database_names],
        migrations=[t.owner for t in migrations], apps=[t.owner for t in apps],
        edge=[o for o in objects if o.get("kind") in EDGE_KINDS], uses=graph,
        workload_of={subject_of(t.owner): t.workload for t in templates},
    )


def order_problems(snapshot: Snapshot, objects: list[Obj], namespace: str, base: datetime.datetime) -> list[Problem]:
    """Data before migrations before apps before edge, as the API server's clocks recorded it: each migration
    created once every database it uses was ready, each app once every migration of its databases completed,
    each edge object once every app was ready. (Times are whole seconds: equal counts as in order.)"""
    parts = roles(objects)
    found: list[Problem] = []

    def at(stamp: datetime.datetime | None) -> str:
        return f"+{(stamp - base).total_seconds():.0f}s" if stamp else "never"

    def check(later: Obj, earlier: Obj, how: str) -> None:
        made, ready = live_object(snapshot, later, namespace), live_object(snapshot, earlier, namespace)
        start = created(made) if made else None
        done = ready_time(snapshot, ready) if ready else None
        if start is not None and (done is None or start < done):
            found.append(Problem("order", subject_of(later),
                                 f"applied at {at(start)}, before {subject_of(earlier)} {how} ({at(done)})"))

    workload = parts.workload_of
    database_names = {workload[subject_of(d)] for d in parts.databases}
    for migration in parts.migrations:
        for database in parts.databases:
            if workload[subject_of(database)] in parts.uses.get(workload[subject_of(migration)], set()):
                check(migration, database, "was ready")
    for app in parts.apps:
        used = parts.uses.get(workload[subject_of(app)], set())
        for migration in parts.migrations:
            if used & parts.uses.get(workload[subject_of(migration)], set()) & database_names:
                check(app, migration, "completed")
    for edge in parts.edge:  # a CronJob has no pod to be ready until its schedule comes
        for app in (a for a in parts.apps if a.get("kind") != "CronJob"):
            check(edge, app, "was ready")
    return found


def stream_objects(text: str) -> list[Obj]:
    """The JSON objects `kubectl get -w -o json` wrote one after another (a torn last one is left out)."""
    decoder = json.JSONDecoder()
    found: list[Obj] = []
    index = 0
    while True:
        while index < len(text) and text[index] != "{":
            index += 1  # whitespace between objects, or a line kubectl logged to stderr
        if index >= len(text):
            return found
        try:
            obj, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError:  # the object kubectl is still writing
            return found
        if isinstance(obj, dict):
            found.append(obj)


def operations(versions: Iterable[Obj], application: str) -> list[Obj]:
    """Each sync operation of the Application, in start order, as last seen (its final state when the watch
    saw it end): a later operation replaces `status.operationState`, so a snapshot alone loses the earlier."""
    def resource_version(obj: Obj) -> int:
        text = str(as_map(obj.get("metadata")).get("resourceVersion", "0"))
        return int(text) if text.isdigit() else 0

    seen: dict[str, Obj] = {}
    for version in sorted(versions, key=resource_version):  # a watch's and the polls' versions, merged
        if name_of(version) != application:
            continue
        state = as_map(as_map(version.get("status")).get("operationState"))
        if state.get("startedAt"):
            seen[str(state["startedAt"])] = state
    return [seen[started] for started in sorted(seen)]


def selective(operation: Obj) -> list[str]:
    """The resources a selective sync was limited to (a self-heal syncs only what drifted); [] for a full sync.
    Argo CD runs no hooks in a selective sync (argo-cd v3.6.1 controller/sync.go:389, skipHooks)."""
    resources = as_map(as_map(operation.get("operation")).get("sync")).get("resources") or []
    return [f"{r.get('kind')}/{r.get('name')}" for r in resources if isinstance(r, dict)]


def full_sync(history: list[Obj], revision: str | None = None) -> Obj | None:
    """The last full (hook-running) sync operation, at `revision` when given."""
    full = [op for op in history if not selective(op)
            and (revision is None or as_map(op.get("syncResult")).get("revision") == revision)]
    return full[-1] if full else None


def hook_problems(snapshot: Snapshot, objects: list[Obj], namespace: str, operation: Obj | None) -> list[Problem]:
    """Each hook Job ran exactly once in the (full) sync operation: one entry in its result, one Job seen."""
    hooks = [o for o in objects if o.get("kind") == "Job" and "argocd.argoproj.io/hook" in annotations_of(o)]
    results = as_map(as_map(operation).get("syncResult"))
    entries = [r for r in results.get("resources") or [] if r.get("hookType")]
    found = []
    for hook in hooks:
        ran = [r for r in entries if r.get("kind") == "Job" and r.get("name") == name_of(hook)]
        uids = snapshot.job_uids.get(f"{namespace}/{name_of(hook)}", set())
        if len(ran) != 1 or len(uids) != 1:
            found.append(Problem("hooks", subject_of(hook),
                                 f"ran {len(ran)} time(s) in the sync result and {len(uids)} Job object(s) were "
                                 "seen, expected exactly one"))
        elif ran[0].get("hookPhase") != "Succeeded":
            found.append(Problem("hooks", subject_of(hook), f"hook phase {ran[0].get('hookPhase')}: "
                                 f"{ran[0].get('message', '')}"))
    return found


def application_problems(snapshot: Snapshot) -> list[Problem]:
    found = []
    for app in snapshot.applications:
        status = as_map(app.get("status"))
        sync = as_map(status.get("sync")).get("status")
        health = as_map(status.get("health")).get("status")
        if sync != "Synced" or health != "Healthy":
            found.append(Problem("argocd", f"Application/{name_of(app)}", f"{sync}/{health}"
                                 + _operation_message(app)))
    return found


def _operation_message(app: Obj) -> str:
    operation = as_map(as_map(app.get("status")).get("operationState"))
    message = operation.get("message")
    return f" (operation {operation.get('phase')}: {message})" if message else ""


def unseal_problems(snapshot: Snapshot, objects: list[Obj], namespace: str,
                    values: Mapping[tuple[str, str], str]) -> list[Problem]:
    """Every SealedSecret became a Secret holding exactly the values given to `rosgit seal`."""
    found = []
    for sealed in (o for o in objects if o.get("kind") == "SealedSecret"):
        name = name_of(sealed)
        data = snapshot.secrets.get(f"{namespace}/{name}")
        expected = {key: value for (secret, key), value in values.items() if secret == name}
        if data is None:
            found.append(Problem("unseal", f"SealedSecret/{name}", "no Secret was unsealed from it"
                                 + _condition_text(snapshot.find("SealedSecret", namespace, name))))
            continue
        got = {key: base64.b64decode(text).decode("utf-8", "replace") for key, text in data.items()}
        if set(got) != set(expected):
            found.append(Problem("unseal", f"Secret/{name}", f"keys {sorted(got)}, sealed {sorted(expected)}"))
        wrong = sorted(k for k in expected if k in got and got[k] != expected[k])
        if wrong:  # never the values themselves
            found.append(Problem("unseal", f"Secret/{name}", f"key(s) {', '.join(wrong)} differ from the sealed input"))
    return found


def _condition_text(obj: Obj | None) -> str:
    conditions = as_map((obj or {}).get("status")).get("conditions") or []
    bad = [f"{c.get('type')}={c.get('status')}: {c.get('message', '')}"
           for c in conditions if c.get("status") != "True"]
    return f" ({'; '.join(bad)})" if bad else ""


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    seen: dict[str, Problem] = {}
    for problem in problems:
        seen.setdefault(problem.line(), problem)
    return list(seen.values())


# --- what is stuck, and the timeline ---------------------------------------------------------------------------
def stuck(snapshot: Snapshot, namespace: str) -> list[Problem]:
    """Objects Argo CD does not see healthy, each with its conditions and the latest events about it."""
    found = []
    for app in snapshot.applications:
        for resource in as_map(app.get("status")).get("resources") or []:
            health = as_map(resource.get("health"))
            if resource.get("namespace") != namespace or health.get("status") in (None, "Healthy"):
                continue
            kind, name = str(resource.get("kind")), str(resource.get("name"))
            events = [f"{e.get('reason')}: {e.get('message')}" for e in snapshot.events
                      if as_map(e.get("involvedObject")).get("name") == name][-2:]
            found.append(Problem("stuck", f"{kind}/{name}", f"{health.get('status')}"
                                 + (f" ({health.get('message')})" if health.get("message") else "")
                                 + _condition_text(snapshot.find(kind, namespace, name))
                                 + (f"; events: {' | '.join(events)}" if events else "")))
    return found


def timeline(snapshot: Snapshot, objects: list[Obj], namespace: str, base: datetime.datetime,
             operation: Obj | None, history: list[Obj] | None = None) -> list[str]:
    """Per (phase, wave) in apply order: how many objects of which kinds were applied when, which hooks ran,
    and when the wave's workloads were ready; then every sync operation after the full one (a self-heal's
    selective sync: what had drifted)."""
    phase_names = {rank: name for name, rank in PHASES.items()}
    groups: dict[tuple[int, int], list[Obj]] = {}
    for obj in objects:
        position = position_of(obj)
        if position is not None:
            groups.setdefault(position.barrier, []).append(obj)
    results = as_map(as_map(operation).get("syncResult"))
    hooks = {(r.get("kind"), r.get("name")): r for r in results.get("resources") or [] if r.get("hookType")}

    def at(stamp: datetime.datetime | None) -> str:
        return f"+{(stamp - base).total_seconds():.0f}s" if stamp else "-"

    lines = []
    for (phase, wave), members in sorted(groups.items()):
        live = [(obj, live_object(snapshot, obj, namespace)) for obj in members]
        stamps = [created(found) for _, found in live if found]
        times = sorted(s for s in stamps if s)
        kinds: dict[str, int] = {}
        for obj in members:
            kinds[str(obj.get("kind"))] = kinds.get(str(obj.get("kind")), 0) + 1
        applied = f"{len(times)}/{len(members)} applied" + (f" {at(times[0])}..{at(times[-1])}" if times else "")
        ready = [ready_time(snapshot, obj) for obj in members if obj.get("kind") in POD_WORKLOADS]
        done = max((r for r in ready if r), default=None)
        line = (f"{phase_names.get(phase, phase)} wave {wave:>4}: {applied}"
                f" ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})"
                + (f"; workloads ready {at(done)}" if done else ""))
        lines.append(line)
        for obj in members:
            hook = hooks.get((obj.get("kind"), name_of(obj)))
            if hook is not None or "argocd.argoproj.io/hook" in annotations_of(obj):
                found = live_object(snapshot, obj, namespace)
                start, end = (created(found) if found else None), (ready_time(snapshot, obj))
                took = f" ({(end - start).total_seconds():.0f}s)" if start and end else ""
                lines.append(f"    hook {subject_of(obj)}: {(hook or {}).get('hookPhase', 'not run')} "
                             f"{at(start)}..{at(end)}{took}")
    later = (history or [])[(history or []).index(operation) + 1:] if operation in (history or []) else []
    for op in later:
        limited = selective(op)
        what = (f"selective sync (self-heal, no hooks) of {', '.join(limited)}" if limited
                else "full sync")
        lines.append(f"then {what} at {at(parse_time(op.get('startedAt')))}: {op.get('phase')}")
    return lines
