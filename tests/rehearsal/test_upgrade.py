"""An upgrade on a rehearsed overlay: a catalog change (an image bump, a ConfigMap value), the tree regenerated,
committed and synced: exactly the workloads whose pod template changed roll (hashed ConfigMaps change the
template), every migration hook runs again, and every object of the new tree is there afterwards. Before it, a
drift (a Deployment scaled by hand) that Argo CD's self-heal undoes with a selective sync, which runs no hooks
and replaces the Application's operationState: the hooks are still judged from the full sync (this test's
flake under load, when something drifted right after the sync)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rosgit.k8s.meta import as_map, name_of
from rosgit.rehearsal import verdict as V
from rosgit.rehearsal.engine import Rehearsal, rehearse
from rosgit.rehearsal.upgrade import Upgrade, rehearse_upgrade
from tests.conftest import REPO_ROOT
from tests.rehearsal.conftest import TIMEOUT, need_programs

pytestmark = pytest.mark.rehearsal


def bump(catalog: Path) -> None:
    text = catalog.read_text(encoding="utf-8")
    for old, new in (("ros-ocp-backend:ae8c990", "ros-ocp-backend:ae8c991"),
                     ("trinoQueryMaxMemory: 1GB", "trinoQueryMaxMemory: 2GB")):
        assert old in text
        text = text.replace(old, new, 1)
    catalog.write_text(text, encoding="utf-8")


def self_heal(run: Rehearsal, timeout: float = 180) -> tuple[list[str], list[str], list[str]]:
    """Scale a Deployment by hand and wait for the self-heal; (what it synced, the hooks judged from the
    Application's operationState now, judged from the full sync)."""
    run.cluster.kubectl(["scale", "deployment.apps/koku-api-reads", "-n", run.namespace, "--replicas=3"])
    deadline = time.monotonic() + timeout
    while len(history := run.history()) < 2 or history[-1].get("phase") != "Succeeded":
        assert time.monotonic() < deadline, f"no self-heal after {timeout:g}s: {history}"
        time.sleep(2)
    snap = run.snapshot()
    live = next(a for a in snap.applications if name_of(a) == run.application)
    now = as_map(as_map(live.get("status")).get("operationState"))
    return (V.selective(history[-1]), [p.line() for p in V.hook_problems(snap, run.objects, run.namespace, now)],
            [p.line() for p in V.hook_problems(snap, run.objects, run.namespace, V.full_sync(history))])


def test_an_upgrade_rolls_exactly_the_changed_workloads_and_reruns_the_migrations(tmp_path: Path) -> None:
    need_programs()
    upgrades: list[Upgrade] = []
    healed: list[tuple[list[str], list[str], list[str]]] = []

    def upgrade(run: Rehearsal) -> None:
        healed.append(self_heal(run))
        upgrades.append(rehearse_upgrade(run, bump))

    outcome = rehearse(REPO_ROOT, REPO_ROOT / "rosgit.yaml", "minimal", tmp_path, timeout=TIMEOUT, keep=upgrade)
    assert outcome.ok, outcome.problems
    ((synced, judged_now, judged_full),) = healed
    assert "Deployment/koku-api-reads" in synced
    assert judged_now and all("ran 0 time(s) in the sync result" in line for line in judged_now)
    assert judged_full == []
    (done,) = upgrades
    assert {"Deployment/rosocp-api", "StatefulSet/trino-coordinator"} <= done.expected_rolls
    assert "Deployment/koku-api-reads" not in done.expected_rolls
    assert done.rolled == done.expected_rolls
    assert done.hooks and done.hooks_rerun == done.hooks
    assert done.missing == []
    assert outcome.leftovers == []
