"""One overlay's rehearsal, start to verdict: a fresh cluster sized by the overlay's profile, the commit pushed,
the generated root applied, the sync awaited (bounded; a definitive failure ends the wait at once), then every
claim judged from the live objects. Each overlay gets its own cluster: the fake nodes are its profile's, and
the overlays of one platform share a namespace."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import rosgit.k8s
from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.catalog.model import OverlaySpec
from rosgit.errors import UsageError
from rosgit.fileset.state import tree_root
from rosgit.k8s.meta import as_map, name_of
from rosgit.k8s.objects import Obj, load_objects
from rosgit.rehearsal import objects as O
from rosgit.rehearsal import verdict as V
from rosgit.rehearsal.cluster import GIT_PORT, Cluster, KubectlFailed
from rosgit.rehearsal.repository import commit_and_push, repo_url, stage_copy
from rosgit.rehearsal.sealing import Values, rehearsal_values, seal_copy
from rosgit.secrets.crypto import SealingCert, load_cert

# What the operators and controllers a real cluster runs would write, so Argo CD's health checks can pass: no
# ingress controller, router, Strimzi or NooBaa runs here (their behaviour is not rehearsed; docs/rehearsal.md).
STAND_IN_STATUS: dict[str, Callable[[Obj], Obj]] = {
    "Ingress": lambda _: {"loadBalancer": {"ingress": [{"ip": "127.0.0.1"}]}},
    "Route": lambda obj: {"ingress": [{"host": as_map(obj.get("spec")).get("host") or name_of(obj),
                                       "routerName": "default",
                                       "conditions": [{"type": "Admitted", "status": "True"}]}]},
    "Kafka": lambda _: {"conditions": [{"type": "Ready", "status": "True"}]},
    "KafkaTopic": lambda _: {"conditions": [{"type": "Ready", "status": "True"}]},
    "ObjectBucketClaim": lambda _: {"phase": "Bound"},
}
VENDORED_CRDS = Path(rosgit.k8s.__file__).parent / "crds"
UNSCHEDULABLE_GRACE = 20.0  # the scheduler retries; a pod that fits nowhere stays Unschedulable
APPLICATION_WATCH = "application-watch"


@dataclass
class Outcome:
    overlay: str
    problems: list[V.Problem] = field(default_factory=list)
    stuck: list[V.Problem] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)
    stand_ins: list[str] = field(default_factory=list)
    commit: str = ""
    snapshot: V.Snapshot = field(default_factory=V.Snapshot, repr=False)
    values: Values = field(default_factory=dict, repr=False)
    leftovers: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Rehearsal:
    """The state of one run (the cluster, the overlay, what was seen while waiting)."""

    cluster: Cluster
    overlay: OverlaySpec
    namespace: str
    objects: list[Obj]
    outcome: Outcome
    job_uids: dict[str, set[str]] = field(default_factory=dict)
    unschedulable_since: dict[str, float] = field(default_factory=dict)
    copy: Path = Path()  # the pushed tree
    url: str = ""
    catalog_name: str = "rosgit.yaml"
    polled_applications: list[Obj] = field(default_factory=list)

    @property
    def application(self) -> str:
        """The overlay's Application (the root creates it from argocd/applications/<overlay>.yaml)."""
        return name_of(load_objects((self.copy / "argocd" / "applications" / f"{self.overlay.name}.yaml")
                                    .read_text(encoding="utf-8"))[0])

    def history(self) -> list[Obj]:
        """Every sync operation of the overlay's Application, as the watch and the polls saw them (a self-heal
        right after a sync replaces the sync's operationState, hooks and all, before a poll may see it)."""
        watched = self.cluster.root / "sandbox" / f"{APPLICATION_WATCH}.log"
        versions = V.stream_objects(watched.read_text(encoding="utf-8", errors="replace")) if watched.exists() else []
        return V.operations([*versions, *self.polled_applications], self.application)

    def kinds(self) -> list[str]:
        extra = sorted({O.kind_ref(o) for o in self.objects} - {"secret"})
        return ["pod", "replicaset.apps", "deployment.apps", "statefulset.apps", "job.batch", *extra]

    def snapshot(self) -> V.Snapshot:
        c = self.cluster
        listed = c.get_json(["get", ",".join(dict.fromkeys(self.kinds())), "-n", self.namespace])
        events = c.get_json(["get", "events", "-n", self.namespace]).get("items", [])
        snap = V.Snapshot(
            applications=c.get_json(["get", "applications.argoproj.io", "-n", O.ARGOCD_NAMESPACE]).get("items", []),
            objects=listed.get("items", []), events=events,
            nodes=c.get_json(["get", "nodes"]).get("items", []),
            namespaces=c.get_json(["get", "namespaces"]).get("items", []),
        )
        self.polled_applications.extend(snap.applications)
        for job in snap.of_kind("Job"):
            meta = as_map(job.get("metadata"))
            self.job_uids.setdefault(f"{meta.get('namespace')}/{meta.get('name')}", set()).add(str(meta.get("uid")))
        snap.job_uids = self.job_uids
        return snap

    def stand_in(self, snap: V.Snapshot) -> None:
        for obj in snap.objects:
            make = STAND_IN_STATUS.get(str(obj.get("kind")))
            status = as_map(obj.get("status"))
            if make is None or all(status.get(key) for key in make(obj)):
                continue
            self.cluster.kubectl(["patch", O.kind_ref(obj), name_of(obj), "-n", self.namespace, "--type=merge",
                                  "--subresource=status", "-p", json.dumps({"status": make(obj)})])
            self.outcome.stand_ins.append(f"{obj.get('kind')}/{name_of(obj)}")

    def definitive(self, snap: V.Snapshot) -> list[V.Problem]:
        """Failures no wait mends: a refused pod, a pod that fits no node, a SealedSecret no key opens, an
        object the API server rejected."""
        found = V.admission_problems(snap, self.namespace, "restricted")
        found = [p for p in found if "Pod Security enforce" not in p.reason]  # the namespace may be coming
        now = time.monotonic()
        for problem in V.scheduling_problems(snap, self.namespace):
            if "Unschedulable" in problem.reason or "Insufficient" in problem.reason or "didn't" in problem.reason:
                since = self.unschedulable_since.setdefault(problem.subject, now)
                if now - since > UNSCHEDULABLE_GRACE:
                    found.append(problem)
        for sealed in snap.of_kind("SealedSecret"):
            for condition in as_map(sealed.get("status")).get("conditions") or []:
                if condition.get("type") == "Synced" and condition.get("status") == "False":
                    found.append(V.Problem("unseal", f"SealedSecret/{name_of(sealed)}",
                                           str(condition.get("message", ""))))
        for app in snap.applications:
            operation = as_map(as_map(app.get("status")).get("operationState"))
            for resource in as_map(operation.get("syncResult")).get("resources") or []:
                if resource.get("status") == "SyncFailed":
                    found.append(V.Problem("admission", f"{resource.get('kind')}/{resource.get('name')}",
                                           str(resource.get("message", ""))))
        return found


