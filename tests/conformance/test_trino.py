"""Trino 476 (the pinned release) coordinator + worker with the generated /etc/trino files: probes, a query as
soon as the readiness probe passes, the postgres catalog reading and writing a Koku table in koku-db, and the
hive catalog taking Koku's path (schema, partitioned Parquet tables on MinIO) through the metastore on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.conformance.runner import run
from tests.conformance.conftest import component, failures, main_overlay, planted_overlay

pytestmark = pytest.mark.conformance


@pytest.mark.parametrize("overlay", ["minimal", "dev", "prod"])  # each profile's heaps and query memory limits
def test_coordinator_and_worker_start_pass_their_probes_and_take_koku_s_path(
    programs: Callable[[str], None], overlay: str
) -> None:
    programs("trino")
    programs("postgresql")
    programs("hive")
    programs("minio")
    results = run(main_overlay(overlay), component="trino-coordinator")
    assert failures(results) == []
    lines = [check.line() for check in results]
    for node in ("trino-coordinator", "trino-worker"):
        assert any(line.startswith(f"ok   {node}: starts with the generated /etc/trino files") for line in lines)
        assert f"ok   {node}: liveness probe httpGet /v1/info on port 8080" in lines
        assert f"ok   {node}: readiness probe exec /usr/lib/trino/bin/health-check" in lines
    assert "ok   trino-coordinator: accepts queries once ready: SELECT 1 through trino-cli answers 1" in lines
    assert "ok   trino-coordinator: catalog postgres reads from koku-db (SHOW SCHEMAS FROM postgres)" in lines
    assert "ok   trino-coordinator: catalog postgres reads and writes a Koku table (public.api_provider)" in lines
    assert (
        "ok   hive-metastore-db: hive-metastore-db's user metastore and database metastore exist (its POSTGRESQL_* "
        "env, on koku-db's server)"
    ) in lines
    assert (
        "ok   hive-metastore: schematool -info, else -initSchema, puts the schema into "
        "jdbc:postgresql://hive-metastore-db:5432/metastore"
    ) in lines
    assert "ok   trino-coordinator: catalog hive reaches hive-metastore (SHOW SCHEMAS FROM hive)" in lines
    koku_path = [line for line in lines if "catalog hive, Koku's path" in line]
    assert len(koku_path) == 8 and all(line.startswith("ok") for line in koku_path), koku_path
    assert "ok   trino-coordinator: catalog hive, Koku's path: its file lies in the warehouse on the bucket" in lines


def test_on_openshift_the_trust_step_runs_and_trino_starts_on_its_truststore(programs: Callable[[str], None]) -> None:
    """The ca-trust init container (keytool on a stand-in service CA) writes the truststore JAVA_TOOL_OPTIONS names;
    ODF's S3 cannot run here, so the metastore and the hive catalog are not run on OpenShift overlays."""
    programs("trino")
    programs("postgresql")
    results = run(main_overlay("openshift-minimal"), component="trino-coordinator")
    assert failures(results) == []
    lines = [check.line() for check in results]
    for node in ("trino-coordinator", "trino-worker"):
        assert f"ok   {node}: init container ca-trust runs to completion (the service CA a stand-in)" in lines
        assert any(line.startswith(f"ok   {node}: starts with the generated /etc/trino files") for line in lines)
    assert "ok   trino-coordinator: accepts queries once ready: SELECT 1 through trino-cli answers 1" in lines
    assert "ok   trino-coordinator: catalog postgres reads and writes a Koku table (public.api_provider)" in lines
    assert not [line for line in lines if "hive" in line]


def _wrong_catalog_user(data: dict[str, Any]) -> None:
    files = component(data, "trino-coordinator")["config"]["files"]
    files["catalog/postgres.properties"] = files["catalog/postgres.properties"].replace(
        "connection-user=koku\n", "connection-user=kokuu\n")


def test_a_wrong_catalog_user_fails_naming_the_object_and_field(
    programs: Callable[[str], None], tmp_path: Path
) -> None:
    programs("trino")
    programs("postgresql")
    programs("hive")
    programs("minio")
    results = run(planted_overlay(tmp_path, "minimal", _wrong_catalog_user), component="trino-coordinator")
    failed = failures(results)
    assert len(failed) == 1, failed
    assert failed[0].startswith(
        "FAIL trino-coordinator: catalog postgres reads from koku-db (SHOW SCHEMAS FROM postgres): "
        "StatefulSet/trino-coordinator container trino-coordinator ConfigMap file "
        "/etc/trino/catalog/postgres.properties connection-url jdbc:postgresql://koku-db:5432/koku "
        "connection-user kokuu: "), failed
    assert 'FATAL: role "kokuu" does not exist' in failed[0], failed  # the database server's own error
