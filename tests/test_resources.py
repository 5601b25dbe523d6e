"""`rosgit resources` agrees with sums computed independently from the objects the real kustomize builds."""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.resources import render_table, summarize
from tests.conftest import REPO_ROOT, require_real_tool, run_rosgit

UNITS = {
    "": 1,
    "m": 0.001,
    "Ki": 1024,
    "Mi": 1024**2,
    "Gi": 1024**3,
    "Ti": 1024**4,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
}


def amount(text: Any) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(text)).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def independent_sums(objects: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for obj in objects:
        group = obj["metadata"].get("labels", {}).get("rosgit.io/group", "other")
        if obj["kind"] == "PersistentVolumeClaim":
            sums[group]["storage"] += amount(obj["spec"]["resources"]["requests"]["storage"])
        if obj["kind"] not in ("Deployment", "StatefulSet"):
            continue
        replicas = obj["spec"].get("replicas", 1)
        pod = obj["spec"]["template"]["spec"]
        sums[group]["pods"] += replicas
        for kind in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                main = sum(amount(c["resources"][kind][resource]) for c in pod["containers"])
                init = max(
                    (amount(c["resources"][kind][resource]) for c in pod.get("initContainers", [])), default=0
                )
                sums[group][f"{resource}_{kind}"] += replicas * max(main, init)
        for claim in obj["spec"].get("volumeClaimTemplates", []):
            sums[group]["storage"] += replicas * amount(claim["spec"]["resources"]["requests"]["storage"])
    return sums


@pytest.mark.tools
def test_resources_json_matches_independent_sums() -> None:
    kustomize = require_real_tool("kustomize")
    built = subprocess.run(
        [str(kustomize), "build", str(REPO_ROOT / "overlays/minimal")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expected = independent_sums([d for d in yaml.safe_load_all(built) if d])

    result = run_rosgit("resources", "overlays/minimal", "--output", "json", "--engine", "kustomize")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)

    assert set(report["groups"]) == set(expected)
    for group, sums in expected.items():
        row = report["groups"][group]
        assert row["pods"] == sums["pods"], group
        assert row["cpuRequestsMillicores"] == pytest.approx(sums["cpu_requests"] * 1000), group
        assert row["cpuLimitsMillicores"] == pytest.approx(sums["cpu_limits"] * 1000), group
        assert row["memoryRequestsBytes"] == pytest.approx(sums["memory_requests"]), group
        assert row["memoryLimitsBytes"] == pytest.approx(sums["memory_limits"]), group
        assert row["storageBytes"] == pytest.approx(sums["storage"]), group
    total = report["total"]
    assert total["pods"] == sum(s["pods"] for s in expected.values())
    assert total["cpuRequestsMillicores"] == pytest.approx(
        sum(s["cpu_requests"] for s in expected.values()) * 1000
    )
    assert total["storageBytes"] == pytest.approx(sum(s["storage"] for s in expected.values()))


def test_text_table_has_a_total_row() -> None:
    objects = [
        {
            "kind": "Deployment",
            "metadata": {"name": "a", "labels": {"rosgit.io/group": "koku"}},
            "spec": {
                "replicas": 2,
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "resources": {
                                    "requests": {"cpu": "250m", "memory": "1Gi"},
                                    "limits": {"cpu": "1", "memory": "2Gi"},
                                }
                            }
                        ]
                    }
                },
            },
        },
    ]
    table = render_table(summarize(objects), "text")
    assert re.search(r"^koku\s+2\s+0\.50\s+2\.00\s+2\.0Gi\s+4\.0Gi\s+0\.0Gi$", table, re.M)
    assert re.search(r"^TOTAL\s+2\s+0\.50", table, re.M)


def test_bad_quantity_names_the_object() -> None:
    objects = [
        {
            "kind": "Deployment",
            "metadata": {"name": "broken"},
            "spec": {"template": {"spec": {"containers": [{"resources": {"requests": {"cpu": "lots"}}}]}}},
        }
    ]
    with pytest.raises(Exception, match=r"Deployment/broken: invalid quantity 'lots'"):
        summarize(objects)


PLAN_SECTION = (
    "../shared/reference/single-chart-implementation-plan.md, Resource Requirements (Minimal Development Profile)"
)


