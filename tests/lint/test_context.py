from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from rosgit.catalog import load_catalog, traffic
from rosgit.catalog.traffic import Flow
from rosgit.lint import context as lint_context
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


def test_the_required_flows_are_computed_once_per_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several rules ask for them; a context with other modes (dataclasses.replace) has its own."""
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    context = LintContext.for_overlay(catalog, catalog.overlays[0])
    calls: list[str | None] = []

    def counted(*args: Any) -> list[Flow]:
        calls.append(args[2])
        return traffic.required_flows(*args)

    monkeypatch.setattr(lint_context, "required_flows", counted)
    flows = context.required_flows()
    flows.clear()  # the caller's copy
    assert context.required_flows() == traffic.required_flows(
        catalog, context.platform, context.analytics_mode, context.authorization_mode
    ) != []
    other = replace(context, analytics="postgresql" if context.analytics_mode == "trino" else "trino")
    assert other.required_flows() != context.required_flows()
    assert len(calls) == 2
