"""The user-facing CI entry points run commands this rosgit actually has."""

from __future__ import annotations

import shlex
from typing import Any

import yaml

from rosgit.cli import app
from tests.conftest import REPO_ROOT


def _commands() -> set[str]:
    return {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}


def test_workflow_runs_the_pipeline_and_always_uploads_the_report() -> None:
    workflow: dict[str, Any] = yaml.safe_load((REPO_ROOT / ".github/workflows/rosgit-check.yaml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    for action in ("actions/checkout", "actions/setup-python", "actions/setup-go", "actions/upload-artifact"):
        assert action in uses
    runs = [step["run"] for step in steps if "run" in step]
    assert runs == ["pip install .", "bash scripts/install-tools.sh", "rosgit check --output junit > report.xml"]
    assert (REPO_ROOT / "scripts/install-tools.sh").is_file()
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "report.xml"
    # order matters: Go before the tools, the tools before the check, the check before the upload
    position = {step.get("uses", step.get("run", "")).split("@")[0]: i for i, step in enumerate(steps)}
    assert position["actions/setup-go"] < position["bash scripts/install-tools.sh"]
    assert position["bash scripts/install-tools.sh"] < position[runs[-1]] < position["actions/upload-artifact"]


def test_pre_commit_hooks_call_existing_commands() -> None:
    hooks: list[dict[str, Any]] = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert "rosgit-check" in by_id
    for hook in hooks:
        program, command, *_ = shlex.split(hook["entry"])
        assert program == "rosgit" and command in _commands()
        assert hook["pass_filenames"] is False and hook["language"] == "python"


def test_both_workflows_fetch_the_history_the_chart_version_check_compares_with() -> None:
    """ROS906 compares the chart with the merge-base of main; actions/checkout's default depth 1 has no
    merge-base, and the check then has nothing to compare with. The scaffolded workflow (`rosgit init`) and
    this repository's own fetch the whole history."""
    from rosgit.repo.scaffold import workflow_text

    own = (REPO_ROOT / ".github/workflows/rosgit-check.yaml").read_text()
    texts = {"scaffolded": workflow_text(), "this repository's": own}
    for which, text in texts.items():
        steps = yaml.safe_load(text)["jobs"]["check"]["steps"]
        checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
        assert (checkout.get("with") or {}).get("fetch-depth") == 0, which