def test_the_plans_minimal_totals_stand_beside_the_real_ones() -> None:
    """The seed plan's table stays visible: a PLAN row, the difference, and why (from the catalog)."""
    result = run_rosgit("resources", "overlays/minimal")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    plan = next(line for line in lines if line.startswith("PLAN "))
    assert plan.split()[1:] == ["36", "8.00", "14.00", "19.0Gi", "34.0Gi", "72.0Gi"]
    difference = next(line for line in lines if line.startswith("vs PLAN"))
    total = next(line for line in lines if line.startswith("TOTAL"))
    assert difference.split()[2] == f"{int(total.split()[1]) - 36:+d}"
    assert any(PLAN_SECTION in line for line in lines)
    assert any("ocp" in line and "cost_model" in line for line in lines if line.startswith("  - "))
    as_json = json.loads(run_rosgit("resources", "overlays/minimal", "-o", "json").stdout)
    assert as_json["plan"]["cpuRequestsMillicores"] == 8000 and as_json["plan"]["source"] == PLAN_SECTION
    assert as_json["plan"]["differences"]


def test_an_overlay_whose_profile_has_no_plan_prints_no_plan_row() -> None:
    result = run_rosgit("resources", "overlays/prod")
    assert result.returncode == 0, result.stderr
    assert not any(line.startswith(("PLAN", "vs PLAN")) for line in result.stdout.splitlines())


def test_an_overlay_name_is_the_same_as_its_directory() -> None:
    by_name = run_rosgit("resources", "minimal")
    assert by_name.returncode == 0, by_name.stderr
    assert by_name.stdout == run_rosgit("resources", "overlays/minimal").stdout


def test_an_unknown_overlay_name_is_one_line_listing_the_known_ones() -> None:
    result = run_rosgit("resources", "minimall")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    known = [o.name for o in load_catalog(REPO_ROOT / "rosgit.yaml").overlays]
    assert result.stderr.startswith("rosgit: no overlay 'minimall' (catalog overlays: " + ", ".join(known))


def _running(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] in ("Deployment", "StatefulSet")}


def test_each_plan_row_sums_the_workloads_it_stands_for_beside_its_figures() -> None:
    """Per plan row: the workloads the catalog row names (by pattern, then group), their sums computed
    here from the built objects, the row's own figures, and its reasons under it in the text."""
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    plan = catalog.profiles["minimal"].plan
    assert plan is not None and [r.name for r in plan.rows]
    objects = build_objects(REPO_ROOT / "overlays/minimal")
    running = _running(objects)
    report = json.loads(run_rosgit("resources", "minimal", "-o", "json").stdout)
    rows = {row["name"]: row for row in report["plan"]["rows"]}
    assert list(rows) == [r.name for r in plan.rows]  # every workload has a row: no "not in the plan"
    assert sorted(w for row in rows.values() for w in row["workloads"]) == sorted(running)
    for spec in plan.rows:
        row = rows[spec.name]
        for name in row["workloads"]:
            named = any(fnmatchcase(name, p) for p in spec.components)
            group = running[name]["metadata"]["labels"]["rosgit.io/group"]
            assert named or group in spec.groups, (spec.name, name)
        sums = independent_sums([running[name] for name in row["workloads"]])
        assert row["real"]["pods"] == sum(s["pods"] for s in sums.values()), spec.name
        cpu_requests = sum(s["cpu_requests"] for s in sums.values()) * 1000
        assert row["real"]["cpuRequestsMillicores"] == pytest.approx(cpu_requests), spec.name
        assert row["real"]["memoryLimitsBytes"] == pytest.approx(sum(s["memory_limits"] for s in sums.values()))
        assert row["plan"]["pods"] == spec.pods
        assert row["plan"]["cpuRequestsMillicores"] == amount(spec.cpu_requests) * 1000
        assert row["plan"]["storageBytes"] == amount(spec.storage)
        assert row["differences"] == list(spec.differences)
    for field in ("pods", "cpuRequestsMillicores", "memoryRequestsBytes", "storageBytes"):
        assert sum(row["real"][field] for row in rows.values()) == report["total"][field], field

    text = run_rosgit("resources", "minimal").stdout.splitlines()
    for spec in plan.rows:
        at = next(i for i, line in enumerate(text) if line.startswith(f"{spec.name} "))
        assert text[at].split()[len(spec.name.split())] == str(rows[spec.name]["real"]["pods"])
        assert text[at + 1].split()[:2] == ["plan", str(spec.pods)]
        assert text[at + 2].split()[:3] == ["vs", "plan", f"{rows[spec.name]['real']['pods'] - spec.pods:+d}"]
        assert text[at + 3 : at + 3 + len(spec.differences)] == [f"  - {reason}" for reason in spec.differences]


