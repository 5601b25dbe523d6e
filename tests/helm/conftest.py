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


# What every installer passes, since no platform has it: the CA bundle of its OIDC provider (identity.oidc.ca).
# The chart refuses to render without it (tests/helm/test_provided_secrets.py).
OIDC_CA_SETTING = "secrets.oidcCa.provided.ca\\.crt=installer-oidc-ca-bundle"


def helm(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The pinned helm; `template` and `install` get the installer's inputs (OIDC_CA_SETTING)."""
    path = require_real_tool(binary)
    inputs = ["--set-string", OIDC_CA_SETTING] if args and args[0] in ("template", "install") else []
    return subprocess.run([str(path), *args, *inputs], capture_output=True, text=True, check=False)
