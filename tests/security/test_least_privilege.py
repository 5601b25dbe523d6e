"""Least privilege by default, on the built overlays, without a scanner: read-only root filesystems, probes
on long-running workloads, no ServiceAccount token; each exception is a catalog checkov skip with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.errors import UsageError
from tests.conftest import REPO_ROOT

CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")
WORKLOADS = ("Deployment", "StatefulSet", "Job", "CronJob")


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["spec"])


def _skipped(obj: dict[str, Any]) -> dict[str, str]:
    annotations = obj["metadata"].get("annotations", {})
    pairs = (v.split("=", 1) for k, v in annotations.items() if k.startswith("checkov.io/skip"))
    return {check: reason for check, reason in pairs}


@pytest.fixture(scope="module", params=[o.name for o in CATALOG.overlays])
def workloads(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    objects = build_objects(REPO_ROOT / "overlays" / request.param)
    return [o for o in objects if o["kind"] in WORKLOADS]


def test_every_container_has_a_read_only_root_filesystem_or_a_reason(workloads: list[dict[str, Any]]) -> None:
    for obj in workloads:
        spec = _pod_spec(obj)
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            read_only = container["securityContext"].get("readOnlyRootFilesystem") is True
            assert read_only or _skipped(obj).get("CKV_K8S_22"), f"{obj['metadata']['name']}/{container['name']}"


def test_every_long_running_workload_has_probes_or_a_reason(workloads: list[dict[str, Any]]) -> None:
    for obj in workloads:
        if obj["kind"] not in ("Deployment", "StatefulSet"):
            continue
        main = _pod_spec(obj)["containers"][0]
        for probe, check in (("livenessProbe", "CKV_K8S_8"), ("readinessProbe", "CKV_K8S_9")):
            assert probe in main or _skipped(obj).get(check), f"{obj['metadata']['name']}: no {probe}"


def test_the_koku_workers_probe_their_probe_server(workloads: list[dict[str, Any]]) -> None:
    workers = [o for o in workloads if o["metadata"]["name"].startswith("koku-worker-")]
    assert workers
    for obj in workers:
        main = _pod_spec(obj)["containers"][0]
        assert main["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "metrics"}
        assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
        assert {"name": "metrics", "containerPort": 9000, "protocol": "TCP"} in main["ports"]


def test_no_pod_mounts_a_service_account_token(workloads: list[dict[str, Any]]) -> None:
    for obj in workloads:
        assert _pod_spec(obj)["automountServiceAccountToken"] is False, obj["metadata"]["name"]


def test_every_skip_names_a_reason(workloads: list[dict[str, Any]]) -> None:
    for obj in workloads:
        for check, reason in _skipped(obj).items():
            assert check.startswith("CKV_K8S_") and reason.strip(), (obj["metadata"]["name"], check)


@pytest.mark.parametrize(
    ("skip", "message"),
    [
        ("CKV_K8S_1: ''", "CKV_K8S_1 needs a one-line reason"),
        ("K8S_8: no server", "'K8S_8' is not a checkov Kubernetes check id"),
    ],
)
def test_a_skip_without_reason_or_with_a_bad_id_is_a_catalog_error(skip: str, message: str, tmp_path: Path) -> None:
    text = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
    marker = "    command: [/bin/sh, -c, ./rosocp start housekeeper --sources]\n    checkovSkips:\n"
    assert marker in text
    broken = tmp_path / "rosgit.yaml"
    broken.write_text(text.replace(marker, marker + f"      {skip}\n"), encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        load_catalog(broken)