def rehearse(root: Path, catalog_path: Path, overlay_name: str, run_dir: Path, *, timeout: float = 600,
             sealing_cert: SealingCert | None = None, progress: Callable[[str], None] = lambda _: None,
             keep: Callable[[Rehearsal], None] | None = None) -> Outcome:
    """Rehearse one overlay of the tree at `root`; `sealing_cert` seals with another certificate than the
    controller's (a test's planted defect); `keep` is called with the run, its cluster still up, after the
    verdict (`--keep`; an upgrade)."""
    catalog = load_catalog(catalog_path)
    overlay = catalog.overlay(overlay_name)
    if overlay is None:
        raise UsageError(f"unknown overlay {overlay_name!r} (known: {', '.join(o.name for o in catalog.overlays)})")
    nodes = O.node_objects(O.target_cluster(catalog, overlay.profile))
    objects = build_objects(root / "overlays" / overlay.name)
    outcome = Outcome(overlay.name)
    started = time.monotonic()
    with Cluster(run_dir) as cluster:
        outcome.durations.update({f"start {k}": v for k, v in cluster.timings.steps.items()})
        run = Rehearsal(cluster, overlay, catalog.namespace_of(overlay), objects, outcome)
        progress(f"cluster up in {time.monotonic() - started:.1f}s ({cluster.timings.line()})")
        cluster.add_nodes(nodes)
        used = {str(o.get("apiVersion")) for o in objects}
        crds = [c for c in O.crd_objects(VENDORED_CRDS.glob("*.yaml"), used)
                if not name_of(c).endswith(".argoproj.io")]
        cluster.install_crds(crds)
        cluster.apply(O.volume_objects(objects, run.namespace, run_dir))
        outcome.durations["nodes, CRDs, volumes"] = time.monotonic() - started
        cert_path = run_dir / "sealing-cert.pem"
        cert_path.write_bytes(cluster.sealing_certificate())
        cert = sealing_cert or load_cert(cert_path)
        copy = run.copy = run_dir / "repo"
        url = run.url = repo_url(catalog.project.name, GIT_PORT)
        run.catalog_name = catalog_path.name
        stage_copy(root, catalog, url, copy)
        outcome.values = rehearsal_values(catalog, overlay.platform)
        seal_copy(copy, load_catalog(copy / catalog_path.name), overlay.name, cert, outcome.values)
        outcome.durations["sealed"] = time.monotonic() - started
        outcome.commit = commit_and_push(copy, cluster.root / "git" / f"{catalog.project.name}.git",
                                         f"rosgit rehearse {overlay.name}")
        outcome.durations["prepared"] = time.monotonic() - started
        progress(f"pushed {outcome.commit[:12]} to {url}; applying argocd/root-{overlay.platform}.yaml")
        root_app = _root_application(copy, overlay)
        cluster.watch(APPLICATION_WATCH, ["applications.argoproj.io", "-n", O.ARGOCD_NAMESPACE])
        cluster.apply([*load_objects((copy / "argocd/projects.yaml").read_text(encoding="utf-8")), root_app])
        base = datetime.now().astimezone()
        applied = time.monotonic()
        snap = _await_sync(run, timeout, progress)
        outcome.durations["sync"] = time.monotonic() - applied
        _judge(run, snap, base)
        if keep is not None:
            keep(run)
    outcome.leftovers = cluster.leftovers()
    outcome.durations["total"] = time.monotonic() - started
    return outcome


