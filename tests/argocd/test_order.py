"""The apply order Argo CD derives from the wave and hook annotations of each built overlay: every migration
Job runs after its database and the Secrets and config it needs, and before the workloads using that database."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rosgit.argocd.order import apply_order, migration_chains, order_violations, step_of
from rosgit.k8s.argo import HOOK, SYNC_WAVE

Obj = dict[str, Any]
OVERLAYS = ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_sit_between_their_database_and_its_users(
    built: dict[str, list[Obj]], overlay: str
) -> None:
    objects = built[overlay]
    order = apply_order(objects)
    chains = migration_chains(objects)
    assert {chain.job.name for chain in chains} == {"ros-db-migrate", "koku-migrate"}
    for chain in chains:
        job = chain.job
        assert chain.databases, f"{job.name} uses no database"
        assert {s.kind for s in chain.needs} >= {"SealedSecret"}, f"{job.name} reads no Secret"
        assert chain.users, f"no workload uses the database of {job.name}"
        for before in (*chain.databases, *chain.needs):
            assert before.barrier < job.barrier, f"{before.describe()} is not ready before {job.describe()}"
            assert order.index(before) < order.index(job)
        for user in chain.users:
            assert job.barrier < user.barrier, f"{user.describe()} may start before {job.describe()} finished"
            assert order.index(job) < order.index(user)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_workload_starts_before_what_it_reads(built: dict[str, list[Obj]], overlay: str) -> None:
    assert [v.message() for v in order_violations(built[overlay])] == []


def _with_wave(objects: list[Obj], kind: str, name: str, wave: int) -> list[Obj]:
    changed = copy.deepcopy(objects)
    for obj in changed:
        if obj["kind"] == kind and obj["metadata"]["name"] == name:
            obj["metadata"].setdefault("annotations", {})[SYNC_WAVE] = str(wave)
    return changed


def test_a_late_migration_is_caught(built: dict[str, list[Obj]]) -> None:
    objects = _with_wave(built["prod"], "Job", "koku-migrate", 10)
    chain = next(c for c in migration_chains(objects) if c.job.name == "koku-migrate")
    assert not all(chain.job.barrier < user.barrier for user in chain.users)


def test_a_database_in_the_migration_wave_is_caught(built: dict[str, list[Obj]]) -> None:
    objects = _with_wave(built["prod"], "StatefulSet", "ros-db", 0)
    messages = [v.message() for v in order_violations(objects)]
    assert any("Job/ros-db-migrate" in m and "StatefulSet/ros-db" in m for m in messages)


def test_secret_after_its_reader_is_caught(built: dict[str, list[Obj]]) -> None:
    objects = _with_wave(built["minimal"], "SealedSecret", "koku-django-secret", 10)
    messages = [v.message() for v in order_violations(objects)]
    assert any("koku-django-secret" in m and "Job/koku-migrate" in m for m in messages)


def test_hook_phases_order_before_waves() -> None:
    pre = {"kind": "Job", "metadata": {"name": "a", "annotations": {HOOK: "PreSync", SYNC_WAVE: "50"}}}
    plain = {"kind": "ConfigMap", "metadata": {"name": "b", "annotations": {SYNC_WAVE: "-50"}}}
    post = {"kind": "Job", "metadata": {"name": "c", "annotations": {HOOK: "PostSync", SYNC_WAVE: "-99"}}}
    assert apply_order([post, plain, pre]) == [step_of(pre), step_of(plain), step_of(post)]