# A hand-made overlay with Strimzi CRs (shapes from rosgit/k8s/crds/kafka.strimzi.io_kafkas.yaml and Strimzi's
# 045-Crd-kafkanodepool.yaml): a controller pool on one persistent claim, a broker pool on a JBOD of two claims
# and one ephemeral volume, and a Kafka with an Entity Operator of both operators.
CONTROLLER: dict[str, Any] = {
    "replicas": 3,
    "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"cpu": 1, "memory": "2Gi"}},
    "storage": {"type": "persistent-claim", "size": "5Gi"},
}
BROKER: dict[str, Any] = {
    "replicas": 2,
    "resources": {"requests": {"cpu": "500m", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}},
    "storage": {"type": "jbod", "volumes": [
              {"id": 0, "type": "persistent-claim", "size": "20Gi", "kraftMetadata": "shared"},
              {"id": 1, "type": "persistent-claim", "size": "10Gi"},
              {"id": 2, "type": "ephemeral", "sizeLimit": "1Gi"}]},
}
TOPIC_OPERATOR = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}
USER_OPERATOR = {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"cpu": "250m", "memory": "256Mi"}}


def _strimzi_overlay(directory: Path) -> None:
    def cr(kind: str, name: str, spec: dict[str, Any], **labels: str) -> dict[str, Any]:
        metadata: dict[str, Any] = {"name": name, "labels": {"rosgit.io/group": "infrastructure", **labels}}
        return {"apiVersion": "kafka.strimzi.io/v1", "kind": kind, "metadata": metadata, "spec": spec}

    cluster = {"strimzi.io/cluster": "kafka"}
    pools = [
        cr("KafkaNodePool", "controller", {**CONTROLLER, "roles": ["controller"]}, **cluster),
        cr("KafkaNodePool", "broker", {**BROKER, "roles": ["broker"]}, **cluster),
    ]
    operators = {"topicOperator": {"resources": TOPIC_OPERATOR}, "userOperator": {"resources": USER_OPERATOR}}
    kafka = cr("Kafka", "kafka", {"kafka": {"listeners": []}, "entityOperator": operators})
    (directory / "kafka.yaml").write_text(yaml.safe_dump_all([*pools, kafka]), encoding="utf-8")
    (directory / "kustomization.yaml").write_text("resources: [kafka.yaml]\n", encoding="utf-8")


def test_strimzi_node_pools_and_the_entity_operator_are_counted(tmp_path: Path) -> None:
    _strimzi_overlay(tmp_path)
    result = run_rosgit("resources", str(tmp_path), "-o", "json")
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)["groups"]["infrastructure"]

    def each(resources: dict[str, Any], kind: str, resource: str) -> float:
        return amount(resources[kind][resource])

    pools = (CONTROLLER, BROKER)
    operators = (TOPIC_OPERATOR, USER_OPERATOR)
    claims = [v for v in BROKER["storage"]["volumes"] if v["type"] == "persistent-claim"]
    assert row["pods"] == sum(p["replicas"] for p in pools) + 1  # the Entity Operator is one pod
    for kind, resource, key, scale in (
        ("requests", "cpu", "cpuRequestsMillicores", 1000),
        ("limits", "cpu", "cpuLimitsMillicores", 1000),
        ("requests", "memory", "memoryRequestsBytes", 1),
        ("limits", "memory", "memoryLimitsBytes", 1),
    ):
        expected = sum(p["replicas"] * each(p["resources"], kind, resource) for p in pools)
        expected += sum(each(o, kind, resource) for o in operators)
        assert row[key] == pytest.approx(expected * scale), key
    storage = CONTROLLER["replicas"] * amount(CONTROLLER["storage"]["size"])
    storage += BROKER["replicas"] * sum(amount(v["size"]) for v in claims)
    assert row["storageBytes"] == pytest.approx(storage)


def test_an_entity_operator_without_operators_is_no_pod() -> None:
    spec: dict[str, Any] = {"kafka": {}, "entityOperator": {}}
    kafka = {"apiVersion": "kafka.strimzi.io/v1", "kind": "Kafka", "metadata": {"name": "kafka"}, "spec": spec}
    assert summarize([kafka]).total.pods == 0
    spec["entityOperator"] = {"userOperator": {}}
    assert summarize([kafka]).total.pods == 1


def test_both_analytics_modes_totals_stand_beside_the_overlay_s_own() -> None:
    """minimal runs trino: its own total is the trino row; the postgresql row is the tree that mode generates,
    built: without the four Trino/Hive pods, koku-sources and the two SUBS workers, with the ROS housekeeper."""
    report = json.loads(run_rosgit("resources", "minimal", "-o", "json").stdout)
    modes = report["analytics"]
    assert modes["trino"] == report["total"]
    assert modes["trino"]["pods"] - modes["postgresql"]["pods"] == 4 + 1 + 2 - 1
    text = run_rosgit("resources", "minimal").stdout
    assert "analytics trino" in text and "analytics postgresql" in text
