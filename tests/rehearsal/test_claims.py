"""What a rehearsal proves, on this checkout's overlays (each rehearsed once per test process): the real API
server admits every object under Pod Security `restricted`, every pod lands on a node of the profile's target
cluster, Argo CD syncs data → migrations → apps → edge with each hook once, every Application ends
Synced/Healthy, the real controller unseals what `rosgit seal` sealed, and nothing is left running."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rosgit.catalog import load_catalog
from rosgit.k8s.meta import as_map, name_of
from rosgit.rehearsal.engine import Outcome
from rosgit.rehearsal.objects import target_cluster
from rosgit.rehearsal.verdict import roles
from tests.conftest import REPO_ROOT
from tests.rehearsal.conftest import problems

pytestmark = pytest.mark.rehearsal
OVERLAYS = ["openshift-minimal", "minimal"]
Rehearsed = Callable[[str], Outcome]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_admitted_under_restricted(rehearsed: Rehearsed, overlay: str) -> None:
    outcome = rehearsed(overlay)
    assert problems(outcome, "admission") == []
    namespace = load_catalog(REPO_ROOT / "rosgit.yaml").namespace_of(
        next(o for o in load_catalog(REPO_ROOT / "rosgit.yaml").overlays if o.name == overlay))
    live = next(n for n in outcome.snapshot.namespaces if name_of(n) == namespace)
    assert as_map(as_map(live.get("metadata")).get("labels"))["pod-security.kubernetes.io/enforce"] == "restricted"
    assert outcome.snapshot.of_kind("Pod"), "no pod was created at all"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_is_scheduled_on_the_declared_nodes(rehearsed: Rehearsed, overlay: str) -> None:
    outcome = rehearsed(overlay)
    assert problems(outcome, "scheduling") == []
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    declared = target_cluster(catalog, next(o for o in catalog.overlays if o.name == overlay).profile)
    nodes = outcome.snapshot.nodes
    assert len(nodes) == declared.nodes
    assert {as_map(as_map(n.get("status")).get("allocatable")).get("cpu") for n in nodes} == {declared.cpu}
    on = {as_map(p.get("spec")).get("nodeName") for p in outcome.snapshot.of_kind("Pod")}
    assert on <= {name_of(n) for n in nodes}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_argocd_syncs_in_the_intended_order_with_each_hook_once(rehearsed: Rehearsed, overlay: str) -> None:
    outcome = rehearsed(overlay)
    assert problems(outcome, "order") == []
    assert problems(outcome, "hooks") == []
    built = [o for o in outcome.snapshot.objects if o.get("kind") == "Job"]
    assert built, "no Job ran"
    assert outcome.timeline, "no timeline"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_application_ends_synced_and_healthy(rehearsed: Rehearsed, overlay: str) -> None:
    outcome = rehearsed(overlay)
    assert problems(outcome, "argocd") == [] and problems(outcome, "timeout") == []
    assert len(outcome.snapshot.applications) == 2  # the root and the overlay's own
    assert outcome.ok, outcome.problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_controller_unseals_the_values_given_to_rosgit_seal(rehearsed: Rehearsed, overlay: str) -> None:
    outcome = rehearsed(overlay)
    assert problems(outcome, "unseal") == []
    sealed = {name_of(o) for o in outcome.snapshot.of_kind("SealedSecret")}
    assert sealed and sealed <= {key.split("/")[1] for key in outcome.snapshot.secrets}
    assert {secret for secret, _ in outcome.values} >= sealed


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_migrations_are_the_jobs_the_order_is_judged_by(rehearsed: Rehearsed, overlay: str) -> None:
    parts = roles([o for o in rehearsed(overlay).snapshot.objects if o.get("kind") != "Pod"])
    assert {name_of(j) for j in parts.migrations} >= {"koku-migrate", "ros-db-migrate"}
    assert parts.databases and parts.apps


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_process_of_the_run_is_left(rehearsed: Rehearsed, overlay: str) -> None:
    assert rehearsed(overlay).leftovers == []
