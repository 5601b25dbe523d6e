"""Rendering a CheckReport: text (findings and a summary table), JSON, or JUnit XML for CI."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from rosgit.check.model import REPO_ROW, REPO_STAGES, STAGES, CheckReport, StageResult
from rosgit.findings import RuleId, finding_lines, paint
from rosgit.ids import RULES

OUTPUTS = ("text", "json", "junit")


def cell_text(report: CheckReport, row: str, stage: str) -> str:
    result = report.cell(row, stage)
    if result is not None:
        return result.cell()
    if stage in REPO_STAGES:
        # A repo-wide stage that did not run shows why in every row, so nothing looks silently passed.
        repo = report.cell(REPO_ROW, stage)
        if repo is not None and repo.status in ("skipped", "failed"):
            return repo.cell()
    return "-"


def summary_table(report: CheckReport) -> str:
    stages = [s for s in STAGES if any(r.stage == s for r in report.results)]
    header = ["overlay", *stages]
    rows = [[row, *(cell_text(report, row, stage) for stage in stages)] for row in report.rows()]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def fmt(line: list[str]) -> str:
        return "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()

    lines = [fmt(header), fmt(["-" * w for w in widths]), *(fmt(row) for row in rows)]
    return "\n".join(lines) + "\n"


def describe(rule: RuleId) -> str:
    return RULES[rule].description if rule in RULES else ""


def render_text(report: CheckReport, *, verbose: bool = False, colour: bool = False) -> str:
    out: list[str] = []
    ordered = sorted(
        report.findings(), key=lambda rf: (STAGES.index(rf[0].stage), rf[0].overlay, rf[1].source, rf[1].id)
    )
    out += finding_lines(
        [(f"[{result.stage}] ", finding) for result, finding in ordered], verbose=verbose, describe=describe,
        colour=colour,
    )
    for result in report.results:
        if result.status == "failed":
            failed = f"[{result.stage}] {result.overlay}: stage failed: {result.detail}"
            out.append(paint(failed, "error", colour) + "\n")
    if out:
        out.append("\n")
    out.append(summary_table(report))
    verdict = "passed" if report.ok else "failed"
    closing = f"rosgit check {verdict}: {report.errors} error(s), {report.warnings} warning(s) in {report.seconds:.1f}s"
    out.append("\n" + paint(closing, "info" if report.ok else "error", colour) + "\n")
    return "".join(out)


def _result_json(result: StageResult) -> dict[str, Any]:
    return {
        "stage": result.stage,
        "overlay": result.overlay,
        "status": result.status,
        "summary": result.cell(),
        "errors": result.errors,
        "warnings": result.warnings,
        "detail": result.detail,
        "seconds": round(result.seconds, 3),
    }


def render_json(report: CheckReport) -> str:
    payload = {
        "ok": report.ok,
        "errors": report.errors,
        "warnings": report.warnings,
        "seconds": round(report.seconds, 3),
        "summary": {row: {s: cell_text(report, row, s) for s in STAGES} for row in report.rows()},
        "stages": [_result_json(r) for r in report.results],
        "findings": [
            {**finding.__dict__, "stage": result.stage, "overlay": result.overlay}
            for result, finding in report.findings()
        ],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def render_junit(report: CheckReport) -> str:
    """One testsuite per stage, one testcase per overlay row; errors are failures, warnings system-out."""
    suites = ET.Element("testsuites", name="rosgit check")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for stage in STAGES:
        results = [r for r in report.results if r.stage == stage]
        if not results:
            continue
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        suite = ET.SubElement(suites, "testsuite", name=stage)
        for result in results:
            counts["tests"] += 1
            case = ET.SubElement(
                suite, "testcase", classname=f"rosgit.check.{stage}", name=result.overlay,
                time=f"{result.seconds:.3f}",
            )
            errors = [f for f in result.findings if f.severity == "error"]
            others = [f for f in result.findings if f.severity != "error"]
            if result.status == "failed":
                counts["errors"] += 1
                ET.SubElement(case, "error", message=result.detail, type="stage-failed").text = result.detail
            elif errors:
                counts["failures"] += 1
                failure = ET.SubElement(case, "failure", message=result.cell(), type=errors[0].id)
                failure.text = "\n".join(f.line() for f in errors)
            elif result.status == "skipped":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=result.detail or result.cell())
            if others:
                ET.SubElement(case, "system-out").text = "\n".join(f.line() for f in others)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{report.seconds:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def render(report: CheckReport, output: str, *, verbose: bool = False, colour: bool = False) -> str:
    if output == "json":
        return render_json(report)
    if output == "junit":
        return render_junit(report)
    return render_text(report, verbose=verbose, colour=colour)
