from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from rosgit.check.model import REPO_ROW, CheckReport, StageResult
from rosgit.check.report import render_json, render_junit, render_text, summary_table
from rosgit.findings import Finding

ERR = Finding("ROS101", "error", "Deployment/ns/a", "reads a missing Secret", "declare it", "overlays/dev")
WARN = Finding("ROS501", "warning", "SealedSecret/ns/s", "stub", "", "overlays/dev/sealed-secrets/s.yaml")


def sample() -> CheckReport:
    report = CheckReport(overlays=["dev", "prod"], seconds=1.5)
    report.results = [
        StageResult("build", "dev", "ok"),
        StageResult("build", "prod", "ok"),
        StageResult("lint", "dev", "findings", (ERR,)),
        StageResult("lint", "prod", "ok"),
        StageResult("kustomize", "dev", "skipped", detail="kustomize is not installed"),
        StageResult("secrets", "dev", "findings", (WARN,)),
        StageResult("secrets", REPO_ROW, "ok"),
        StageResult("helm", REPO_ROW, "skipped", detail="--skip helm"),
        StageResult("argocd", REPO_ROW, "failed", detail="internal error: KeyError: 'x'"),
    ]
    return report


def test_summary_table_cells() -> None:
    table = summary_table(sample()).splitlines()
    header = table[0].split()
    assert header == ["overlay", "build", "kustomize", "lint", "argocd", "secrets", "helm"]
    rows = {line.split()[0]: line for line in table[2:]}
    assert "1 error" in rows["dev"] and "1 warning" in rows["dev"] and "skipped" in rows["dev"]
    # a repo-wide stage that did not run says so in every row, never "ok"
    assert rows["prod"].count("skipped") == 1 and rows["prod"].count("failed") == 1
    assert set(rows) == {"dev", "prod", REPO_ROW}


def test_errors_decide_the_verdict_and_failed_stages_count() -> None:
    report = sample()
    assert report.errors == 2 and report.warnings == 1 and report.exit_code == 1
    text = render_text(report)
    assert "[lint] overlays/dev: error ROS101 Deployment/ns/a" in text
    assert "[argocd] (repo): stage failed: internal error: KeyError: 'x'" in text
    assert "rosgit check failed: 2 error(s), 1 warning(s)" in text


def test_json_has_findings_with_stage_and_overlay() -> None:
    payload = json.loads(render_json(sample()))
    assert payload["ok"] is False and payload["errors"] == 2
    assert payload["summary"]["prod"]["helm"] == "skipped"
    assert {(f["id"], f["stage"], f["overlay"]) for f in payload["findings"]} == {
        ("ROS101", "lint", "dev"), ("ROS501", "secrets", "dev")
    }


def test_junit_is_well_formed_with_failures_errors_and_skips() -> None:
    root = ET.fromstring(render_junit(sample()))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("9", "1", "1", "2")
    lint = root.find("testsuite[@name='lint']")
    assert lint is not None
    failure = lint.find("testcase[@name='dev']/failure")
    assert failure is not None and failure.get("type") == "ROS101" and "Deployment/ns/a" in (failure.text or "")
    secrets = root.find("testsuite[@name='secrets']/testcase[@name='dev']/system-out")
    assert secrets is not None and "ROS501" in (secrets.text or "")
