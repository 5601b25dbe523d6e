"""Helm on the rehearsal's cluster: the exported chart installed with the pinned helm (v4, `helm`, inside the
sandbox like every client) into a namespace of its own beside the synced overlay, then upgraded and uninstalled.

What it proves, judged from the live objects: the API server admits the chart's objects and the scheduler
places its pods exactly as for the overlay (the same kinds, names and pods per workload, under Pod Security
`restricted`); `helm upgrade` keeps every value of the Secrets the chart generates (its real `lookup` against
the live API server, where `helm template` looks up nothing); `helm uninstall` keeps exactly what
`helm.sh/resource-policy: keep` marks, every generated Secret among it, and removes the rest."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rosgit.catalog.model import Catalog, OverlaySpec
from rosgit.helm.equivalence import overlay_values, provided_stand_ins
from rosgit.k8s.meta import annotations_of, as_map, name_of
from rosgit.k8s.objects import Obj, load_objects
from rosgit.rehearsal import objects as O
from rosgit.rehearsal import verdict as V
from rosgit.rehearsal.cluster import Cluster, KubectlFailed
from rosgit.tools import require_program

KEEP = "helm.sh/resource-policy"
HELM_RELEASE_SECRET = "helm.sh/release.v1"  # helm's own record of the release, not one of its objects
PSS_LABELS = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
TIMEOUT = "5m"


class HelmFailed(KubectlFailed):
    """helm exited non-zero: the message is its last line of stderr."""


@dataclass
class HelmOutcome:
    namespace: str
    problems: list[V.Problem] = field(default_factory=list)
    objects: dict[str, int] = field(default_factory=dict)  # kind -> live objects of the release compared
    pods: dict[str, int] = field(default_factory=dict)  # "Kind/name" -> its pods in the release's namespace
    secrets: list[str] = field(default_factory=list)  # the generated Secrets whose values upgrade compared
    kept: list[str] = field(default_factory=list)  # what helm uninstall left, of the release's manifest
    hooks_left: list[str] = field(default_factory=list)  # hook objects (never part of a release's manifest)
    durations: dict[str, float] = field(default_factory=dict)  # seconds of each step


class Release:
    """One release of a chart directory, driven with the pinned helm inside the cluster's sandbox."""

    def __init__(self, cluster: Cluster, chart: Path, namespace: str, name: str, values: list[Path],
                 settings: list[str], helm: str = "helm") -> None:
        self.cluster, self.chart, self.namespace, self.name = cluster, chart, namespace, name
        self.values, self.settings = values, settings
        self.program = require_program(helm)  # the pin: helm (v4) or helm3
        home = cluster.root / "helm"
        self.env = {f"HELM_{kind}_HOME": str(home / kind.lower()) for kind in ("CACHE", "CONFIG", "DATA")}

    def helm(self, args: list[str], timeout: float = 420) -> str:
        result = self.cluster.run([str(self.program), *args, "-n", self.namespace], self.env, timeout=timeout)
        if result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            raise HelmFailed(f"helm {args[0]}: {lines[-1] if lines else 'exit ' + str(result.returncode)}")
        return result.stdout

    def _render_args(self) -> list[str]:
        args = [self.name, str(self.chart), "--timeout", TIMEOUT]
        for values in self.values:
            args += ["-f", str(values)]
        for setting in self.settings:  # stand-ins for keys the platform owns, as the equivalence proof passes
            args += ["--set-string", setting]
        return args

    def install(self) -> None:
        self.helm(["install", *self._render_args()])

    def upgrade(self) -> None:
        self.helm(["upgrade", *self._render_args()])

    def uninstall(self) -> None:
        # Helm's defaults (background cascade, no waiting for deletions): each object of the release is deleted
        # or marked for deletion when it returns, which is what the claim reads. Helm 4's `--wait` (its
        # watcher) sat out its whole --timeout after deleting a Secret on a fresh control plane, then exited 0.
        self.helm(["uninstall", self.name, "--timeout", TIMEOUT])

    def manifest(self) -> list[Obj]:
        return load_objects(self.helm(["get", "manifest", self.name]))

    def hooks(self) -> list[Obj]:
        return load_objects(self.helm(["get", "hooks", self.name]))

    def secret_data(self, names: list[str]) -> dict[str, dict[str, str]]:
        listed = self.cluster.get_json(["get", "secrets", "-n", self.namespace]).get("items", [])
        return {name_of(s): dict(s.get("data") or {}) for s in listed if name_of(s) in names}

    def live_subjects(self, objects: list[Obj]) -> set[str]:
        """Which of `objects` (Kind/name) exist in the namespace, deletion pending counting as gone."""
        kinds = sorted({O.kind_ref(o) for o in objects})
        if not kinds:
            return set()
        listed = self.cluster.get_json(["get", ",".join(kinds), "-n", self.namespace]).get("items", [])
        return {f"{o.get('kind')}/{name_of(o)}" for o in listed
                if not as_map(o.get("metadata")).get("deletionTimestamp")}


