"""A freshly generated tree (the shared working tree may be mid-edit) and its overlays built by real kustomize."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.catalog import load_catalog
from rosgit.catalog.model import Catalog
from tests.conftest import require_real_tool
from tests.secrets.tree import generated_tree

Obj = dict[str, Any]


@pytest.fixture(scope="session")
def generated() -> Path:
    """A freshly generated tree, shared with the secrets tests; read-only here."""
    return generated_tree()


@pytest.fixture(scope="session")
def catalog(generated: Path) -> Catalog:
    return load_catalog(generated / "rosgit.yaml")


@pytest.fixture(scope="session")
def built(generated: Path, catalog: Catalog) -> dict[str, list[Obj]]:
    """Every overlay as the real kustomize (what Argo CD runs) renders it."""
    kustomize = require_real_tool("kustomize")
    result: dict[str, list[Obj]] = {}
    for overlay in catalog.overlays:
        out = subprocess.run(
            [str(kustomize), "build", str(generated / "overlays" / overlay.name)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result[overlay.name] = [doc for doc in yaml.safe_load_all(out) if doc]
    return result


def argocd_objects(root: Path) -> list[tuple[str, Obj]]:
    found = []
    for path in sorted((root / "argocd").rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                found.append((path.relative_to(root).as_posix(), doc))
    return found
