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


def validate_overlays(objects_by_source: dict[str, list[dict[str, Any]]]) -> ValidationReport:
    """Several built overlays in one run (one kubeconform process, one schema load), each its own scope:
    an object is a duplicate only within its overlay. Each result's `source` is its overlay's key."""
    from dataclasses import replace

    from rosgit.validate.core import validate
    from rosgit.validate.inputs import documents_from_objects

    documents = [
        replace(document, scope=f"overlay:{source}")
        for source, objects in objects_by_source.items()
        for document in documents_from_objects(list(objects), source=source)
    ]
    return validate(documents, sources=list(objects_by_source))


def _object_name(result: ResourceResult) -> str:
    if not result.kind:
        return result.location
    parts = [result.kind, result.namespace, result.name] if result.namespace else [result.kind, result.name]
    return "/".join(part for part in parts if part)


def report_findings(report: ValidationReport) -> list[Finding]:
    """One error finding per invalid or unvalidated resource, in input order."""
    findings: list[Finding] = []
    for result in report.results:
        if result.status in ("valid", "skipped"):
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
