"""The command line as a user meets it: help everywhere, version, init, one-line errors."""

from __future__ import annotations

from pathlib import Path

from rosgit import __version__
from rosgit.catalog.defaults import default_catalog_text
from tests.conftest import REPO_ROOT, run_rosgit


def _commands() -> list[str]:
    from rosgit.cli import app

    return sorted(cmd.name or cmd.callback.__name__ for cmd in app.registered_commands if cmd.callback)


def test_version() -> None:
    result = run_rosgit("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"rosgit {__version__}"


def test_every_command_has_help() -> None:
    commands = _commands()
    assert {"init", "generate", "build", "resources"} <= set(commands)
    for command in commands:
        result = run_rosgit(command, "--help")
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage:" in result.stdout, command


def test_init_writes_the_default_catalog_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "rosgit.yaml"
    assert run_rosgit("init", "--catalog", str(target)).returncode == 0
    assert target.read_text(encoding="utf-8") == default_catalog_text()

    again = run_rosgit("init", "--catalog", str(target))
    assert again.returncode == 2
    assert again.stderr.strip() == f"rosgit: {target}: already exists; pass --force to overwrite it"


def test_repo_catalog_is_the_default_catalog() -> None:
    # This repository deploys the reference stack: its catalog is exactly what `rosgit init` writes.
    assert (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8") == default_catalog_text()


def test_build_errors_are_one_line() -> None:
    missing = run_rosgit("build", "overlays/does-not-exist")
    assert missing.returncode == 2
    assert missing.stderr == "rosgit: overlays/does-not-exist: not a directory\n"
    engine = run_rosgit("build", "overlays/minimal", "--engine", "helm")
    assert engine.returncode == 2
    assert engine.stderr.count("\n") == 1 and "unknown engine 'helm'" in engine.stderr
