"""The objects a rehearsal adds, as data (no cluster): nodes of the declared size, volumes for every claim,
the CRD serving the overlay's apiVersion, kwok's configuration; the missing-program message; and the verdict's
pure parts that a live run may not show (a self-heal after the sync, the Helm claims' messages)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from rosgit import tools
from rosgit.catalog import load_catalog
from rosgit.rehearsal import helm as H
from rosgit.rehearsal import objects as O
from rosgit.rehearsal import verdict as V
from rosgit.rehearsal.engine import VENDORED_CRDS
from tests.conftest import REPO_ROOT
from tests.rehearsal.conftest import need_programs


def test_each_profile_has_a_target_cluster_and_the_plans_minimum_holds() -> None:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    minimal = O.target_cluster(catalog, "minimal")
    nodes = O.node_objects(minimal)
    cores = sum(int(n["status"]["allocatable"]["cpu"]) for n in nodes)
    assert 10 <= cores <= 12 and minimal.memory == "8Gi" and len(nodes) * 8 in range(24, 31)
    assert {o.profile for o in catalog.overlays} <= {p for p in catalog.profiles
                                                      if catalog.profiles[p].target_cluster is not None}
    assert all(n["metadata"]["annotations"][O.FAKE_NODE_ANNOTATION] == "fake" for n in nodes)


def test_every_claim_of_a_statefulset_replica_gets_a_prebound_volume(tmp_path: Path) -> None:
    sts = {"kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"replicas": 2, "volumeClaimTemplates": [
               {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "3Gi"}},
                                                       "storageClassName": "fast"}}]}}
    volumes = O.volume_objects([sts], "ns", tmp_path)
    assert [(v["spec"]["claimRef"]["name"], v["spec"]["storageClassName"], v["spec"]["capacity"]["storage"])
            for v in volumes] == [("data-db-0", "fast", "3Gi"), ("data-db-1", "fast", "3Gi")]


def test_the_strimzi_crd_chosen_serves_the_overlays_api_version() -> None:
    crds = {c["metadata"]["name"]: c for c in O.crd_objects(VENDORED_CRDS.glob("*.yaml"), {"kafka.strimzi.io/v1beta2"})}
    served = {v["name"] for v in crds["kafkas.kafka.strimzi.io"]["spec"]["versions"] if v["served"]}
    assert "v1beta2" in served


def test_kwok_gets_its_parallelism_and_stages(tmp_path: Path) -> None:
    for stage in O.KWOK_STAGES:
        (tmp_path / stage).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / stage).write_text(f"kind: Stage\nmetadata: {{name: {Path(stage).stem}}}\n", encoding="utf-8")
    text = O.kwok_configuration(tmp_path)
    assert all(f'"{key}": 4' in text for key in O.KWOK_PARALLELISM)
    assert text.count("kind: Stage") == len(O.KWOK_STAGES)


def test_a_missing_program_is_one_line_with_its_install_command(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools, "tool_dirs", lambda: [tmp_path / "bin"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"etcd v3\.6\.16 is not installed; run "
                       r"scripts/install-tools.sh --kind gomod"):
        need_programs()


def _app_version(version: int, started: str, phase: str, hooks: list[dict[str, str]],
                 only: list[dict[str, str]] | None = None) -> dict[str, Any]:
    sync: dict[str, Any] = {"revision": "abc"}
    if only:
        sync["resources"] = only
    return {"kind": "Application", "metadata": {"name": "ros-ocp-minimal", "resourceVersion": str(version)},
            "status": {"operationState": {"startedAt": started, "phase": phase, "operation": {"sync": sync},
                                          "syncResult": {"revision": "abc", "resources": hooks}}}}


def test_a_self_heal_after_the_sync_does_not_hide_its_hooks() -> None:
    """The upgrade test's flake under load ("ran 0 time(s) in the sync result"): right after the sync, a
    self-heal (a selective sync of what drifted, which runs no hooks) replaces the Application's
    operationState; the hooks are judged from the full sync the watch saw end."""
    hook = {"kind": "Job", "name": "koku-migrate", "hookType": "Sync", "hookPhase": "Succeeded"}
    versions = [
        _app_version(30, "2026-12-01T10:01:00Z", "Succeeded", [],
                     only=[{"kind": "Deployment", "name": "koku-api-reads"}]),
        _app_version(10, "2026-12-01T10:00:00Z", "Running", [{**hook, "hookPhase": "Running"}]),
        _app_version(20, "2026-12-01T10:00:00Z", "Succeeded", [hook]),
    ]
    text = "".join(json.dumps(v, indent=2) + "\n" for v in versions) + '{"kind": "Applic'  # a torn last write
    history = V.operations(V.stream_objects(text), "ros-ocp-minimal")
    assert [op["phase"] for op in history] == ["Succeeded", "Succeeded"]
    job = {"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": "koku-migrate", "annotations": {"argocd.argoproj.io/hook": "Sync"}}}
    snapshot = V.Snapshot(job_uids={"ros-ocp/koku-migrate": {"uid-1"}})
    latest = history[-1]  # what the Application's status holds now
    assert [p.line() for p in V.hook_problems(snapshot, [job], "ros-ocp", latest)] == [
        "hooks: Job/koku-migrate: ran 0 time(s) in the sync result and 1 Job object(s) were seen, "
        "expected exactly one"]
    full = V.full_sync(history, "abc")
    assert full is history[0] and V.hook_problems(snapshot, [job], "ros-ocp", full) == []
    base = datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)
    lines = V.timeline(snapshot, [], "ros-ocp", base, full, history)
    assert lines[-1] == "then selective sync (self-heal, no hooks) of Deployment/koku-api-reads at +60s: Succeeded"


def test_helm_claims_name_a_changed_value_a_lost_secret_and_a_leftover() -> None:
    before = {"redis-credentials": {"password": "YQ=="}, "koku-db-credentials": {"password": "Yg=="}}
    after = {"redis-credentials": {"password": "Yw=="}, "koku-db-credentials": {"password": "Yg=="}}
    assert [p.line() for p in H.upgrade_problems(before, after)] == [
        "helm-upgrade: Secret/redis-credentials: key(s) password changed by helm upgrade (the chart's lookup did "
        "not keep the live values)"]
    kept = {"kind": "Secret", "metadata": {"name": "koku-db-credentials", "annotations": {H.KEEP: "keep"}}}
    unkept = {"kind": "Secret", "metadata": {"name": "redis-credentials"}}
    service = {"kind": "Service", "metadata": {"name": "redis"}}
    lines = [p.line() for p in H.uninstall_problems([kept, unkept, service], {"Secret/koku-db-credentials",
                                                                              "Service/redis"})]
    assert lines == [
        "helm-uninstall: Secret/redis-credentials: a generated Secret without helm.sh/resource-policy: keep: helm "
        "uninstall deletes the values the databases were initialised with",
        "helm-uninstall: Service/redis: left by helm uninstall without helm.sh/resource-policy: keep"]


def test_the_helm_install_claim_names_a_missing_object_an_extra_one_and_a_pod_shortfall() -> None:
    expected = [H.as_installed({"kind": "SealedSecret", "metadata": {"name": "redis-credentials"}}),
                {"kind": "Service", "metadata": {"name": "redis"}}]
    overlay_live = {"Secret/redis-credentials", "Service/redis", "ConfigMap/kube-root-ca.crt"}
    release_live = {"Secret/redis-credentials", "ConfigMap/kube-root-ca.crt", "ConfigMap/planted"}
    assert [p.line() for p in H.object_problems(expected, overlay_live, release_live)] == [
        "helm-install: Service/redis: in the overlay, not installed by the chart",
        "helm-install: ConfigMap/planted: installed by the chart, not in the overlay"]
    assert [p.line() for p in H.pod_problems({"Deployment/redis": 1}, {})] == [
        "helm-install: Deployment/redis: 0 pod(s), the overlay's 1"]
