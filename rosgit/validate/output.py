"""Report formatters modelled on kubeconform's: text, json, junit, tap. Each is a pure `report -> str`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

from rosgit.errors import UsageError
from rosgit.validate.report import ResourceResult, ValidationReport

_JSON_STATUS = {"valid": "statusValid", "invalid": "statusInvalid", "error": "statusError", "skipped": "statusSkipped"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def summary_line(report: ValidationReport) -> str:
    counts = report.counts()
    total = sum(counts.values())
    stdin_only = report.sources == ("stdin",)
    where = "parsing stdin" if stdin_only else f"in {_plural(len(report.sources), 'file')}"
    return (
        f"Summary: {_plural(total, 'resource')} found {where} - Valid: {counts['valid']}, "
        f"Invalid: {counts['invalid']}, Errors: {counts['error']}, Skipped: {counts['skipped']}"
    )


def _text_line(result: ResourceResult) -> str:
    who = f"{result.ref} " if result.kind else ""
    if result.status == "invalid":
        return f"{result.location} - {who}is invalid: {result.detail()}"
    if result.status == "error":
        return f"{result.location} - {who}failed validation: {result.detail()}"
    if result.status == "skipped":
        return f"{result.location} - {who}skipped (no schema)"
    return f"{result.location} - {who}is valid"


def render_text(report: ValidationReport, *, verbose: bool = False) -> str:
    lines = [
        _text_line(result)
        for result in report.results
        if verbose or result.status in ("invalid", "error")
    ]
    lines += [
        f"{result.location} - {result.ref} uses a deprecated API: {result.deprecation}"
        for result in report.results
        if result.deprecation
    ]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _json_result(result: ResourceResult) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "filename": result.source,
        "line": result.line,
        "kind": result.kind,
        "name": result.name,
        "namespace": result.namespace,
        "version": result.api_version,
        "status": _JSON_STATUS[result.status],
        "msg": result.detail() if result.status in ("invalid", "error") else "",
    }
    if result.deprecation:
        entry["deprecation"] = result.deprecation
    if result.errors:
        entry["validationErrors"] = [{"path": e.path, "msg": e.message} for e in result.errors]
    return entry


def render_json(report: ValidationReport, *, verbose: bool = False) -> str:
    counts = report.counts()
    payload = {
        "resources": [
            _json_result(result)
            for result in report.results
            if verbose or result.status in ("invalid", "error") or result.deprecation
        ],
        "summary": {
            "valid": counts["valid"],
            "invalid": counts["invalid"],
            "errors": counts["error"],
            "skipped": counts["skipped"],
        },
        "validator": report.validator,
        "kubernetesVersion": report.kubernetes_version,
    }
    return json.dumps(payload, indent=2) + "\n"


def render_junit(report: ValidationReport, *, verbose: bool = False) -> str:
    """One testsuite per source, one testcase per resource (`namespace/name`, class `Kind@apiVersion`)."""
    del verbose  # junit always lists every resource, as kubeconform's does
    counts = report.counts()
    root = ElementTree.Element(
        "testsuites",
        {
            "name": "rosgit validate",
            "tests": str(sum(counts.values())),
            "failures": str(counts["invalid"]),
            "errors": str(counts["error"]),
            "disabled": str(counts["skipped"]),
        },
    )
    suites: dict[str, ElementTree.Element] = {}
    for result in report.results:
        suite = suites.get(result.source)
        if suite is None:
            suite = ElementTree.SubElement(
                root, "testsuite", {"name": result.source, "id": str(len(suites) + 1)}
            )
            suites[result.source] = suite
        name = f"{result.namespace}/{result.name}" if result.namespace else result.name
        case = ElementTree.SubElement(
            suite,
            "testcase",
            {"name": name or f"line {result.line}", "classname": f"{result.kind}@{result.api_version}"},
        )
        if result.status == "invalid":
            ElementTree.SubElement(case, "failure", {"message": result.detail(), "type": "invalid"})
        elif result.status == "error":
            ElementTree.SubElement(case, "error", {"message": result.detail(), "type": "error"})
        elif result.status == "skipped":
            ElementTree.SubElement(case, "skipped", {"message": "no schema"})
    for source, suite in suites.items():
        mine = [r for r in report.results if r.source == source]
        suite.set("tests", str(len(mine)))
        suite.set("failures", str(sum(r.status == "invalid" for r in mine)))
        suite.set("errors", str(sum(r.status == "error" for r in mine)))
        suite.set("skipped", str(sum(r.status == "skipped" for r in mine)))
    ElementTree.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def render_tap(report: ValidationReport, *, verbose: bool = False) -> str:
    del verbose  # TAP lists every resource
    lines = ["TAP version 13"]
    for number, result in enumerate(report.results, start=1):
        where = f"{result.location} ({result.qualified})"
        if result.status == "valid":
            lines.append(f"ok {number} - {where}")
        elif result.status == "skipped":
            lines.append(f"ok {number} - {where} # skip")
        elif result.status == "invalid":
            lines.append(f"not ok {number} - {where}: {result.detail()}")
        else:
            lines.append(f"not ok {number} - {result.location}: {result.detail()}")
    lines.append(f"1..{len(report.results)}")
    return "\n".join(lines) + "\n"


FORMATTERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "tap": render_tap,
}


def render(report: ValidationReport, output: str, *, verbose: bool = False) -> str:
    formatter = FORMATTERS.get(output)
    if formatter is None:
        raise UsageError(f"unknown output format {output!r}; choose one of {', '.join(FORMATTERS)}")
    return formatter(report, verbose=verbose)
