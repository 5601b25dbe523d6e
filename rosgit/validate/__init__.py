"""Offline schema validation of Kubernetes objects (kubeconform, or a builtin jsonschema validator).

Public API for other pipelines (`rosgit check`):

    report = validate_documents(objects, source="overlays/prod")
    report.ok                      # every object valid (or skipped)
    findings = report_findings(report)
    report = validate_overlays({"overlays/dev": dev_objects, "overlays/prod": prod_objects})  # one run

Finding ids: the validate family of rosgit.ids (schema violation, not validated, duplicate, no schema).
"""

from __future__ import annotations

from typing import Any

from rosgit import ids
from rosgit.findings import Finding
from rosgit.validate.report import FieldError, ResourceResult, Status, ValidationReport

__all__ = [
    "FieldError",
    "ResourceResult",
    "Status",
    "ValidationReport",
    "report_findings",
    "validate_documents",
    "validate_overlays",
]


def validate_documents(
    docs: list[dict[str, Any]],
    *,
    source: str,
    kubernetes_version: str | None = None,
    ignore_missing_schemas: bool = False,
    validator: str = "auto",
) -> ValidationReport:
    """Validate already-parsed objects (e.g. a built overlay). `source` names where they came from.

    `kubernetes_version` like "1.33" (default 1.33); `validator` is auto (kubeconform when installed),
    kubeconform or builtin. Lists are expanded; a missing schema is an error unless ignored.
    """
    from rosgit.validate.core import validate
    from rosgit.validate.inputs import documents_from_objects

    return validate(
        documents_from_objects(list(docs), source=source),
        kubernetes_version=kubernetes_version,
        ignore_missing_schemas=ignore_missing_schemas,
        validator=validator,
        sources=[source],
    )


def validate_overlays(
    objects_by_source: dict[str, list[dict[str, Any]]], kubernetes_versions: dict[str, str] | None = None
) -> ValidationReport:
    """Several built overlays in one run (one kubeconform process, one schema load) per target Kubernetes
    version, each overlay its own scope: an object is a duplicate only within its overlay. Each result's
    `source` is its overlay's key; `kubernetes_versions` gives an overlay's target (default 1.33)."""
    from dataclasses import replace

    from rosgit.validate.core import validate
    from rosgit.validate.inputs import documents_from_objects

    versions = kubernetes_versions or {}
    groups: dict[str | None, list[str]] = {}
    for source in objects_by_source:
        groups.setdefault(versions.get(source), []).append(source)
    reports = []
    for version, sources in groups.items():
        documents = [
            replace(document, scope=f"overlay:{source}")
            for source in sources
            for document in documents_from_objects(list(objects_by_source[source]), source=source)
        ]
        reports.append(validate(documents, sources=sources, kubernetes_version=version))
    if len(reports) == 1:
        return reports[0]
    by_source: dict[str, list[ResourceResult]] = {}
    for report in reports:
        for result in report.results:
            by_source.setdefault(result.source, []).append(result)
    ordered = tuple(result for source in objects_by_source for result in by_source.get(source, []))
    return ValidationReport(
        results=ordered,
        validator=reports[0].validator,
        kubernetes_version=", ".join(sorted({r.kubernetes_version for r in reports})),
        sources=tuple(objects_by_source),
    )


def _object_name(result: ResourceResult) -> str:
    if not result.kind:
        return result.location
    parts = [result.kind, result.namespace, result.name] if result.namespace else [result.kind, result.name]
    return "/".join(part for part in parts if part)


def report_findings(report: ValidationReport) -> list[Finding]:
    """One error finding per invalid or unvalidated resource, in input order."""
    from rosgit.validate.core import REMOVED_API

    findings: list[Finding] = []
    for result in report.results:
        if result.deprecation:
            findings.append(
                Finding(ids.VAL006, "warning", _object_name(result), result.deprecation,
                        "move to the replacement before upgrading", result.location)
            )
        if result.status in ("valid", "skipped"):
            continue
        if result.message.startswith(REMOVED_API):
            findings.append(
                Finding(ids.VAL005, "error", _object_name(result), result.message.removeprefix(REMOVED_API),
                        "move to the replacement apiVersion", result.location)
            )
            continue
        if result.status == "invalid":
            finding_id, hint = ids.VAL001, "fix the field named, or check the apiVersion and kind"
        elif result.message.startswith("duplicate object"):
            finding_id, hint = ids.VAL003, "remove one of the two definitions or give them distinct names"
        elif result.message.startswith("could not find schema"):
            finding_id, hint = ids.VAL004, "add the CRD with `rosgit schemas add-crd FILE`, or --ignore-missing-schemas"
        else:
            finding_id, hint = ids.VAL002, ""
        findings.append(
            Finding(
                id=finding_id,
                severity="error",
                object=_object_name(result),
                message=result.detail(),
                hint=hint,
                source=result.location,
            )
        )
    return findings
