"""Fixtures of the conformance tier: the installed programs (a missing one fails under CI=true, else skips with
the install command), main's built overlays, and overlays built from an edited copy of the catalog."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.conformance.result import Check
from rosgit.conformance.runner import Overlay, load_overlay
from rosgit.conformance.sandbox import STARTED_NAMESPACES, processes_in, release_namespaces
from rosgit.repo.tree import render_tree
from rosgit.tools import NotInstalled, require_program
from tests.conftest import REPO_ROOT, missing_under_ci_fails

PROGRAMS = {
    "postgresql": ("postgresql", "postgresql-client", "libpq5"),
    "redis": ("redis-server", "redis-tools", "libjemalloc2", "liblzf1"),
    "valkey": ("valkey-server", "valkey-tools", "libjemalloc2", "liblzf1"),
    "kafka": ("kafka",),
    "minio": ("minio", "mc"),
    "envoy": ("envoy",),
    "trino": ("trino-server", "trino-cli", "jdk25"),
    "hive": ("hive-metastore", "hadoop-common", "hadoop-mapreduce", "postgresql-jdbc", "hadoop-aws", "postgresql",
             "postgresql-client", "libpq5"),
}


def require_programs(program: str) -> None:
    for pin in PROGRAMS[program]:
        try:
            require_program(pin)
        except NotInstalled as missing:
            missing_under_ci_fails(str(missing))


@pytest.fixture
def programs() -> Callable[[str], None]:
    """`programs("postgresql")` fails (CI) or skips (locally) unless every pin of that program is installed."""
    return require_programs


@pytest.fixture(scope="session", autouse=True)
def no_process_left() -> Iterator[None]:
    """After this test process's conformance tests: no process is left in any namespace a sandbox made."""
    yield
    left = processes_in(STARTED_NAMESPACES)
    release_namespaces()
    assert left == [], f"processes left running in the sandboxes' namespaces: {left}"


_BUILT: dict[str, Overlay] = {}


def main_overlay(name: str) -> Overlay:
    """An overlay of this checkout, built once per test process."""
    if name not in _BUILT:
        _BUILT[name] = load_overlay(REPO_ROOT / "overlays" / name, REPO_ROOT / "rosgit.yaml")
    return _BUILT[name]


def planted_overlay(tmp_path: Path, overlay: str, edit: Callable[[dict[str, Any]], None]) -> Overlay:
    """`overlay` generated from a copy of the catalog that `edit` changed (the defect planted)."""
    data = yaml.safe_load((REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8"))
    edit(data)
    catalog_path = tmp_path / "rosgit.yaml"
    catalog_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    for rel, text in render_tree(load_catalog(catalog_path)).items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return load_overlay(tmp_path / "overlays" / overlay, catalog_path,
                        objects=build_objects(tmp_path / "overlays" / overlay))


def component(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["components"] if c["name"] == name)
    return found


def failures(results: list[Check]) -> list[str]:
    return [check.line() for check in results if not check.ok]
