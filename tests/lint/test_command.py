"""`rosgit lint` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.errors import UsageError
from rosgit.lint.command import run_lint
from rosgit.lint.targets import resolve_targets
from tests.check.repo_copy import copy_repo, plant
from tests.conftest import REPO_ROOT, run_rosgit


def test_repo_overlays_lint_clean() -> None:
    result = run_rosgit("lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "0 error(s), 0 warning(s)" in result.stderr


def test_defect_exit_code_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_repo(tmp_path)
    plant(repo / "base/kruize/deployment.yaml", "key: kruize-password", "key: wrong")
    code = run_lint(repo / "rosgit.yaml", [str(repo / "overlays/dev")], engine="builtin", output="json", select=[])
    findings = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["id"], f["object"], f["source"]) for f in findings] == [
        ("ROS102", "Deployment/ros-ocp-dev/kruize", "overlays/dev")
    ]


def test_bad_arguments_are_one_line_errors() -> None:
    for args in (["lint", "nope"], ["lint", "--select", "ROS999"], ["lint", "-o", "xml"]):
        result = run_rosgit(*args)
        assert result.returncode == 2, args
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("rosgit: "), result.stderr


def test_targets_default_to_every_catalog_overlay_and_accept_directories() -> None:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    assert [t.name for t in resolve_targets(catalog, REPO_ROOT, [])] == [o.name for o in catalog.overlays]
    by_dir = resolve_targets(catalog, REPO_ROOT, [str(REPO_ROOT / "overlays/openshift-dev")])
    assert [(t.name, t.context.platform, t.context.namespace) for t in by_dir] == [
        ("openshift-dev", "openshift", "ros-ocp-dev")
    ]
    with pytest.raises(UsageError):
        resolve_targets(catalog, REPO_ROOT, ["missing"])


def test_list_rules() -> None:
    result = run_rosgit("lint", "--list-rules")
    assert result.returncode == 0 and "ROS601" in result.stdout and "ROS801" in result.stdout
