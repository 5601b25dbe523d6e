"""`rosgit check` end to end, in a separate process as CI runs it."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from tests.check.repo_copy import copy_repo, plant
from tests.conftest import run_rosgit


def test_check_passes_on_the_repository() -> None:
    result = run_rosgit("check", "--output", "json")
    report = json.loads(result.stdout)
    problems = [f for f in report["findings"] if f["severity"] == "error"]
    assert result.returncode == 0, problems or result.stderr
    for row in report["summary"].values():
        assert "failed" not in row.values()
    assert report["summary"]["minimal"]["lint"] == "ok"
    assert report["summary"]["openshift-prod"]["build"] == "ok"


def test_check_junit_on_a_planted_defect(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    plant(repo / "base/kruize/deployment.yaml", "key: kruize-password", "key: kruize-pasword")
    result = run_rosgit(
        "check", "--catalog", str(repo / "rosgit.yaml"), "--output", "junit", "--overlay", "dev",
        "--skip", "generate,argocd,helm,secrets,kustomize", cwd=repo,
    )
    assert result.returncode == 1
    root = ET.fromstring(result.stdout)
    failures = {
        (suite.get("name"), case.get("name"), failure.get("type"))
        for suite in root.iter("testsuite")
        for case in suite.iter("testcase")
        for failure in case.iter("failure")
    }
    assert failures == {("lint", "dev", "ROS102")}
    skipped = {case.get("name") for case in root.iter("testcase") if case.find("skipped") is not None}
    assert skipped == {"dev", "(repo)"}
    assert "rosgit: check failed" in result.stderr


def test_bad_options_are_one_line_errors() -> None:
    for args in (
        ["check", "--output", "xml"],
        ["check", "--skip", "lnt"],
        ["check", "--overlay", "nope"],
        ["check", "--catalog", "/nonexistent/rosgit.yaml"],
    ):
        result = run_rosgit(*args)
        assert result.returncode == 2, args
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("rosgit: "), result.stderr
