"""The four formatters on a hand-made report (pure functions: no validator involved)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from rosgit.errors import UsageError
from rosgit.validate.output import render, summary_line
from rosgit.validate.report import FieldError, ResourceResult, ValidationReport

REPORT = ValidationReport(
    results=(
        ResourceResult("a.yaml", 1, "valid", "ConfigMap", "ok", "ns", "v1"),
        ResourceResult("a.yaml", 9, "invalid", "Deployment", "web", "ns", "apps/v1",
                       errors=(FieldError("/spec/replicas", "got string, want null or integer"),)),
        ResourceResult("b.yaml", 3, "error", message="missing 'kind' key"),
        ResourceResult("b.yaml", 7, "skipped", "Widget", "w", "", "example.com/v1"),
    ),
    validator="builtin",
    kubernetes_version="1.33.0",
    sources=("a.yaml", "b.yaml"),
)


def test_text() -> None:
    assert render(REPORT, "text").splitlines() == [
        "a.yaml:9 - Deployment/web is invalid: /spec/replicas: got string, want null or integer",
        "b.yaml:3 - failed validation: missing 'kind' key",
        "Summary: 4 resources found in 2 files - Valid: 1, Invalid: 1, Errors: 1, Skipped: 1",
    ]
    verbose = render(REPORT, "text", verbose=True).splitlines()
    assert verbose[0] == "a.yaml:1 - ConfigMap/ok is valid"
    assert verbose[3] == "b.yaml:7 - Widget/w skipped (no schema)"


def test_summary_for_stdin_and_one_resource() -> None:
    one = ValidationReport(results=REPORT.results[:1], validator="builtin", kubernetes_version="1.33.0",
                           sources=("stdin",))
    assert summary_line(one) == "Summary: 1 resource found parsing stdin - Valid: 1, Invalid: 0, Errors: 0, Skipped: 0"


def test_json() -> None:
    payload = json.loads(render(REPORT, "json"))
    assert [r["status"] for r in payload["resources"]] == ["statusInvalid", "statusError"]
    assert payload["summary"] == {"valid": 1, "invalid": 1, "errors": 1, "skipped": 1}
    verbose = json.loads(render(REPORT, "json", verbose=True))
    assert len(verbose["resources"]) == 4


def test_junit() -> None:
    root = ElementTree.fromstring(render(REPORT, "junit"))
    assert root.attrib == {"name": "rosgit validate", "tests": "4", "failures": "1", "errors": "1", "disabled": "1"}
    a, b = root.findall("testsuite")
    assert (a.get("name"), a.get("tests"), a.get("failures")) == ("a.yaml", "2", "1")
    assert (b.get("errors"), b.get("skipped")) == ("1", "1")
    assert [c.get("name") for c in a.findall("testcase")] == ["ns/ok", "ns/web"]


def test_tap() -> None:
    assert render(REPORT, "tap").splitlines() == [
        "TAP version 13",
        "ok 1 - a.yaml:1 (v1/ConfigMap/ns/ok)",
        "not ok 2 - a.yaml:9 (apps/v1/Deployment/ns/web): /spec/replicas: got string, want null or integer",
        "not ok 3 - b.yaml:3: missing 'kind' key",
        "ok 4 - b.yaml:7 (example.com/v1/Widget//w) # skip",
        "1..4",
    ]


def test_unknown_format() -> None:
    with pytest.raises(UsageError, match="unknown output format 'pretty'"):
        render(REPORT, "pretty")


def test_rendering_is_deterministic() -> None:
    for fmt in ("text", "json", "junit", "tap"):
        assert render(REPORT, fmt) == render(REPORT, fmt)
