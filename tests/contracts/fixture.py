"""Fixture contracts (tests/contracts/fixtures) and a minimal catalog naming their images."""

from __future__ import annotations

from pathlib import Path

from rosgit.catalog.model import Catalog, Project
from rosgit.contracts import ContractSet, load_contracts
from rosgit.lint.context import LintContext

FIXTURES = Path(__file__).resolve().parent / "fixtures"
IMAGES = {"app": "quay.io/x/app:1.0", "broker": "quay.io/x/broker:2.0", "db": "quay.io/x/db:16"}


def fixture_contracts() -> ContractSet:
    return load_contracts(FIXTURES)


def fixture_catalog() -> Catalog:
    return Catalog(
        api_version="rosgit.io/v1alpha1",
        kind="Catalog",
        project=Project(name="shop", namespace="shop", repo_url="https://example.invalid/shop.git"),
        images=dict(IMAGES),
        components=[],
        profiles={},
        platforms={},
        overlays=[],
    )


def contract_context(platform: str = "kubernetes") -> LintContext:
    return LintContext(fixture_catalog(), platform, "shop", "overlays/test", fixture_contracts())
