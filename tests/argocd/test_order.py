"""The sync order of every built overlay, as the one sync-order model sees it: every migration Job runs after
its database and the Secrets and config it needs, and before the workloads using that database; and the
Argo CD stage reports the order of the argocd/ objects themselves (ROS530)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from rosgit.argocd.check import check_argocd
from rosgit.argocd.order import order_findings
from rosgit.build import Builds, BuiltOverlay
from rosgit.catalog.model import Catalog
from rosgit.k8s.argo import HOOK, SYNC_WAVE
from rosgit.k8s.meta import ref
from rosgit.k8s.podspec import pod_references, pod_templates
from rosgit.k8s.syncorder import is_database, position_of, sync_violations, uses

Obj = dict[str, Any]
OVERLAYS = ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_sit_between_their_database_and_its_users(
    built: dict[str, list[Obj]], overlay: str
) -> None:
    objects = built[overlay]
    templates = {t.workload: t for t in pod_templates(objects)}
    graph = uses(objects)
    databases = {w for w, t in templates.items() if is_database(t)}
    migrations = {w for w, t in templates.items() if t.kind == "Job" and graph[w] & databases}
    # insights-rbac's own migration where the overlay's authorization mode is rbac (the prod profile)
    rbac = {"rbac-migrate"} if overlay.endswith("prod") else set()
    assert migrations == {"ros-db-migrate", "koku-migrate"} | rbac
    sealed = {
        ("Secret", o["spec"]["template"]["metadata"]["name"]): o
        for o in objects
        if o["kind"] == "SealedSecret"
    }
    for name in migrations:
        job = position_of(templates[name].owner)
        assert job is not None and job.phase == 1, f"{name} is not in the Sync phase"
        dbs = graph[name] & databases
        assert dbs, f"{name} uses no database"
        needs = [
            sealed[(r.kind, r.name)]
            for w in (name, *dbs)
            for r in pod_references(templates[w])
            if (r.kind, r.name) in sealed
        ]
        assert needs, f"{name} reads no SealedSecret"
        users = [w for w in templates if graph[w] & dbs and w not in databases | migrations]
        assert users, f"no workload uses the database of {name}"
        for before in [templates[d].owner for d in dbs] + needs:
            position = position_of(before)
            assert position is not None and position.barrier < job.barrier, (
                f"{ref(before)} is not ready before {name}"
            )
        for user in users:
            position = position_of(templates[user].owner)
            assert position is not None and job.barrier < position.barrier, (
                f"{user} may start before {name} finished"
            )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_workload_starts_before_what_it_reads(built: dict[str, list[Obj]], overlay: str) -> None:
    assert [v.message for v in sync_violations(built[overlay])] == []


def _with_wave(objects: list[Obj], kind: str, name: str, wave: int) -> list[Obj]:
    changed = copy.deepcopy(objects)
    for obj in changed:
        if obj["kind"] == kind and obj["metadata"]["name"] == name:
            obj["metadata"].setdefault("annotations", {})[SYNC_WAVE] = str(wave)
    return changed


def _defects(objects: list[Obj]) -> set[tuple[str, str, str]]:
    return {(v.rule, ref(v.subject), ref(v.needed) if v.needed else "") for v in sync_violations(objects)}


def test_a_late_migration_is_caught(built: dict[str, list[Obj]]) -> None:
    defects = _defects(_with_wave(built["prod"], "Job", "koku-migrate", 10))
    assert ("migration", "Deployment/ros-ocp-prod/koku-masu", "Job/ros-ocp-prod/koku-migrate") in defects
    assert not any(needed == "Job/ros-ocp-prod/ros-db-migrate" for _, _, needed in defects)


def test_a_database_in_the_migration_wave_is_caught(built: dict[str, list[Obj]]) -> None:
    defects = _defects(_with_wave(built["prod"], "StatefulSet", "ros-db", 0))
    assert ("database", "Job/ros-ocp-prod/ros-db-migrate", "StatefulSet/ros-ocp-prod/ros-db") in defects


def test_secret_after_its_reader_is_caught(built: dict[str, list[Obj]]) -> None:
    defects = _defects(_with_wave(built["minimal"], "SealedSecret", "koku-django-secret", 10))
    assert ("config", "Job/ros-ocp/koku-migrate", "SealedSecret/ros-ocp/koku-django-secret") in defects


def test_hook_phases_order_before_waves() -> None:
    pre = {"kind": "Job", "metadata": {"name": "a", "annotations": {HOOK: "PreSync", SYNC_WAVE: "50"}}}
    plain = {"kind": "ConfigMap", "metadata": {"name": "b", "annotations": {SYNC_WAVE: "-50"}}}
    post = {"kind": "Job", "metadata": {"name": "c", "annotations": {HOOK: "PostSync", SYNC_WAVE: "-99"}}}
    assert sorted([post, plain, pre], key=position_of) == [pre, plain, post]  # type: ignore[arg-type]


def test_argocd_objects_with_an_unreadable_wave_are_reported_once(tmp_path: Path, generated: Path) -> None:
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "argocd", "annotations": {SYNC_WAVE: "ten"}},
    }
    findings = order_findings([("argocd/applications/a.yaml", app)])
    assert [(f.id, f.object, f.source, f.message) for f in findings] == [
        ("ROS530", "Application/argocd/a", "argocd/applications/a.yaml", "sync-wave 'ten' is not an integer")
    ]


def test_the_argocd_stage_leaves_overlay_order_to_lint(
    generated: Path, catalog: Catalog, built: dict[str, list[Obj]]
) -> None:
    broken = _with_wave(built["minimal"], "SealedSecret", "koku-django-secret", 10)
    objects = {name: objs for name, objs in built.items()} | {"minimal": broken}
    builds = Builds(
        "kustomize",
        [
            BuiltOverlay((generated / "overlays" / name).resolve(), "", objs, "kustomize")
            for name, objs in objects.items()
        ],
    )
    findings = check_argocd(generated, catalog, builds=builds)
    assert [f.line() for f in findings if f.id == "ROS530"] == []
