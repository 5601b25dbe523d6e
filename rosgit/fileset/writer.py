"""Applying a generated tree to disk: plan the changes, show them as a diff, or swap them in crash-safely.

The swap is staged, journalled, then renamed (rosgit.fileset.journal): after `kill -9` at any moment the next
command finishes or undoes it, so the tree is exactly the old one or exactly the new one.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import signal
import threading
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rosgit.fileset import journal
from rosgit.fileset.journal import MANIFEST, STAGING_SUFFIX, STATE_DIR, Entry, sha256_of
from rosgit.fileset.text import is_generated

__all__ = [
    "MANAGED_DIRS", "STAGING_SUFFIX", "STATE_DIR", "Plan", "apply_plan", "plan_changes", "render_diff",
    "write_file_atomically",
]

# Top-level directories the generator owns files in; files there without the header are left alone.
MANAGED_DIRS = ("base", "components", "overlays", "argocd", "charts")

# Test-only hooks (tests/generate/test_crash.py): seconds to sleep before each staged write / each rename, so a
# test's signal lands inside that phase. Unset in real use; they change timing, never what is written.
STAGE_DELAY_ENV = "ROSGIT_TEST_STAGE_DELAY"
RENAME_DELAY_ENV = "ROSGIT_TEST_RENAME_DELAY"


class InterruptedAfterSwap(KeyboardInterrupt):
    """A stop signal arrived during the renames: it waited for the last one, so the new tree is whole."""


def _test_delay(name: str) -> float:
    return float(os.environ.get(name, "0") or 0)


@dataclass
class Plan:
    """What applying the tree changes. Paths are relative to the root.

    `delete` is every stale file carrying the header (what `--check` reports); `protected` the subset rosgit
    must not delete, because it did not write that content (a user's edited copy keeps the header).
    `blocked` are targets that cannot be written (a directory or symlink in the way): nothing is written then.
    """

    create: dict[str, str] = field(default_factory=dict)
    update: dict[str, tuple[str, str]] = field(default_factory=dict)
    delete: dict[str, str] = field(default_factory=dict)
    foreign: list[str] = field(default_factory=list)
    protected: dict[str, str] = field(default_factory=dict)
    blocked: dict[str, str] = field(default_factory=dict)
    unchanged: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.create or self.update or self.delete)

    @property
    def deletions(self) -> list[str]:
        return sorted(set(self.delete) - set(self.protected))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except UnicodeDecodeError:
        return "\0"  # binary: never ours


def existing_generated(root: Path, *, besides: Collection[str] = ()) -> dict[str, str]:
    """Files under the managed directories that carry the rosgit header, except those in `besides` (relative
    paths, not even read)."""
    found: dict[str, str] = {}
    for top in MANAGED_DIRS:
        directory = root / top
        if not directory.is_dir() or directory.is_symlink():
            continue
        for path in sorted(directory.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if rel in besides:
                continue
            if path.is_file() and not path.is_symlink() and not path.name.endswith(STAGING_SUFFIX):
                text = _read(path)
                if text is not None and is_generated(text):
                    found[rel] = text
    return found


def _obstacle(root: Path, rel: str, seen: dict[Path, str | None]) -> str | None:
    """Why `rel` cannot be written in place, if it cannot: found before anything is touched."""
    target = root / rel
    for directory in reversed(target.parents):
        if directory == root or root not in directory.parents:
            continue
        if directory not in seen:
            name = directory.relative_to(root).as_posix()
            if directory.is_symlink():
                seen[directory] = f"{name} is a symlink; rosgit writes no generated file through one"
            elif directory.exists() and not directory.is_dir():
                seen[directory] = f"{name} is a file where a directory of generated files goes"
            else:
                seen[directory] = None
        if seen[directory]:
            return seen[directory]
    if target.is_dir() and not target.is_symlink():
        return "a directory is in the way of a generated file; move it away"
    return None


def plan_changes(
    root: Path, tree: dict[str, str], *, recoverable: Callable[[Path, list[str]], set[str]] | None = None
) -> Plan:
    """`recoverable(root, paths)`: those of the stale files rosgit has no record of that can be deleted anyway
    because another copy exists (Git's); without it such files are protected."""
    plan = Plan()
    seen: dict[Path, str | None] = {}
    for rel, text in tree.items():
        obstacle = _obstacle(root, rel, seen)
        if obstacle:
            plan.blocked[rel] = obstacle
        current = _read(root / rel)
        if current is None:
            plan.create[rel] = text
        elif not is_generated(current):
            plan.foreign.append(rel)
        elif current != text:
            plan.update[rel] = (current, text)
        else:
            plan.unchanged[rel] = text
    written = journal.read_manifest(root)
    unknown: list[str] = []
    for rel, text in existing_generated(root, besides=tree.keys()).items():
        plan.delete[rel] = text
        recorded = written.get(rel)
        if recorded is None:
            unknown.append(rel)
        elif recorded != journal.file_hash(root / rel):
            plan.protected[rel] = "edited since rosgit wrote it (differs from .rosgit/manifest)"
    committed = recoverable(root, unknown) if unknown and recoverable else set()
    for rel in unknown:
        if rel not in committed:
            plan.protected[rel] = (
                "carries the rosgit header but rosgit never wrote it here (not in .rosgit/manifest, not committed)"
            )
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
def _signals(handle: Callable[[int], None]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # Python delivers signals to the main thread only; a worker thread cannot install handlers
        return
    previous = {sig: signal.signal(sig, lambda signum, _frame: handle(signum)) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _interrupt(_signum: int) -> None:
    raise KeyboardInterrupt


def _stage(root: Path, writes: dict[str, str], entries: list[Entry]) -> None:
    delay = _test_delay(STAGE_DELAY_ENV)
    for rel, text in sorted(writes.items()):
        if delay:
            time.sleep(delay)
        target = root / rel
        old = journal.file_hash(target)
        backup = journal.backup_for(root, len(entries), target) if old is not None else None
        if rel != MANIFEST:
            target.parent.mkdir(parents=True, exist_ok=True)
        temp = journal.staging_path(target)
        entries.append(Entry(rel, sha256_of(text.encode("utf-8")), old, backup))
        try:
            temp.write_text(text, encoding="utf-8")
            journal.fsync_file(temp)
        except OSError as err:
            err.filename = err.filename or rel  # a full disk fails at close, where Python names no file
            raise


def _discard(root: Path, entries: list[Entry]) -> None:
    for entry in entries:
        target = root / entry.path
        with contextlib.suppress(FileNotFoundError):
            journal.staging_path(target).unlink()
        if entry.old is None:
            journal.prune_empty_dirs(root, target.parent)  # directories made for new files go too
    journal.remove_leftovers(root, ())  # the backups and the staging marker


def _manifest_after(root: Path, plan: Plan, deletions: list[str]) -> str:
    files = {rel: digest for rel, digest in journal.read_manifest(root).items() if rel not in deletions}
    files.update({rel: sha256_of(text.encode("utf-8")) for rel, text in plan.unchanged.items()})
    files.update({rel: sha256_of(text.encode("utf-8")) for rel, text in plan.create.items()})
    files.update({rel: sha256_of(new.encode("utf-8")) for rel, (_, new) in plan.update.items()})
    return journal.manifest_text(files)


def apply_plan(root: Path, plan: Plan) -> list[str]:
    """Stage every new file next to its target, journal the swap, rename them all in, delete stale files.

    Returns the deleted paths. An error or signal while staging removes the staged files and leaves the previous
    tree untouched; from the journal on, signals wait and a crash is finished by `journal.recover`.
    Files in `plan.protected` are never deleted. Takes the tree lock (re-entrant) for the whole write.
    """
    if plan.blocked:
        rel, reason = sorted(plan.blocked.items())[0]
        raise journal.TreeStateError(f"{root / rel}: {reason}")
    deletions = plan.deletions
    with journal.tree_lock(root):
        journal.recover(root)
        journal.remove_leftovers(root, MANAGED_DIRS)
        writes = {**plan.create, **{rel: new for rel, (_, new) in plan.update.items()}}
        manifest = _manifest_after(root, plan, deletions)
        if manifest != _read(root / MANIFEST):
            writes[MANIFEST] = manifest
        if not writes and not deletions:
            return []
        entries: list[Entry] = []
        received: list[int] = []

        def on_signal(signum: int) -> None:
            # One handler for the whole write, so no signal falls between the phases: while staging it raises
            # (SIGTERM and SIGHUP would otherwise end the process without removing the staged files); from the
            # journal on it waits for the last rename.
            if swapping:
                received.append(signum)
            else:
                raise KeyboardInterrupt

        swapping = False
        with _signals(on_signal):
            try:
                journal.mark_staging(root, MANAGED_DIRS)
                (root / journal.BACKUP_DIR).mkdir(parents=True, exist_ok=True)
                _stage(root, writes, entries)
                for rel in deletions:
                    target = root / rel
                    backup = journal.backup_for(root, len(entries), target)
                    entries.append(Entry(rel, None, journal.file_hash(target), backup))
                # The staged files' and backups' names must survive a power cut before the journal points at them.
                journal.fsync_dirs([root / journal.BACKUP_DIR, *((root / entry.path).parent for entry in entries)])
            except BaseException:
                _discard(root, entries)
                raise
            swapping = True
            _swap(root, entries)
    if received:
        raise InterruptedAfterSwap
    return deletions


def _swap(root: Path, entries: list[Entry]) -> None:
    journal.commit_journal(root, entries)
    delay = _test_delay(RENAME_DELAY_ENV)
    try:
        for entry in entries:
            if delay:
                time.sleep(delay)
            journal.forward(root, entry)
    except Exception:
        journal.roll_back(root, entries)
        raise
    journal.finish(root, entries)


def write_file_atomically(path: Path, text: str) -> None:
    """One file, whole or not at all: staged beside it, then renamed; no staging file survives an error."""
    if path.is_dir() and not path.is_symlink():
        raise journal.TreeStateError(f"{path}: is a directory; give the path of a file")
    temp = journal.staging_path(path)
    try:
        with _signals(_interrupt):
            temp.write_text(text, encoding="utf-8")
            journal.fsync_file(temp)
            os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
