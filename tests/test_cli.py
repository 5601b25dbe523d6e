"""The command line as a user meets it: help everywhere, version, init, one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
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


def _all_commands() -> list[list[str]]:
    from rosgit.cli import app

    commands = [[name] for name in _commands()]
    for group in app.registered_groups:
        sub = group.typer_instance
        commands += [[str(group.name), c.name or c.callback.__name__] for c in sub.registered_commands if c.callback]
    return commands


def test_dash_h_is_help_everywhere_with_real_metavars_and_an_example() -> None:
    for command in [[], *_all_commands()]:
        short, long = run_rosgit(*command, "-h"), run_rosgit(*command, "--help")
        assert short.returncode == 0 and short.stdout == long.stdout, command
        text = short.stdout
        # no Typer type names as placeholders (<bool>, <str>, <list[str]>, <path>)
        assert not [word for word in ("<bool>", "<str>", "<path>", "<list", "<int>") if word in text], command
        if command:
            example = re.search(r"^ *Example:\n +(rosgit .*)$", text, re.MULTILINE)
            assert example and example.group(1).startswith(f"rosgit {' '.join(command)}"), (command, text)


def test_output_is_a_format_everywhere_and_out_is_a_file() -> None:
    for command in _all_commands():
        text = run_rosgit(*command, "-h").stdout
        if re.search(r"--output\b(?!-)", text):
            assert "-o, --output FORMAT" in text, command
        assert "--output-file" not in text
    moved = run_rosgit("build", "minimal", "-o", "built.yaml")
    assert moved.returncode == 2 and "--out FILE" in moved.stderr


def test_completion_scripts_are_generated() -> None:
    for shell, marker in (("bash", "complete "), ("zsh", "compdef"), ("fish", "complete --command rosgit")):
        # the shell named, not the one running the tests (Typer otherwise detects its parent shell)
        result = run_rosgit("--show-completion", shell, env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
        assert result.returncode == 0, (shell, result.stderr)
        assert marker in result.stdout and "_ROSGIT_COMPLETE" in result.stdout.upper(), shell
    assert "--install-completion" in run_rosgit("-h").stdout
    # and the script's protocol reaches the commands through rosgit's own entry point
    words = run_rosgit(env={"_ROSGIT_COMPLETE": "complete_bash", "COMP_WORDS": "rosgit check --ov", "COMP_CWORD": "2"})
    assert words.stdout.split() == ["--overlay"]


def test_every_overlay_argument_completes_overlay_names() -> None:
    overlays = sorted(p.name for p in (REPO_ROOT / "overlays").iterdir() if p.is_dir())
    openshift = [name for name in overlays if name.startswith("openshift-")]
    assert openshift, overlays
    commands = [
        "build", "resources", "lint", "lint minimal", "conformance", "check --overlay", "helm-diff --overlay",
        "seal", "graph", "rehearse", "rehearse minimal", "verify", "validate",
    ]
    for command in commands:
        words = f"rosgit {command} openshift-"
        completed = run_rosgit(
            env={"_ROSGIT_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
        )
        assert completed.stdout.split() == openshift, (command, completed.stdout, completed.stderr)


def test_an_overlay_is_a_name_or_a_path_everywhere(tmp_path: Path) -> None:
    by_name, by_path = run_rosgit("build", "openshift-minimal"), run_rosgit("build", "overlays/openshift-minimal")
    assert by_name.returncode == 0 and by_name.stdout == by_path.stdout
    slow = run_rosgit("build", "openshift-minimal", "--engine", "builtin", "-o", "yaml")  # the Typer path
    assert slow.stdout == by_path.stdout
    as_json = run_rosgit("build", "minimal", "-o", "json", "--out", str(tmp_path / "built.json"))
    assert as_json.returncode == 0 and '"kind": "List"' in (tmp_path / "built.json").read_text(encoding="utf-8")
    unknown = run_rosgit("build", "openshift-minmal")
    assert unknown.returncode == 2 and "no overlay 'openshift-minmal' (overlays: dev, minimal" in unknown.stderr
    validated = run_rosgit("validate", "openshift-minimal", "--validator", "builtin")
    assert validated.returncode == 0 and validated.stdout.startswith("Summary: ")
    for command in (["lint", "minimal", "--select", "ROS302"], ["resources", "minimal"]):
        assert run_rosgit(*command).returncode == 0, command


_WITH_TEARDOWN_HOOK = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('interpreter teardown', file=sys.stderr))\n"
    "from rosgit.entry import main\n"
    "main()\n"
)


def _entry(*args: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITH_TEARDOWN_HOOK, *args], cwd=REPO_ROOT, stdout=stdout,
        stderr=subprocess.PIPE, text=True, check=False,
    )


def test_build_pre_commit_and_check_end_without_the_interpreter_teardown_and_lose_no_output() -> None:
    """They end the process once their output is flushed (rosgit.entry._ended): the interpreter's teardown
    would free every object one by one. The other commands end as Python does."""
    from rosgit.build import builtin_build

    built = _entry("build", "overlays/minimal")
    assert (built.returncode, built.stderr) == (0, "")
    assert built.stdout == builtin_build(REPO_ROOT / "overlays" / "minimal")
    failed = _entry("build", "overlays/does-not-exist")
    assert failed.returncode == 2 and "interpreter teardown" in failed.stderr  # an error: the usual way out
    hook = _entry("pre-commit", "docs/architecture.md")  # no overlay touched: the drift check alone
    assert hook.returncode == 0 and "rosgit check passed" in hook.stdout and hook.stderr == ""
    version = _entry("--version")
    assert version.stdout.startswith("rosgit ") and "interpreter teardown" in version.stderr



def test_a_full_disk_is_the_user_s_condition_named_in_one_line_not_an_internal_error() -> None:
    """Output that cannot be written (here stdout on /dev/full) is the user's disk, as kustomize reports it:
    one line, exit 1; an internal error (exit 3) would send them looking for a bug in rosgit."""
    for args in (["build", "overlays/minimal"], ["lint", "overlays/minimal"]):
        with open("/dev/full", "w", encoding="utf-8") as full:
            proc = subprocess.run(
                [sys.executable, "-m", "rosgit", *args], cwd=REPO_ROOT, stdout=full, stderr=subprocess.PIPE,
                text=True, check=False,
            )
        assert proc.returncode == 1, (args, proc.stderr)
        assert proc.stderr == "rosgit: cannot write the output: No space left on device\n", args
