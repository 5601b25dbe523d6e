"""The objects a rehearsal adds to the cluster besides the overlay's own, as plain data: the fake nodes of the
profile's target cluster, a PersistentVolume for every claim, Argo CD's settings, kwok's configuration, and the
CRDs the overlay's kinds need. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from rosgit.catalog.model import Catalog, TargetCluster
from rosgit.errors import UsageError
from rosgit.k8s.meta import as_map, name_of
from rosgit.k8s.objects import Obj, load_objects

FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node"
ARGOCD_NAMESPACE = "argocd"
# kwok's own stage files that kwokctl uses for a "fast" cluster: nodes become Ready and keep a lease, pods
# become Running/Ready, a Job's pods Complete, deleted pods go away.
KWOK_STAGES = (
    "node/fast/node-initialize.yaml",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    "pod/fast/pod-delete.yaml",
)
# With a configuration file kwok reads these as 0 and refuses to start ("node leases parallelism must be
# greater than 0"): kwokctl's values. A lease duration of 0 means no lease is kept, and kube-controller-manager's
# node lifecycle controller then marks every node NotReady and its pods not Ready within a minute: kwokctl's 40.
KWOK_PARALLELISM = {"podPlayStageParallelism": 4, "nodePlayStageParallelism": 4, "nodeLeaseParallelism": 4}
KWOK_LEASE_SECONDS = 40


def kind_ref(obj: Obj) -> str:
    """The object's kind as kubectl names a resource (`deployment.apps`, `service`)."""
    api = str(obj.get("apiVersion", "v1"))
    kind = str(obj.get("kind")).lower()
    return f"{kind}.{api.split('/')[0]}" if "/" in api else kind


def target_cluster(catalog: Catalog, profile: str) -> TargetCluster:
    """The profile's target cluster, or the nearest one up its `extends` chain."""
    seen: list[str] = []
    name: str | None = profile
    while name is not None and name not in seen:
        seen.append(name)
        spec = catalog.profiles[name]
        if spec.target_cluster is not None:
            if spec.target_cluster.nodes < 1:
                raise UsageError(f"profile {name!r}: targetCluster.nodes must be at least 1")
            return spec.target_cluster
        name = spec.extends
    raise UsageError(f"profile {profile!r} declares no targetCluster (nor does any profile it extends); "
                     "rosgit rehearse sizes its nodes from it")


def node_objects(cluster: TargetCluster, prefix: str = "rehearsal-node") -> list[Obj]:
    resources = {"cpu": cluster.cpu, "memory": cluster.memory, "pods": str(cluster.pods)}
    nodes = []
    for index in range(cluster.nodes):
        name = f"{prefix}-{index}"
        nodes.append({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {
                "name": name,
                "annotations": {FAKE_NODE_ANNOTATION: "fake", "node.alpha.kubernetes.io/ttl": "0"},
                "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                           "kubernetes.io/arch": "amd64", "type": "kwok",
                           "topology.kubernetes.io/zone": f"zone-{index % 3}"},
            },
            "status": {"allocatable": resources, "capacity": resources},
        })
    return nodes


def _claims(obj: Obj) -> list[tuple[str, Obj]]:
    """(claim name, claim spec) of a PersistentVolumeClaim, or of each replica of a StatefulSet's templates."""
    spec = as_map(obj.get("spec"))
    if obj.get("kind") == "PersistentVolumeClaim":
        return [(name_of(obj), spec)]
    if obj.get("kind") != "StatefulSet":
        return []
    replicas = spec.get("replicas", 1)
    found = []
    for template in spec.get("volumeClaimTemplates") or []:
        for ordinal in range(int(replicas if isinstance(replicas, int) else 1)):
            found.append((f"{name_of(template)}-{name_of(obj)}-{ordinal}", as_map(template.get("spec"))))
    return found


