"""`rosgit resources` agrees with sums computed independently from the objects the real kustomize builds."""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from typing import Any

import pytest
import yaml

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
