"""What a rehearsal proves, on each of this checkout's overlays (one rehearsal, one test, so that pytest-xdist
never rehearses an overlay twice): the real API server admits every object under Pod Security `restricted`,
every pod lands on a node of the profile's target cluster, Argo CD syncs data → migrations → apps → edge with
each hook once, every Application ends Synced/Healthy, the real controller unseals what `rosgit seal` sealed,
and no process of the run is left."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.k8s.meta import as_map, name_of
from rosgit.rehearsal.engine import Outcome, rehearse
from rosgit.rehearsal.objects import target_cluster
from rosgit.rehearsal.verdict import roles
from tests.conftest import REPO_ROOT
from tests.rehearsal.conftest import TIMEOUT, need_programs, problems

pytestmark = pytest.mark.rehearsal
CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")
OVERLAYS = [o.name for o in CATALOG.overlays]


def admitted_under_restricted(outcome: Outcome, namespace: str) -> None:
    assert problems(outcome, "admission") == []
    live = next(n for n in outcome.snapshot.namespaces if name_of(n) == namespace)
    assert as_map(as_map(live.get("metadata")).get("labels"))["pod-security.kubernetes.io/enforce"] == "restricted"
    assert outcome.snapshot.of_kind("Pod"), "no pod was created at all"


def scheduled_on_the_declared_nodes(outcome: Outcome, profile: str) -> None:
    assert problems(outcome, "scheduling") == []
    declared = target_cluster(CATALOG, profile)
    nodes = outcome.snapshot.nodes
    assert len(nodes) == declared.nodes
    assert {as_map(as_map(n.get("status")).get("allocatable")).get("cpu") for n in nodes} == {declared.cpu}
    assert {as_map(p.get("spec")).get("nodeName") for p in outcome.snapshot.of_kind("Pod")} <= {
        name_of(n) for n in nodes}


def synced_in_order_with_each_hook_once(outcome: Outcome) -> None:
    assert problems(outcome, "order") == [] and problems(outcome, "hooks") == []
    parts = roles([o for o in outcome.snapshot.objects if o.get("kind") != "Pod"])
    assert {name_of(j) for j in parts.migrations} >= {"koku-migrate", "ros-db-migrate"}
    assert parts.databases and parts.apps and parts.edge
    assert outcome.timeline


def synced_and_healthy(outcome: Outcome) -> None:
    assert problems(outcome, "argocd") == [] and problems(outcome, "timeout") == []
    assert len(outcome.snapshot.applications) == 2  # the root and the overlay's own


def unsealed_to_the_sealed_values(outcome: Outcome) -> None:
    assert problems(outcome, "unseal") == []
    sealed = {name_of(o) for o in outcome.snapshot.of_kind("SealedSecret")}
    assert sealed and sealed <= {key.split("/")[1] for key in outcome.snapshot.secrets}
    assert {secret for secret, _ in outcome.values} >= sealed


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_rehearsal_proves_every_claim(tmp_path: Path, overlay: str) -> None:
    need_programs()
    spec = next(o for o in CATALOG.overlays if o.name == overlay)
    outcome = rehearse(REPO_ROOT, REPO_ROOT / "rosgit.yaml", overlay, tmp_path, timeout=TIMEOUT)
    admitted_under_restricted(outcome, CATALOG.namespace_of(spec))
    scheduled_on_the_declared_nodes(outcome, spec.profile)
    synced_in_order_with_each_hook_once(outcome)
    synced_and_healthy(outcome)
    unsealed_to_the_sealed_values(outcome)
    assert outcome.ok, outcome.problems
    assert outcome.leftovers == []
