"""The API `rosgit check` calls: validate_documents and report_findings."""

from __future__ import annotations

from typing import Any

from rosgit.findings import has_errors
from rosgit.validate import report_findings, validate_documents

CM: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "ns"}}


def test_valid_objects() -> None:
    report = validate_documents([CM], source="overlays/x", validator="builtin")
    assert report.ok and report.exit_code == 0
    assert report.sources == ("overlays/x",)
    assert report_findings(report) == []


def test_findings_name_object_field_and_location() -> None:
    bad = {**CM, "metadata": {"name": "bad", "namespace": "ns"}, "data": {"port": 1}}
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    report = validate_documents([CM, bad, dict(CM), widget, {"kind": "X"}], source="overlays/x", validator="builtin")
    assert not report.ok and report.exit_code == 1
    findings = report_findings(report)
    assert [(f.id, f.object, f.source) for f in findings] == [
        ("VAL001", "ConfigMap/ns/bad", "overlays/x:2"),
        ("VAL003", "ConfigMap/ns/cm", "overlays/x:3"),
        ("VAL004", "Widget/w", "overlays/x:4"),
        ("VAL002", "X", "overlays/x:5"),
    ]
    assert findings[0].message == "/data/port: got number, want null or string"
    assert findings[1].message == "duplicate object: ConfigMap/cm already defined at overlays/x:1"
    assert findings[3].message == "missing 'apiVersion' key"
    assert has_errors(findings)


def test_ignore_missing_schemas_and_version() -> None:
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    report = validate_documents([widget], source="s", ignore_missing_schemas=True, validator="builtin",
                                kubernetes_version="1.30")
    assert report.ok and report.counts()["skipped"] == 1
    assert report.kubernetes_version == "1.30.0"


def test_auto_picks_a_validator() -> None:
    report = validate_documents([CM], source="s")
    assert report.validator in ("kubeconform", "builtin")