# --- the claims, as pure functions ----------------------------------------------------------------------------
def as_installed(obj: Obj) -> Obj:
    """What the overlay's object is on the cluster: a SealedSecret becomes the Secret its controller makes."""
    if obj.get("kind") == "SealedSecret":
        return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name_of(obj)}}
    return obj


def object_problems(expected: list[Obj], overlay_live: set[str], release_live: set[str]) -> list[V.Problem]:
    """The release's namespace holds exactly the overlay's objects (by kind and name), besides what every
    namespace holds (what the overlay's namespace has that the overlay does not make)."""
    wanted = {V.subject_of(o) for o in expected}
    ambient = overlay_live - wanted
    found = [V.Problem("helm-install", subject, "in the overlay, not installed by the chart")
             for subject in sorted(wanted - release_live)]
    found += [V.Problem("helm-install", subject, "installed by the chart, not in the overlay")
              for subject in sorted(release_live - wanted - ambient)]
    return found


def pod_counts(snapshot: V.Snapshot, workloads: list[Obj], namespace: str) -> dict[str, int]:
    """Each workload's live pods (deletion pending left out)."""
    return {V.subject_of(w): len([p for p in V.pods_of(snapshot, str(w.get("kind")), namespace, name_of(w))
                              if not as_map(p.get("metadata")).get("deletionTimestamp")])
            for w in workloads if w.get("kind") in V.POD_WORKLOADS}


def pod_problems(overlay: dict[str, int], release: dict[str, int]) -> list[V.Problem]:
    return [V.Problem("helm-install", subject, f"{release.get(subject, 0)} pod(s), the overlay's {count}")
            for subject, count in sorted(overlay.items()) if release.get(subject, 0) != count]


