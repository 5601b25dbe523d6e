"""`rosgit diff [BASE] [HEAD]`: render both revisions, compare, print or write the report."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from rosgit.diff.render import Render, render_tree
from rosgit.diff.report import FORMATS, render_report
from rosgit.diff.revisions import checked_out, commit_of, default_base
from rosgit.diff.semantic import TreeDiff, diff_renders
from rosgit.errors import UsageError

WORKING_TREE = "working tree"


@contextlib.contextmanager
def _tree(root: Path, commit: str | None) -> Iterator[Path]:
    if commit is None:
        yield root  # the working tree is only read
        return
    with checked_out(root, commit) as tree:
        yield tree


def _render(root: Path, commit: str | None, *, chart: bool) -> Render:
    with _tree(root, commit) as tree:
        return render_tree(tree, chart=chart)


def compute_diff(root: Path, base: str | None, head: str | None, *, chart: bool = True) -> TreeDiff:
    """BASE defaults to the merge-base with main, HEAD to the working tree (as it is, uncommitted files too)."""
    base_commit = commit_of(root, base) if base is not None else default_base(root)
    head_commit = commit_of(root, head) if head is not None else None
    before = _render(root, base_commit, chart=chart)
    after = _render(root, head_commit, chart=chart)
    return diff_renders(base_commit, head_commit or WORKING_TREE, before, after)


def run_diff(
    root: Path, base: str | None, head: str | None, *, output: str, out: Path | None, chart: bool, exit_code: bool
) -> int:
    if output not in FORMATS:
        raise UsageError(f"unknown output {output!r}; choose one of {', '.join(FORMATS)}")
    diff = compute_diff(root, base, head, chart=chart)
    text = render_report(diff, output)
    if out is None:
        sys.stdout.write(text)
    else:
        from rosgit.build import write_build_output

        write_build_output(out, text)
        print(f"rosgit: wrote {out}", file=sys.stderr)
    return 1 if exit_code and diff.changed else 0
