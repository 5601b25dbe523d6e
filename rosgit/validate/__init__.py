"""Offline schema validation of Kubernetes objects (kubeconform, or a builtin jsonschema validator).

Public API for other pipelines (`rosgit check`):

    report = validate_documents(objects, source="overlays/prod")
    report.ok                      # every object valid (or skipped)
    findings = report_findings(report)

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