def upgrade_problems(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> list[V.Problem]:
    """Every generated Secret still holds every value it had (never the values themselves in the message)."""
    found = []
    for name, data in sorted(before.items()):
        now = after.get(name)
        if now is None:
            found.append(V.Problem("helm-upgrade", f"Secret/{name}", "gone after helm upgrade"))
            continue
        changed = sorted(key for key in data if now.get(key) != data[key])
        if changed:
            found.append(V.Problem("helm-upgrade", f"Secret/{name}", f"key(s) {', '.join(changed)} changed by "
                                   "helm upgrade (the chart's lookup did not keep the live values)"))
    return found


def uninstall_problems(manifest: list[Obj], remaining: set[str]) -> list[V.Problem]:
    """Kept exactly what `helm.sh/resource-policy: keep` marks, and every Secret the chart generates is marked
    (the databases on the kept volumes were initialised with its values)."""
    found = []
    for obj in manifest:
        subject, keep = V.subject_of(obj), annotations_of(obj).get(KEEP) == "keep"
        if keep and subject not in remaining:
            found.append(V.Problem("helm-uninstall", subject, f"removed by helm uninstall despite {KEEP}: keep"))
        elif not keep and subject in remaining:
            found.append(V.Problem("helm-uninstall", subject, f"left by helm uninstall without {KEEP}: keep"))
        if obj.get("kind") == "Secret" and not keep:
            found.append(V.Problem("helm-uninstall", subject, f"a generated Secret without {KEEP}: keep: helm "
                                   "uninstall deletes the values the databases were initialised with"))
    return found


# --- the steps ------------------------------------------------------------------------------------------------
def release_for(cluster: Cluster, catalog: Catalog, overlay: OverlaySpec, chart: Path, namespace: str,
                helm: str = "helm") -> Release:
    """The release an installer makes of the overlay's profile and platform (its values files; the stand-ins
    for keys the platform owns, as the equivalence proof passes them)."""
    return Release(cluster, chart, namespace, catalog.project.name, overlay_values(chart, overlay),
                   provided_stand_ins(catalog, overlay), helm)


def make_namespace(cluster: Cluster, namespace: str) -> None:
    """The release's namespace, at the Pod Security level the Applications' managed namespace metadata sets."""
    cluster.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": PSS_LABELS}}])


def secret_lifecycle(release: Release, outcome: HelmOutcome) -> None:
    """Upgrade, then uninstall, judging the generated Secrets' values and what is kept."""
    started = time.monotonic()
    manifest = release.manifest()
    outcome.secrets = sorted(name_of(o) for o in manifest if o.get("kind") == "Secret")
    before = release.secret_data(outcome.secrets)
    release.upgrade()
    outcome.durations["helm upgrade"] = time.monotonic() - started
    outcome.problems += upgrade_problems(before, release.secret_data(outcome.secrets))
    manifest, hooks = release.manifest(), release.hooks()
    started = time.monotonic()
    release.uninstall()
    outcome.durations["helm uninstall"] = time.monotonic() - started
    remaining = release.live_subjects(manifest)
    outcome.kept = sorted(remaining)
    outcome.hooks_left = sorted(release.live_subjects(hooks))
    outcome.problems += uninstall_problems(manifest, remaining)


def _await_pods(cluster: Cluster, snapshot: V.Snapshot, namespace: str, workloads: list[Obj],
                expected: dict[str, int], timeout: float) -> V.Snapshot:
    """Poll the release's namespace until each workload has the overlay's pods, all on nodes, or a pod is
    refused, or `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        listed = cluster.get_json(["get", "pods,replicasets.apps,jobs.batch,events", "-n", namespace])
        items = listed.get("items", [])
        snap = V.Snapshot(objects=[o for o in items if o.get("kind") != "Event"],
                          events=[o for o in items if o.get("kind") == "Event"], nodes=snapshot.nodes,
                          namespaces=snapshot.namespaces)
        placed = not V.scheduling_problems(snap, namespace)
        refused = [p for p in V.admission_problems(snap, namespace, "restricted") if "Pod Security" not in p.reason]
        if (placed and pod_counts(snap, workloads, namespace) == expected) or refused or time.monotonic() > deadline:
            return snap
        time.sleep(2)


def rehearse_helm(cluster: Cluster, catalog: Catalog, overlay: OverlaySpec, chart: Path, snapshot: V.Snapshot,
                  objects: list[Obj], overlay_namespace: str, run_dir: Path, timeout: float = 240) -> HelmOutcome:
    """On a rehearsed overlay's cluster (its `snapshot` after the sync): the chart installed into
    `<namespace>-helm` on a second set of the profile's nodes, then upgraded and uninstalled."""
    namespace = f"{overlay_namespace}-helm"
    outcome = HelmOutcome(namespace)
    started = time.monotonic()
    # the overlay's pods fill most of the profile's nodes: the release gets nodes of the same size of its own
    cluster.add_nodes(O.node_objects(O.target_cluster(catalog, overlay.profile), prefix="rehearsal-helm-node"))
    cluster.apply(O.volume_objects(objects, namespace, run_dir))
    make_namespace(cluster, namespace)
    release = release_for(cluster, catalog, overlay, chart, namespace)
    release.install()
    outcome.durations["helm install"] = time.monotonic() - started
    expected = [as_installed(o) for o in objects]
    overlay_pods = pod_counts(snapshot, objects, overlay_namespace)
    nodes = V.Snapshot(nodes=cluster.get_json(["get", "nodes"]).get("items", []),
                       namespaces=cluster.get_json(["get", "namespaces"]).get("items", []))
    installed_at = time.monotonic()
    pods = _await_pods(cluster, nodes, namespace, objects, overlay_pods, timeout)
    outcome.durations["helm pods"] = time.monotonic() - installed_at
    outcome.pods = pod_counts(pods, objects, namespace)
    outcome.problems += V.admission_problems(pods, namespace, "restricted")
    outcome.problems += V.scheduling_problems(pods, namespace)
    outcome.problems += pod_problems(overlay_pods, outcome.pods)
    overlay_live = {V.subject_of(o) for o in snapshot.objects if as_map(o.get("metadata")).get("namespace")
                    == overlay_namespace} | {f"Secret/{key.split('/', 1)[1]}" for key in snapshot.secrets}
    release_live = release.live_subjects(expected)
    secrets = release.cluster.get_json(["get", "secrets", "-n", namespace]).get("items", [])
    release_live = {s for s in release_live if not s.startswith("Secret/")} | {
        f"Secret/{name_of(s)}" for s in secrets if s.get("type") != HELM_RELEASE_SECRET}
    outcome.problems += object_problems(expected, overlay_live, release_live)
    installed = release_live & {V.subject_of(o) for o in expected}
    outcome.objects = dict(Counter(s.split("/")[0] for s in installed))
    secret_lifecycle(release, outcome)
    return outcome
