"""An upgrade on a rehearsed overlay: a catalog change (an image bump, a ConfigMap value), the tree regenerated,
committed and synced: exactly the workloads whose pod template changed roll (hashed ConfigMaps change the
template), every migration hook runs again, and every object of the new tree is there afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_an_upgrade_rolls_exactly_the_changed_workloads_and_reruns_the_migrations(tmp_path: Path) -> None:
    need_programs()
    upgrades: list[Upgrade] = []

    def upgrade(run: Rehearsal) -> None:
        upgrades.append(rehearse_upgrade(run, bump))

    outcome = rehearse(REPO_ROOT, REPO_ROOT / "rosgit.yaml", "minimal", tmp_path, timeout=TIMEOUT, keep=upgrade)
    assert outcome.ok, outcome.problems
    (done,) = upgrades
    assert {"Deployment/rosocp-api", "StatefulSet/trino-coordinator"} <= done.expected_rolls
    assert "Deployment/koku-api-reads" not in done.expected_rolls
    assert done.rolled == done.expected_rolls
    assert done.hooks and done.hooks_rerun == done.hooks
    assert done.missing == []
    assert outcome.leftovers == []
