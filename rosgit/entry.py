"""Console entry point. `rosgit build` is parsed here without importing Typer: it runs many times per
check and on every laptop render, and Typer's import alone costs more than the build itself."""

from __future__ import annotations

import os
import sys

from rosgit.errors import RosgitError

_BUILD_USAGE = "usage: rosgit build [--engine builtin|kustomize] [--output FILE] OVERLAY"


def _fast_build(args: list[str]) -> int:
    """Handles the plain `rosgit build` forms; returns -1 to defer anything else (help, odd flags) to Typer."""
    engine, output, positional = "builtin", None, []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("--engine", "--output", "-o"):
            if index + 1 >= len(args):
                return -1
            value = args[index + 1]
            if arg == "--engine":
                engine = value
            else:
                output = value
            index += 2
        elif arg.startswith("--engine="):
            engine = arg.split("=", 1)[1]
            index += 1
        elif arg.startswith("--output="):
            output = arg.split("=", 1)[1]
            index += 1
        elif arg.startswith("-"):
            return -1
        else:
            positional.append(arg)
            index += 1
    if len(positional) != 1:
        return -1
    from pathlib import Path

    from rosgit.build import build_overlay

    text = build_overlay(Path(positional[0]), engine=engine)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        Path(output).write_text(text, encoding="utf-8")
    return 0


def main() -> None:
    argv = sys.argv[1:]
    try:
        from rosgit.repo.settle import settle_before_command

        settle_before_command(argv)  # a generate killed mid-swap is finished before anything reads the tree
        if argv[:1] == ["build"]:
            code = _fast_build(argv[1:])
            if code >= 0:
                sys.exit(code)
        from rosgit.cli import app

        app()
    except RosgitError as err:
        print(f"rosgit: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        print("rosgit: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except Exception as err:  # a bug in rosgit, not in the user's input: one line unless debugging
        if os.environ.get("ROSGIT_DEBUG"):
            raise
        print(f"rosgit: internal error: {type(err).__name__}: {err} (ROSGIT_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        sys.exit(3)