def _root_application(copy: Path, overlay: OverlaySpec) -> Obj:
    """The generated root of the overlay's platform, narrowed to the overlay's own Application (the other
    overlays of the platform need clusters of their own sizes)."""
    text = (copy / "argocd" / f"root-{overlay.platform}.yaml").read_text(encoding="utf-8")
    app = load_objects(text)[0]
    directory = as_map(as_map(app.get("spec")).get("source")).get("directory")
    if isinstance(directory, dict):
        directory["include"] = f"{overlay.name}.yaml"
    return app


def _all_synced(snap: V.Snapshot, expected: int) -> bool:
    return len(snap.applications) >= expected and not V.application_problems(snap)


def _await_sync(run: Rehearsal, timeout: float, progress: Callable[[str], None]) -> V.Snapshot:
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        try:
            snap = run.snapshot()
            run.stand_in(snap)
        except KubectlFailed as failed:  # the namespace may not exist yet, a patch may race a change
            progress(f"(retrying: {failed})")
            time.sleep(1)
            continue
        failures = run.definitive(snap)
        if failures:
            run.outcome.problems.extend(failures)
            return snap
        if _all_synced(snap, 2):
            return snap
        state = "; ".join(f"{name_of(a)} {as_map(as_map(a.get('status')).get('sync')).get('status')}/"
                          f"{as_map(as_map(a.get('status')).get('health')).get('status')}" for a in snap.applications)
        if state != last:
            progress(state or "waiting for the Applications")
            last = state
        if time.monotonic() > deadline:
            run.outcome.problems.append(V.Problem("timeout", "sync", f"not Synced/Healthy after {timeout:g}s"))
            return snap
        time.sleep(2)


def _judge(run: Rehearsal, snap: V.Snapshot, base: datetime) -> None:
    ns = run.namespace
    secrets = run.cluster.get_json(["get", "secrets", "-n", ns]).get("items", [])
    snap.secrets = {f"{ns}/{name_of(s)}": dict(s.get("data") or {}) for s in secrets}
    run.outcome.snapshot = snap
    # what the verdict was judged from, for a reader of a failure (no Secret data: only key names)
    (run.cluster.root / "snapshot.json").write_text(json.dumps({
        "applications": snap.applications, "objects": snap.objects, "events": snap.events, "nodes": snap.nodes,
        "secrets": {name: sorted(data) for name, data in snap.secrets.items()},
    }, indent=1, default=str), encoding="utf-8")
    app = next((a for a in snap.applications
                if as_map(as_map(a.get("spec")).get("destination")).get("namespace") == ns), None)
    history = run.history()
    synced_at = as_map(as_map(as_map(app).get("status")).get("sync")).get("revision")
    operation = V.full_sync(history, str(synced_at) if synced_at else None)
    problems = run.outcome.problems
    problems.extend(p for p in V.admission_problems(snap, ns, "restricted") if p not in problems)
    problems.extend(p for p in V.scheduling_problems(snap, ns) if p not in problems)
    problems.extend(V.application_problems(snap))
    problems.extend(V.order_problems(snap, run.objects, ns, base))
    problems.extend(V.hook_problems(snap, run.objects, ns, operation))
    problems.extend(p for p in V.unseal_problems(snap, run.objects, ns, run.outcome.values) if p not in problems)
    run.outcome.stuck = V.stuck(snap, ns)
    run.outcome.timeline = V.timeline(snap, run.objects, ns, base, operation, history)


def default_run_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="rosgit-rehearse-"))


def catalog_root(catalog_path: Path) -> Path:
    return Path(tree_root(catalog_path))
