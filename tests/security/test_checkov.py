"""checkov, an independent scanner, on every built overlay: no unsuppressed failure, every suppression with a
reason. checkov comes from the dev dependencies (pyproject.toml); ROSGIT_CHECKOV names another binary."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.tools import find_program, missing_tool_message
from tests.conftest import REPO_ROOT, missing_under_ci_fails

OVERLAYS = [o.name for o in load_catalog(REPO_ROOT / "rosgit.yaml").overlays]


def _checkov() -> list[str]:
    named = os.environ.get("ROSGIT_CHECKOV")
    if named:
        return [named]
    home = find_program("checkov")
    if home is None:
        missing_under_ci_fails(missing_tool_message("checkov"))
    # the venv's python, not its entry-point script: the script's shebang names the staging directory the
    # venv was built in before install-tools.sh moved it into place
    return [str(home / "venv" / "bin" / "python"), "-m", "checkov.main"]


def scan(objects: list[dict[str, Any]], tmp_path: Path) -> dict[str, Any]:
    manifest = tmp_path / "overlay.yaml"
    manifest.write_text(yaml.safe_dump_all(objects, sort_keys=False), encoding="utf-8")
    # --skip-download: no Prisma Cloud calls, the scan is offline and reproducible
    options = ["--framework", "kubernetes", "--skip-download", "-o", "json", "--compact"]
    command = [*_checkov(), "-f", str(manifest), *options]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(done.stdout)
    return report[0] if isinstance(report, list) else report


@pytest.mark.tools
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_checkov_finds_no_unsuppressed_failure(overlay: str, tmp_path: Path) -> None:
    objects = build_objects(REPO_ROOT / "overlays" / overlay)
    report = scan(objects, tmp_path)
    results = report["results"]
    failed = [f"{r['check_id']} {r['resource']}" for r in results["failed_checks"]]
    assert failed == [], f"{overlay}: {len(failed)} unsuppressed checkov failure(s)"
    assert report["summary"]["passed"] > 0, "checkov checked nothing"
    assert results["skipped_checks"], "the catalog's suppressions reached no object"
    for skipped in results["skipped_checks"]:
        reason = skipped["check_result"].get("suppress_comment", "")
        assert reason.strip(), f"{skipped['check_id']} on {skipped['resource']} is suppressed without a reason"


def test_a_failure_without_its_suppression_is_reported(tmp_path: Path) -> None:
    """The scan is real: dropping the suppressions of one workload brings its failures back."""
    objects = build_objects(REPO_ROOT / "overlays/minimal")
    beat = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "koku-celery-beat")
    beat["metadata"]["annotations"] = {
        k: v for k, v in beat["metadata"]["annotations"].items() if not k.startswith("checkov.io/")
    }
    failed = {r["check_id"] for r in scan([beat], tmp_path)["results"]["failed_checks"]}
    assert {"CKV_K8S_8", "CKV_K8S_9", "CKV_K8S_22"} <= failed
