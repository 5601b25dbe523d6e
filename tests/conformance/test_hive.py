"""Hive metastore 3.1.3 (the standalone metastore for the apache/hive image's service) with the generated env."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.conformance.runner import run
from tests.conformance.conftest import component, failures, main_overlay, planted_overlay

pytestmark = pytest.mark.conformance


@pytest.mark.parametrize("overlay", ["minimal", "openshift-minimal"])  # OpenShift: no runAsUser, a trust step
def test_the_metastore_initialises_its_schema_and_serves_its_thrift_port(
    programs: Callable[[str], None], overlay: str
) -> None:
    programs("hive")
    results = run(main_overlay(overlay), component="hive-metastore")
    assert failures(results) == []
    assert [check.name for check in results] == [
        "the metastore starts with the generated env (SERVICE_NAME, IS_RESUME, SERVICE_OPTS) on port 9083",
        "schematool -dbType derby -initSchema succeeds",
        "liveness probe tcpSocket on port 9083",
        "readiness probe tcpSocket on port 9083",
    ]


def _wrong_service_name(data: dict[str, Any]) -> None:
    env = component(data, "hive-metastore")["env"]
    for entry in env:
        if entry.get("name") == "SERVICE_NAME":
            entry["value"] = "metastor"


def test_a_wrong_service_name_fails_naming_the_object_and_field(
    programs: Callable[[str], None], tmp_path: Path
) -> None:
    programs("hive")
    results = run(planted_overlay(tmp_path, "minimal", _wrong_service_name), component="hive-metastore")
    failed = failures(results)
    assert failed and failed[0].startswith(
        "FAIL hive-metastore: the metastore starts with the generated env (SERVICE_NAME, IS_RESUME, SERVICE_OPTS) "
        "on port 9083: Deployment/hive-metastore container hive-metastore env SERVICE_NAME metastor: the image's "
        "entrypoint starts no service for it (only metastore or hiveserver2): "), failed
