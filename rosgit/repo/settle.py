"""Where the generated tree is, and the one call that finishes a write a killed `rosgit generate` left behind."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from rosgit.errors import UsageError
from rosgit.fileset.state import pending, tree_root

__all__ = ["settle_before_command", "settle_tree", "tree_root"]


def settle_tree(root: Path) -> None:
    """Roll an interrupted swap forward (or back), saying so on stderr; a no-op costing two stats otherwise."""
    if not pending(root):
        return
    from rosgit.fileset.journal import TreeStateError, recover

    try:
        done = recover(root)
    except TreeStateError as err:
        raise UsageError(str(err)) from None
    except OSError as err:
        raise UsageError(f"{err.filename or root}: cannot finish an interrupted write: {err.strerror}") from None
    if done:
        print(f"rosgit: {done}", file=sys.stderr)


def settle_before_command(argv: Sequence[str]) -> None:
    """Every command reads (or writes) the tree, so every command settles it first: the single entry point.

    The tree is the one of `--catalog`/`-c` when given, else the nearest parent holding rosgit.yaml.
    """
    catalog: str | None = None
    for index, arg in enumerate(argv):
        if arg in ("--catalog", "-c") and index + 1 < len(argv):
            catalog = argv[index + 1]
        elif arg.startswith("--catalog="):
            catalog = arg.split("=", 1)[1]
    if catalog is not None:
        root = tree_root(Path(catalog))
    else:
        from rosgit.tools import project_root

        root = project_root()
    settle_tree(root)
