"""Running the rules on one overlay's objects, honouring per-object suppressions."""

from __future__ import annotations

import contextlib

from rosgit.findings import Finding
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj, annotations_of, ref
from rosgit.lint.rules import RULES
from rosgit.lint.shared import sharing

IGNORE_ANNOTATION = "rosgit.io/lint-ignore"


def suppressions(objects: list[Obj]) -> dict[str, set[str]]:
    """Object ref -> rule ids it ignores (`rosgit.io/lint-ignore:` a comma-separated list of ids, or `all`)."""
    found: dict[str, set[str]] = {}
    for obj in objects:
        value = annotations_of(obj).get(IGNORE_ANNOTATION)
        if value:
            found[ref(obj)] = {part.strip().upper() for part in value.split(",") if part.strip()}
    return found


def is_suppressed(finding: Finding, ignored: dict[str, set[str]]) -> bool:
    ids = ignored.get(finding.object, set())
    return finding.id in ids or "ALL" in ids


def lint_objects(
    objects: list[Obj], context: LintContext, *, select: set[str] | None = None, share: bool = True
) -> list[Finding]:
    """Every finding of every rule (or of the `select`ed ids), minus suppressed ones, sorted and unique.
    The rules share what they compute from the overlay (rosgit.lint.shared) unless `share` is False (the
    reference the tests compare sharing with)."""
    ignored = suppressions(objects)
    findings: set[Finding] = set()
    with sharing(objects, context) if share else contextlib.nullcontext():
        for rule in RULES:
            if select is not None and not select.intersection(rule.ids):
                continue
            for finding in rule.function(objects, context):
                if (select is None or finding.id in select) and not is_suppressed(finding, ignored):
                    findings.add(finding)
    return sorted(findings, key=lambda f: (f.source, f.id, f.object, f.message))
