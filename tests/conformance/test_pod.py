"""The pod extractor: what a container gets, resolved from the built overlay alone."""

from __future__ import annotations

from rosgit.conformance.pod import ASSIGNED_UID, containers, secret_test_value
from tests.conformance.conftest import main_overlay


def test_every_consumer_of_a_secret_key_gets_the_same_test_value() -> None:
    overlay = main_overlay("minimal")
    db = overlay.container("koku-db", "StatefulSet")
    migrate = overlay.container("koku-migrate", "Job")
    assert db is not None and migrate is not None
    assert db.env["POSTGRESQL_PASSWORD"] == migrate.env["DATABASE_PASSWORD"]
    assert db.env["POSTGRESQL_PASSWORD"] == secret_test_value("koku-db-credentials", "password")
    assert db.env["POSTGRESQL_PASSWORD"] != db.env["POSTGRESQL_ADMIN_PASSWORD"]
    assert {"POSTGRESQL_PASSWORD", "POSTGRESQL_ADMIN_PASSWORD"} <= db.secret_env
    assert "POSTGRESQL_USER" not in db.secret_env


def test_config_map_refs_files_ports_and_probes_are_resolved() -> None:
    overlay = main_overlay("minimal")
    job = overlay.container("minio-buckets", "Job")
    assert job is not None and job.env["S3_ENDPOINT"] == "http://minio:9000"
    db = overlay.container("koku-db", "StatefulSet")
    assert db is not None
    hook = db.files["/opt/app-root/src/postgresql-start"]["pg-stat-statements.sh"]
    assert "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" in hook
    minio = overlay.container("minio", "StatefulSet")
    assert minio is not None and minio.ports["api"] == 9000
    assert {(p.kind, p.action, p.port, p.path) for p in minio.probes} == {
        ("liveness", "httpGet", 9000, "/minio/health/live"), ("readiness", "httpGet", 9000, "/minio/health/ready")}
    assert minio.run_as_user == 1000


def test_a_pod_without_run_as_user_runs_as_an_assigned_unprivileged_uid() -> None:
    overlay = main_overlay("openshift-minimal")
    db = next(c for c in containers(overlay.objects) if c.workload == "koku-db")
    assert db.run_as_user == ASSIGNED_UID
