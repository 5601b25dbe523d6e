"""PostgreSQL 16 run as the sclorg image runs it, with each database pod's generated env and hook scripts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.conformance.runner import run
from tests.conformance.conftest import component, failures, main_overlay, planted_overlay

pytestmark = pytest.mark.conformance

DATABASES = ("koku-db", "ros-db", "hive-metastore-db")


@pytest.mark.parametrize("overlay", ["minimal", "prod", "openshift-minimal"])  # OpenShift: no runAsUser
@pytest.mark.parametrize("database", DATABASES)
def test_every_database_pod_starts_and_serves_what_its_clients_need(
    programs: Callable[[str], None], overlay: str, database: str
) -> None:
    programs("postgresql")
    results = run(main_overlay(overlay), component=database)
    names = [check.name for check in results]
    assert failures(results) == []
    assert "starts with the generated env and hook scripts (sclorg run-postgresql)" in names
    assert any(name.startswith("user postgres logs in") for name in names)
    assert any("readiness probe" in name for name in names)


def test_koku_migrate_finds_pg_stat_statements_which_only_a_superuser_may_create(
    programs: Callable[[str], None]
) -> None:
    programs("postgresql")
    results = run(main_overlay("minimal"), component="koku-db")
    needs = [c for c in results if c.component == "koku-migrate"]
    assert {c.name.split(": ", 1)[1] for c in needs} >= {
        "user koku logs in to database koku on koku-db",
        "extension pg_stat_statements exists in database koku (or its user may create it)",
    }
    assert all(c.ok for c in needs)


def _drop_start_hook(data: dict[str, Any]) -> None:
    del component(data, "koku-db")["config"]


def _drop_kruize_database(data: dict[str, Any]) -> None:
    files = component(data, "ros-db")["config"]["files"]
    files["create-kruize.sh"] = "\n".join(
        line for line in files["create-kruize.sh"].splitlines() if "CREATE DATABASE" not in line) + "\n"


def test_without_the_superuser_step_koku_migrate_fails_naming_object_and_field(
    programs: Callable[[str], None], tmp_path: Path
) -> None:
    programs("postgresql")
    results = run(planted_overlay(tmp_path, "minimal", _drop_start_hook), component="koku-db")
    failed = failures(results)
    assert len(failed) == 1, failed
    assert "Job/koku-migrate container koku-migrate env DATABASE_NAME: extension pg_stat_statements" in failed[0]
    assert "cannot create it: ERROR:  permission denied to create extension" in failed[0]
    assert "0055_install_pg_stat_statements" in failed[0]  # the contract fact's source


def test_a_missing_database_fails_naming_the_client_object_and_field(
    programs: Callable[[str], None], tmp_path: Path
) -> None:
    programs("postgresql")
    results = run(planted_overlay(tmp_path, "minimal", _drop_kruize_database), component="ros-db")
    failed = failures(results)
    assert any("Deployment/kruize container kruize env database_name: database kruize does not exist" in line
               for line in failed), failed
    assert any("user kruize logs in to database kruize" in line for line in failed), failed
