"""`rosgit lint` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rosgit.errors import UsageError
from rosgit.lint.command import run_lint
from tests.check.repo_copy import copy_repo, plant
from tests.conftest import REPO_ROOT, run_rosgit


def test_repo_overlays_lint_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_lint(REPO_ROOT / "rosgit.yaml", [], engine="builtin", output="text", select=[])
    out, err = capsys.readouterr()
    assert code == 0, out
    assert out == "" and "0 error(s), 0 warning(s)" in err


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
    result = run_rosgit("lint", "nope")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("rosgit: no overlay 'nope'"), result.stderr
    for overlays, output, select in (([], "text", ["ROS999"]), ([], "xml", []), (["nope"], "text", [])):
        with pytest.raises(UsageError):
            run_lint(REPO_ROOT / "rosgit.yaml", overlays, engine="builtin", output=output, select=select)


def test_list_rules() -> None:
    result = run_rosgit("lint", "--list-rules")
    assert result.returncode == 0 and "ROS601" in result.stdout and "ROS801" in result.stdout


def test_flows_lists_missing_and_extra(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rosgit.lint.command import run_flows

    repo = copy_repo(tmp_path)
    policies = repo / "components/openshift/network-policies.yaml"
    text = policies.read_text()
    # kruize's egress now goes to kafka's pods instead of ros-db's: one flow missing, one extra
    docs = text.split("\n---\n")
    index = next(i for i, d in enumerate(docs) if "name: allow-egress-from-kruize\n" in d)
    docs[index] = docs[index].replace("app.kubernetes.io/name: ros-db", "app.kubernetes.io/name: kafka")
    docs[index] = docs[index].replace("port: 5432", "port: 9092")
    policies.write_text("\n---\n".join(docs))
    code = run_flows(repo / "rosgit.yaml", ["openshift-minimal"], engine="builtin")
    out = capsys.readouterr().out
    assert code == 1
    assert "missing 1, extra 0" in out  # kafka's ingress does not admit kruize, so no extra flow opens
    assert "  missing  kruize -> ros-db:5432/TCP  (ROS and Kruize databases: egress from kruize is denied)" in out
