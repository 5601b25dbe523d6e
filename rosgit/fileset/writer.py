"""Applying a generated tree to disk: plan the changes, show them as a diff, or write them all-or-nothing."""

from __future__ import annotations

import contextlib
import difflib
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rosgit.fileset.text import is_generated

# Top-level directories the generator owns files in; files there without the header are left alone.
MANAGED_DIRS = ("base", "components", "overlays", "argocd", "charts")

STAGING_SUFFIX = ".rosgit-tmp"


@dataclass
class Plan:
    """What applying the tree changes. Paths are relative to the root."""

    create: dict[str, str] = field(default_factory=dict)
    update: dict[str, tuple[str, str]] = field(default_factory=dict)
    delete: dict[str, str] = field(default_factory=dict)
    foreign: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.create or self.update or self.delete)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return None
    except UnicodeDecodeError:
        return "\0"  # binary: never ours


def existing_generated(root: Path) -> dict[str, str]:
    """Files under the managed directories that carry the rosgit header."""
    found: dict[str, str] = {}
    for top in MANAGED_DIRS:
        directory = root / top
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not path.is_symlink() and not path.name.endswith(STAGING_SUFFIX):
                text = _read(path)
                if text is not None and is_generated(text):
                    found[path.relative_to(root).as_posix()] = text
    return found


def plan_changes(root: Path, tree: dict[str, str]) -> Plan:
    plan = Plan()
    for rel, text in tree.items():
        current = _read(root / rel)
        if current is None:
            plan.create[rel] = text
        elif not is_generated(current):
            plan.foreign.append(rel)
        elif current != text:
            plan.update[rel] = (current, text)
    for rel, text in existing_generated(root).items():
        if rel not in tree:
            plan.delete[rel] = text
    return plan


def render_diff(plan: Plan) -> str:
    chunks: list[str] = []

    def diff(old: str, new: str, old_name: str, new_name: str) -> None:
        chunks.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=old_name,
                tofile=new_name,
            )
        )
        if chunks and not chunks[-1].endswith("\n"):
            chunks.append("\n")

    for rel in sorted({*plan.create, *plan.update, *plan.delete}):
        if rel in plan.create:
            diff("", plan.create[rel], "/dev/null", f"b/{rel}")
        elif rel in plan.update:
            old, new = plan.update[rel]
            diff(old, new, f"a/{rel}", f"b/{rel}")
        else:
            diff(plan.delete[rel], "", f"a/{rel}", "/dev/null")
    return "".join(chunks)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM while files are swapped in, so Ctrl-C cannot leave a half-written tree."""
    received: list[int] = []

    def remember(signum: int, _frame: object) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, remember) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            raise KeyboardInterrupt


def apply_plan(root: Path, plan: Plan) -> None:
    """Stage every new file next to its target first; only then swap them all in and delete stale files.

    An error or Ctrl-C while staging removes the staged files and leaves the previous tree untouched.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for rel, text in sorted({**plan.create, **{k: v[1] for k, v in plan.update.items()}}.items()):
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(target.name + STAGING_SUFFIX)
            temp.write_text(text, encoding="utf-8")
            staged.append((temp, target))
    except BaseException:
        for temp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        raise
    with _signals_deferred():
        for temp, target in staged:
            os.replace(temp, target)
        for rel in sorted(plan.delete):
            with contextlib.suppress(FileNotFoundError):
                (root / rel).unlink()
            _prune_empty_dirs(root, (root / rel).parent)


def _prune_empty_dirs(root: Path, directory: Path) -> None:
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
