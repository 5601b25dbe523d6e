"""Hive metastore 3.1.3 (the standalone metastore, as Koku's ubi-hive image runs it) with the generated
metastore-site.xml and env, on the real PostgreSQL of hive-metastore-db."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.conformance.runner import run
from tests.conformance.conftest import component, failures, main_overlay, planted_overlay

pytestmark = pytest.mark.conformance

SITE = "/etc/hive-metastore/metastore-site.xml"


# Kubernetes overlays only: on OpenShift the warehouse is ODF's S3, which the metastore needs as it starts (the
# default database's directory), and which the tier cannot run (docs/conformance.md)
@pytest.mark.parametrize("overlay", ["minimal", "prod"])
def test_the_metastore_initialises_its_schema_on_postgresql_and_serves_its_thrift_port(
    programs: Callable[[str], None], overlay: str
) -> None:
    programs("hive")
    programs("minio")
    results = run(main_overlay(overlay), component="hive-metastore")
    assert failures(results) == []
    assert results[0].name == "starts with the generated env and hook scripts (sclorg run-postgresql)"
    assert results[0].component == "hive-metastore-db"
    assert "bucket koku-bucket exists (needed by Deployment/koku-listener)" in [check.name for check in results]
    assert [check.name for check in results if check.component == "hive-metastore"] == [
        f"the metastore starts with the generated {SITE} and env on port 8000",
        "schematool -info, else -initSchema, puts the schema into jdbc:postgresql://hive-metastore-db:5432/metastore",
        "a restarted pod finds the schema (schematool -info succeeds: no second -initSchema)",
        "liveness probe tcpSocket on port 8000",
        "readiness probe tcpSocket on port 8000",
    ]


def _wrong_database_user(data: dict[str, Any]) -> None:
    files = component(data, "hive-metastore")["config"]["files"]
    files["metastore-site.xml"] = files["metastore-site.xml"].replace(
        "<value>metastore</value></property>", "<value>metastor</value></property>")


def test_a_wrong_database_user_fails_naming_the_object_and_file(
    programs: Callable[[str], None], tmp_path: Path
) -> None:
    programs("hive")
    programs("minio")
    results = run(planted_overlay(tmp_path, "minimal", _wrong_database_user), component="hive-metastore")
    failed = failures(results)
    assert failed and failed[0].startswith(
        f"FAIL hive-metastore: the metastore starts with the generated {SITE} and env on port 8000: "
        f"Deployment/hive-metastore container hive-metastore ConfigMap file {SITE}: "), failed
