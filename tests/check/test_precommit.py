"""The pre-commit hook `rosgit init` scaffolds runs the fast subset: drift always, then only the overlays the
committed files touch, never the slow repo-wide stages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rosgit.catalog import load_catalog
from rosgit.check.model import REPO_ROW
from rosgit.check.precommit import SLOW_STAGES, touched_overlays
from rosgit.repo.scaffold import PRE_COMMIT_FILE, WORKFLOW_FILE, scaffold_files
from tests.check.repo_copy import copy_repo, plant
from tests.conftest import REPO_ROOT, run_rosgit


def test_files_map_to_the_overlays_they_touch() -> None:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    every = [o.name for o in catalog.overlays]
    assert touched_overlays(catalog, ["overlays/dev/kustomization.yaml", "overlays/prod/x.yaml"]) == ["dev", "prod"]
    assert touched_overlays(catalog, ["base/kruize/deployment.yaml"]) == every
    assert touched_overlays(catalog, ["components/openshift/kustomization.yaml"]) == every
    assert touched_overlays(catalog, ["rosgit.yaml", "argocd/apps/dev.yaml", "README.md"]) == []


def test_the_hook_runs_drift_and_the_touched_overlay_only(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    plant(repo / "overlays/dev/kustomization.yaml", "resources:\n", "# edited by hand\nresources:\n")
    result = run_rosgit("pre-commit", "overlays/dev/kustomization.yaml", cwd=repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[generate] overlays/dev/kustomization.yaml: error CHK001" in result.stdout
    table = result.stdout.split("\n\n")[1].splitlines()
    assert [line.split()[0] for line in table[2:]] == ["dev", REPO_ROW]
    starts = [table[0].index(column) for column in table[0].split()]
    dev = {
        table[0][a:b].strip(): table[2][a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)
    }
    assert {stage: dev[stage] for stage in SLOW_STAGES} == dict.fromkeys(SLOW_STAGES, "skipped")
    assert dev["generate"] == "1 error" and dev["build"] == dev["validate"] == dev["lint"] == "ok"


def test_init_scaffolds_the_hook_and_the_workflow(tmp_path: Path) -> None:
    assert run_rosgit("init", "--catalog", str(tmp_path / "rosgit.yaml")).returncode == 0
    config: dict[str, Any] = yaml.safe_load((tmp_path / PRE_COMMIT_FILE).read_text(encoding="utf-8"))
    (hook,) = config["repos"][0]["hooks"]
    assert hook["entry"] == "rosgit pre-commit" and hook["pass_filenames"] is True
    workflow: dict[str, Any] = yaml.safe_load((tmp_path / WORKFLOW_FILE).read_text(encoding="utf-8"))
    runs = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    assert any("rosgit check --require-tools" in run for run in runs)
    assert any("go install sigs.k8s.io/kustomize/kustomize/v5@" in run for run in runs)
    (restore,) = [step for step in workflow["jobs"]["check"]["steps"] if step.get("uses") == "actions/cache@v4"]
    assert restore["with"] == {  # where rosgit.cache keeps its results, saved per commit, restored from any
        "path": "~/.cache/rosgit", "key": "rosgit-${{ github.sha }}", "restore-keys": "rosgit-"
    }
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        ["rosgit.yaml", *scaffold_files()]
    )
    # a second init with --force keeps nothing stale, and without --force refuses before writing anything
    again = run_rosgit("init", "--catalog", str(tmp_path / "rosgit.yaml"))
    assert again.returncode == 2


def test_the_hook_form_answers_as_typer_does_without_importing_it(tmp_path: Path) -> None:
    """`rosgit pre-commit FILE...` skips Typer (rosgit.entry); with an option it goes through Typer. Both
    print the same report and exit alike; the hook's form never imports Typer."""
    import re
    import subprocess
    import sys

    repo = copy_repo(tmp_path)
    plant(repo / "overlays/dev/kustomization.yaml", "resources:\n", "# edited by hand\nresources:\n")
    fast = run_rosgit("pre-commit", "overlays/dev/kustomization.yaml", cwd=repo)
    typer = run_rosgit("pre-commit", "--catalog", "rosgit.yaml", "overlays/dev/kustomization.yaml", cwd=repo)

    def untimed(text: str) -> str:
        return re.sub(r"\d+\.\d+s", "<t>", text)

    assert fast.returncode == typer.returncode == 1
    assert untimed(fast.stdout) == untimed(typer.stdout) and fast.stderr == typer.stderr
    probe = (
        "import os, sys\n"  # the hook ends by os._exit (rosgit.entry._ended): asked there
        "real_exit = os._exit\n"
        "os._exit = lambda code: (print('typer imported:', 'typer' in sys.modules, file=sys.stderr, flush=True),"
        " real_exit(code))\n"
        "sys.argv = ['rosgit', 'pre-commit', 'overlays/dev/kustomization.yaml']\n"
        "from rosgit.entry import main\n"
        "main()\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, check=False)
    assert ran.returncode == 1 and ran.stderr.strip().endswith("typer imported: False"), ran.stderr
