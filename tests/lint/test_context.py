from __future__ import annotations

from rosgit.catalog import load_catalog
from rosgit.lint.context import LintContext
from tests.conftest import REPO_ROOT


def test_catalog_secret_keys() -> None:
    context = LintContext(load_catalog(REPO_ROOT / "rosgit.yaml"), "kubernetes", "ns", "src")
    assert context.catalog_secret_keys("koku-django-secret") == {"secret-key"}
    assert context.catalog_secret_keys("nope") is None
    assert LintContext().catalog_secret_keys("koku-django-secret") is None


def test_findings_carry_the_context_source() -> None:
    finding = LintContext(source="overlays/dev").finding("ROS101", "error", "Deployment/ns/a", "m", "h")
    assert finding.line() == "overlays/dev: error ROS101 Deployment/ns/a: m (hint: h)"
