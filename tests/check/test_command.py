"""`rosgit check` end to end, in a separate process as CI runs it."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from rosgit.check.command import run_check
from rosgit.errors import UsageError
from tests.check.repo_copy import copy_repo, plant
from tests.conftest import REPO_ROOT, run_rosgit


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
        env={"PYTHONPATH": str(REPO_ROOT)},  # this working tree's rosgit, whatever is pip-installed
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
    result = run_rosgit("check", "--skip", "lnt")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("rosgit: unknown stage"), result.stderr
    catalog = REPO_ROOT / "rosgit.yaml"
    for kwargs in (
        {"catalog_path": catalog, "output": "xml", "overlays": [], "skip": []},
        {"catalog_path": catalog, "output": "text", "overlays": ["nope"], "skip": ["generate,argocd,secrets,helm"]},
        {"catalog_path": Path("/nonexistent/rosgit.yaml"), "output": "text", "overlays": [], "skip": []},
    ):
        with pytest.raises(UsageError):
            run_check(**kwargs)  # type: ignore[arg-type]
