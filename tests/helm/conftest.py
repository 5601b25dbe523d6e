"""Fixtures for the Helm export tests: the repository catalog and helpers running the pinned helm."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rosgit.catalog import Catalog, load_catalog
from rosgit.helm.export import write_chart
from tests.conftest import REPO_ROOT, require_real_tool


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(REPO_ROOT / "rosgit.yaml")


@pytest.fixture(scope="session")
def chart_dir(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    """A freshly exported chart, independent of what is committed under charts/."""
    return write_chart(catalog, tmp_path_factory.mktemp("chart"))


def helm(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    path = require_real_tool(binary)
    return subprocess.run([str(path), *args], capture_output=True, text=True, check=False)
