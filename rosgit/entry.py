"""Console entry point. `rosgit build` and the git hook's `rosgit pre-commit FILE...` are parsed here without
importing Typer: they run many times a day (every render, every commit), and Typer's import (with its
pydantic adapters) costs a good part of a hook's one-second budget."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from types import SimpleNamespace
from typing import Any, NoReturn

from rosgit.errors import RosgitError


def _fast_build(args: list[str]) -> int:
    """Handles the plain `rosgit build` forms; returns -1 to defer anything else (help, odd flags) to Typer."""
    values = {"--engine": "builtin", "--output": "yaml", "--out": None}
    positional: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        option = "--output" if arg == "-o" else arg
        if option in values:
            if index + 1 >= len(args):
                return -1
            values[option] = args[index + 1]
            index += 2
        elif arg.startswith("-") and arg.split("=", 1)[0] in values:
            option, value = arg.split("=", 1)
            values[option] = value
            index += 1
        elif arg.startswith("-"):
            return -1
        else:
            positional.append(arg)
            index += 1
    if len(positional) != 1:
        return -1
    from rosgit.build import build_overlay, render_build, write_build_output

    text = render_build(build_overlay(positional[0], engine=str(values["--engine"])), str(values["--output"]))
    out = values["--out"]
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from pathlib import Path

        write_build_output(Path(out), text)
    return 0


def _fast_pre_commit(args: list[str]) -> int:
    """`rosgit pre-commit FILE...` as the hook calls it; -1 defers any option (help, --catalog) to Typer."""
    if any(arg.startswith("-") for arg in args):
        return -1
    from pathlib import Path

    from rosgit.check.precommit import run_pre_commit

    return run_pre_commit(Path("rosgit.yaml"), args)


_FAST_COMMANDS = {"build": _fast_build, "pre-commit": _fast_pre_commit}


def _run_typer(argv: list[str]) -> int:
    """Runs the Typer app with Click's own error printing off, so a bad argument is one line like every
    other user error (Click would draw a five-line box) and exits 2."""
    from rosgit.cli import cli_command

    errors = _click_exceptions()

    try:
        code = cli_command().main(args=argv, prog_name="rosgit", standalone_mode=False)
    except errors.NoArgsIsHelpError as err:
        # `rosgit` or `rosgit schemas` alone: the help is the answer, not an error
        print(err.ctx.get_help())
        return 2
    except errors.UsageError as err:
        message = " ".join(err.format_message().split())
        print(f"rosgit: {_command_of(err.ctx, argv)}{message}", file=sys.stderr)
        return 2
    except errors.ClickException as err:  # e.g. a file option Click itself could not open
        print(f"rosgit: {' '.join(err.format_message().split())}", file=sys.stderr)
        return int(err.exit_code)
    except errors.Abort:
        print("rosgit: aborted", file=sys.stderr)
        return 1
    return code if isinstance(code, int) else 0


def _click_exceptions() -> Any:
    """Click's exceptions as Typer raises them: Typer 0.2x vendors Click (`typer._click`), older ones use the
    click package. `Abort` is Typer's own name for Click's."""
    import importlib

    import typer

    vendored = getattr(typer, "_click", None)
    module: Any = importlib.import_module("typer._click.exceptions" if vendored else "click.exceptions")
    return SimpleNamespace(
        NoArgsIsHelpError=module.NoArgsIsHelpError,
        UsageError=module.UsageError,
        ClickException=module.ClickException,
        Abort=getattr(module, "Abort", typer.Abort),
    )


def _command_of(ctx: object, argv: list[str]) -> str:
    """`lint: ` or `schemas add-crd: ` for a usage error inside a command; '' at the top level."""
    names: list[str] = []
    while ctx is not None and getattr(ctx, "parent", None) is not None:
        names.append(str(getattr(ctx, "info_name", "")))
        ctx = getattr(ctx, "parent", None)
    if not names and ctx is None:
        # an option's own error carries no context: the command is the words before the first option
        from rosgit.cli import app

        known = {command.name or getattr(command.callback, "__name__", "") for command in app.registered_commands}
        groups = {group.name for group in app.registered_groups if group.name}
        known |= groups
        words = [word for word in argv[:2] if not word.startswith("-")]
        if words and words[0] in known:
            names = list(reversed(words if words[0] in groups else words[:1]))
    return f"{' '.join(reversed(names))}: " if names else ""


# Commands that end the process without the interpreter's teardown once they have returned (see `_ended`).
_ENDED_AT_ONCE = frozenset({"build", "pre-commit", "check"})


def _ended(code: int) -> NoReturn:
    """Flushes the output and ends the process at once, as mypy does: the interpreter's teardown frees every
    object one by one (50-100 ms after a pre-commit hook that built six overlays) and these commands leave
    nothing to it (their forked children are joined, their threads done, their files written and closed)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `rosgit build ... | head`: the reader has what it wanted
        code = 1
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


def main() -> None:
    argv = sys.argv[1:]
    try:
        from rosgit.repo.settle import settle_before_command

        settle_before_command(argv)  # a generate killed mid-swap is finished before anything reads the tree
        command = argv[0] if argv else None
        fast = _FAST_COMMANDS.get(command) if command else None
        code = fast(argv[1:]) if fast is not None else -1
        if code < 0:
            code = _run_typer(argv)
        if command in _ENDED_AT_ONCE:
            _ended(code)
        sys.exit(code)
    except RosgitError as err:
        print(f"rosgit: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        print("rosgit: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except OSError as err:
        if err.errno not in _FULL:
            _internal_error(err)
        print(f"rosgit: cannot write {err.filename or 'the output'}: {err.strerror}", file=sys.stderr)
        sys.exit(1)
    except Exception as err:
        _internal_error(err)


# A disk or quota that is full is the user's to free, whichever file was being written.
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def _internal_error(err: Exception) -> NoReturn:
    """A bug in rosgit, not in the user's input: one line unless debugging."""
    if os.environ.get("ROSGIT_DEBUG"):
        raise err
    print(f"rosgit: internal error: {type(err).__name__}: {err} (ROSGIT_DEBUG=1 shows the traceback)",
          file=sys.stderr)
    sys.exit(3)