def volume_objects(objects: Iterable[Obj], namespace: str, run_dir: Path) -> list[Obj]:
    """A hostPath PersistentVolume pre-bound to each claim the overlay makes, of its class, size and modes
    (there is no provisioner; the binder in kube-controller-manager binds them)."""
    volumes = []
    for obj in objects:
        for claim, spec in _claims(obj):
            storage = as_map(as_map(spec.get("resources")).get("requests")).get("storage", "1Gi")
            volumes.append({
                "apiVersion": "v1", "kind": "PersistentVolume",
                "metadata": {"name": f"{namespace}-{claim}"[:253]},
                "spec": {
                    "capacity": {"storage": storage},
                    "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                    "storageClassName": spec.get("storageClassName") or "",
                    "persistentVolumeReclaimPolicy": "Retain",
                    "claimRef": {"namespace": namespace, "name": claim},
                    "hostPath": {"path": str(run_dir / "volumes" / namespace / claim)},
                },
            })
    return volumes


def kwok_configuration(stage_dir: Path) -> str:
    """kwok's --config: its options, then the stage files of its own module."""
    options: Obj = {
        "apiVersion": "config.kwok.x-k8s.io/v1alpha1", "kind": "KwokConfiguration",
        "options": {"manageAllNodes": False, "manageNodesWithAnnotationSelector": f"{FAKE_NODE_ANNOTATION}=fake",
                    "serverAddress": "127.0.0.1:10247", "cidr": "10.244.0.0/16", "nodeIP": "10.244.255.1",
                    "nodeLeaseDurationSeconds": KWOK_LEASE_SECONDS, **KWOK_PARALLELISM},
    }
    parts = [json.dumps(options)]
    for stage in KWOK_STAGES:
        parts.append((stage_dir / stage).read_text(encoding="utf-8").strip())
    return "\n---\n".join(parts) + "\n"


def argocd_settings() -> list[Obj]:
    """What argocd-server and the install manifests would have created: the namespace, the settings Argo CD's
    controllers read (labelled as its install labels them), and the `default` project."""
    part_of = {"app.kubernetes.io/part-of": "argocd"}
    def config_map(name: str, data: dict[str, str] | None = None) -> Obj:
        return {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": ARGOCD_NAMESPACE, "labels": part_of}, "data": data or {}}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ARGOCD_NAMESPACE}},
        config_map("argocd-cm", {"timeout.reconciliation": "10s"}),
        config_map("argocd-rbac-cm"), config_map("argocd-cmd-params-cm"), config_map("argocd-gpg-keys-cm"),
        config_map("argocd-tls-certs-cm"), config_map("argocd-ssh-known-hosts-cm"),
        {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
         "metadata": {"name": "argocd-secret", "namespace": ARGOCD_NAMESPACE, "labels": part_of}},
        {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
         "metadata": {"name": "default", "namespace": ARGOCD_NAMESPACE},
         "spec": {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}],
                  "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}},
    ]


def crd_objects(crd_files: Iterable[Path], used_versions: set[str]) -> list[Obj]:
    """One CRD per name: of two files defining a name (Strimzi 0.48's v1beta2 and 1.x's v1), the one serving
    every apiVersion the overlay uses."""
    by_name: dict[str, list[Obj]] = {}
    for path in sorted(crd_files):
        for crd in load_objects(path.read_text(encoding="utf-8"), source=str(path)):
            if crd.get("kind") == "CustomResourceDefinition":
                by_name.setdefault(name_of(crd), []).append(crd)
    chosen = []
    for candidates in by_name.values():
        def served(crd: Obj) -> set[str]:
            spec = as_map(crd.get("spec"))
            return {f"{spec.get('group')}/{v.get('name')}" for v in spec.get("versions") or [] if v.get("served")}
        group = as_map(candidates[0].get("spec")).get("group")
        wanted = {v for v in used_versions if v.startswith(f"{group}/")}
        chosen.append(next((c for c in candidates if wanted <= served(c)), candidates[0]))
    return chosen
