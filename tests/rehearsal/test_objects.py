"""The objects a rehearsal adds, as data (no cluster): nodes of the declared size, volumes for every claim,
the CRD serving the overlay's apiVersion, kwok's configuration; and the missing-program message."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit import tools
from rosgit.catalog import load_catalog
from rosgit.rehearsal import objects as O
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
