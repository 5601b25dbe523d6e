"""MinIO (Kubernetes overlays) with the generated args; the bucket Job creates every contract bucket, twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.conformance.runner import run
from tests.conformance.conftest import component, failures, main_overlay, planted_overlay

pytestmark = pytest.mark.conformance


@pytest.mark.parametrize("overlay", ["minimal", "prod"])
def test_minio_serves_its_probes_and_the_bucket_job_creates_every_contract_bucket_idempotently(
    programs: Callable[[str], None], overlay: str
) -> None:
    programs("minio")
    results = run(main_overlay(overlay), component="minio")
    names = [check.name for check in results]
    assert failures(results) == []
    assert "minio starts with the generated args and root credentials" in names
    assert "Job/minio-buckets script runs again to completion (idempotent)" in names
    assert any(name.startswith("bucket koku-bucket exists") for name in names)
    assert "readiness probe httpGet /minio/health/ready on port 9000" in names


def _wrong_probe_port(data: dict[str, Any]) -> None:
    """The probe names a declared port the server does not listen on (the generator refuses undeclared ones;
    the console port would not do: the console answers 200 on every path)."""
    minio = component(data, "minio")
    minio["ports"].append({"name": "metrics", "port": 9001})
    minio["probes"]["readiness"]["httpGet"]["port"] = "metrics"


def test_a_wrong_probe_port_fails_naming_the_object_and_field(programs: Callable[[str], None], tmp_path: Path) -> None:
    programs("minio")
    results = run(planted_overlay(tmp_path, "minimal", _wrong_probe_port), component="minio")
    failed = failures(results)
    assert len(failed) == 1, failed
    assert failed[0].startswith(
        "FAIL minio: readiness probe httpGet /minio/health/ready on port 9001: "
        "StatefulSet/minio container minio readinessProbe.httpGet: GET http://127.0.0.1:9001/minio/health/ready "
    )
