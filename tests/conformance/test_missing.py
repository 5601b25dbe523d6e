"""A conformance test whose program is missing fails under CI=true and skips locally, naming the install command."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit import tools
from tests.conformance.conftest import require_programs


@pytest.fixture
def nothing_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools, "tool_dirs", lambda: [tmp_path / "bin"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")


def test_under_ci_a_missing_program_fails(nothing_installed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"kafka 4\.1\.0 .*run scripts/install-tools.sh --kind maven"):
        require_programs("kafka")


def test_locally_a_missing_program_skips(nothing_installed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"scripts/install-tools.sh --kind deb"):
        require_programs("valkey")
