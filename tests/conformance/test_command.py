"""`rosgit conformance`: one line per check, exit 0/1, and a one-line message (exit 2) naming what is missing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rosgit import tools
from rosgit.conformance.command import run_conformance
from rosgit.tools import NotInstalled
from tests.conformance.conftest import planted_overlay
from tests.conformance.test_postgresql import _drop_start_hook
from tests.conftest import REPO_ROOT, run_rosgit

pytestmark = pytest.mark.conformance


def test_a_passing_component_prints_one_line_per_check_and_exits_0(programs: Callable[[str], None]) -> None:
    programs("redis")
    result = run_rosgit("conformance", "minimal", "--component", "redis")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("ok   redis: ") for line in lines)
    assert result.stderr.strip() == f"rosgit: conformance: {len(lines)} check(s), 0 failing"


def test_a_planted_defect_exits_1_with_the_failing_line(programs: Callable[[str], None], tmp_path: Path) -> None:
    programs("postgresql")
    planted_overlay(tmp_path, "minimal", _drop_start_hook)
    result = run_rosgit("conformance", "minimal", "--component", "koku-db", "-c", str(tmp_path / "rosgit.yaml"))
    assert result.returncode == 1, result.stderr
    failing = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failing) == 1 and "extension pg_stat_statements" in failing[0]


def test_a_missing_program_is_one_line_naming_it_and_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tools, "tool_dirs", lambda: [tmp_path / "bin"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    with pytest.raises(NotInstalled) as caught:
        run_conformance(REPO_ROOT / "rosgit.yaml", "minimal", component="minio")
    pins = tools.pins()
    assert str(caught.value) == (
        f"not installed: minio {pins['minio'].version} (go github.com/minio/minio), "
        f"mc {pins['mc'].version} (go github.com/minio/mc); run scripts/install-tools.sh --kind go in a rosgit checkout"
    )
    assert caught.value.exit_code == 2


def test_an_unknown_component_names_the_ones_it_runs() -> None:
    result = run_rosgit("conformance", "minimal", "--component", "koku-api-reads")
    assert result.returncode == 2
    assert result.stderr.startswith("rosgit: component 'koku-api-reads' is not one this tier runs in minimal;")
    assert "koku-db" in result.stderr and "\n" not in result.stderr.strip()
