"""Crash-safe swaps of a file tree: a lock, an intent journal, and a manifest of what rosgit wrote.

Everything lives in `.rosgit/` at the tree's root (git-ignored, never managed):
  lock       flock'd for the whole of a write; holds the writer's PID so a waiting run can name it
  journal    JSON written and fsynced before the first rename and removed after the last: every file being
             swapped in or deleted, with the hashes of its old and new contents and where the old one is kept
  staging    present while files are staged, listing the directories they are staged in, so any command can
             clean up after a run killed before its journal existed at the cost of one stat
  backup/    hard links to the previous contents of every file the swap replaces or deletes
  manifest   JSON {path: sha256} of what rosgit last wrote; a stale file is deleted only while it still matches

A run killed before the journal exists left the old tree plus staging files (the next command removes them); a run
killed after it left a journal, and the next command rolls the swap forward, or back if a staged file is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from rosgit.fileset.state import (
    BACKUP_DIR,
    JOURNAL,
    LOCK,
    MANIFEST,
    STAGING,
    STAGING_SUFFIX,
    STATE_DIR,
    pending,
)

__all__ = ["BACKUP_DIR", "JOURNAL", "LOCK", "MANIFEST", "STAGING", "STAGING_SUFFIX", "STATE_DIR"]

# How long a second writer waits for the first before giving up; env var so CI and tests can shorten it.
LOCK_TIMEOUT_ENV = "ROSGIT_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0


class TreeStateError(Exception):
    """The tree cannot be written or recovered now; `str()` is one line for the user."""


@dataclass(frozen=True)
class Entry:
    """One file of a swap. `new` None: the file is deleted; `old` None: it did not exist before."""

    path: str
    new: str | None
    old: str | None
    backup: str | None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str | None:
    try:
        return sha256_of(path.read_bytes())
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def staging_path(target: Path) -> Path:
    return target.with_name(target.name + STAGING_SUFFIX)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dirs(directories: Iterable[Path]) -> None:
    """Make renames and unlinks durable across a power cut (a SIGKILL alone never loses them)."""
    for directory in sorted(set(directories)):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            fsync_file(directory)


# -- the lock ---------------------------------------------------------------------------------------------------

_held: dict[Path, int] = {}


def _holder(fd: int) -> str:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return f"pid {text}" if text.isdigit() else "another process"


@contextlib.contextmanager
def tree_lock(root: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Exclusive for the whole write; re-entrant within one process (generate holds it around plan and apply).

    The lock file is removed on release, so a run that wrote nothing leaves nothing behind; a waiter that wins the
    flock on a file already unlinked sees a different inode at the path and tries again.
    """
    key = root.absolute()
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    wait = timeout if timeout is not None else float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))
    fd = _acquire(root, wait)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        with contextlib.suppress(OSError):
            (root / LOCK).unlink()
        with contextlib.suppress(OSError):
            (root / STATE_DIR).rmdir()  # only if empty: a manifest keeps it
        os.close(fd)  # closing releases the flock; so does the kernel when the process dies


def _acquire(root: Path, wait: float) -> int:
    deadline = time.monotonic() + wait
    while True:
        try:
            (root / STATE_DIR).mkdir(exist_ok=True)
            fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:
            continue  # the holder removed an empty state directory between our mkdir and open
        except OSError as err:
            raise TreeStateError(f"{root / LOCK}: cannot create the lock: {err.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise TreeStateError(
                    f"{root / LOCK}: {holder} is writing this tree; waited {wait:g}s "
                    f"(set {LOCK_TIMEOUT_ENV} to wait longer)"
                ) from None
            time.sleep(0.05)
            continue
        try:
            current = os.stat(root / LOCK).st_ino
        except FileNotFoundError:
            current = -1
        if current != os.fstat(fd).st_ino:
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd


# -- manifest ---------------------------------------------------------------------------------------------------


def read_manifest(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError, UnicodeDecodeError):
        return {}  # unreadable is treated as absent: it only ever makes rosgit delete less
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.get("files", {}).items()}


def manifest_text(files: dict[str, str]) -> str:
    return json.dumps({"version": 1, "files": dict(sorted(files.items()))}, indent=1) + "\n"


# -- the journal ------------------------------------------------------------------------------------------------


def _write_durably(path: Path, text: str) -> None:
    temp = staging_path(path)
    temp.write_text(text, encoding="utf-8")
    fsync_file(temp)
    os.replace(temp, path)
    fsync_file(path.parent)


def commit_journal(root: Path, entries: list[Entry]) -> None:
    """The commit point: once this returns, a crash is finished by recovery rather than undone."""
    payload = {"version": 1, "entries": [asdict(entry) for entry in entries]}
    _write_durably(root / JOURNAL, json.dumps(payload, indent=1) + "\n")


def read_journal(root: Path) -> list[Entry] | None:
    try:
        text = (root / JOURNAL).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        return [Entry(**raw) for raw in json.loads(text)["entries"]]
    except (ValueError, KeyError, TypeError) as err:
        raise TreeStateError(
            f"{root / JOURNAL}: unreadable journal ({err}); restore the tree from Git, then delete {JOURNAL}"
        ) from None


def backup_for(root: Path, index: int, target: Path) -> str:
    """A hard link keeps the old contents after the rename replaces the name (a copy if links are refused)."""
    rel = f"{BACKUP_DIR}/{index:05d}"
    destination = root / rel
    try:
        os.link(target, destination, follow_symlinks=False)
    except OSError:
        shutil.copy2(target, destination, follow_symlinks=False)
        fsync_file(destination)
    return rel


def forward(root: Path, entry: Entry) -> None:
    target = root / entry.path
    if entry.new is None:
        if file_hash(target) == entry.old:  # never delete what someone changed after the plan was made
            target.unlink()
            prune_empty_dirs(root, target.parent)
        return
    temp = staging_path(target)
    if temp.exists():
        os.replace(temp, target)


def _can_finish(root: Path, entry: Entry) -> bool:
    if entry.new is None:
        return True
    target = root / entry.path
    return file_hash(target) == entry.new or file_hash(staging_path(target)) == entry.new


def _undo(root: Path, entry: Entry) -> None:
    target = root / entry.path
    with contextlib.suppress(FileNotFoundError):
        staging_path(target).unlink()
    if entry.old is None:
        if file_hash(target) == entry.new:
            target.unlink()
            prune_empty_dirs(root, target.parent)
        return
    backup = root / entry.backup if entry.backup else None
    if backup is not None and backup.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(backup, target)
    elif file_hash(target) != entry.old:
        raise TreeStateError(f"{entry.path}: its previous contents are gone from {BACKUP_DIR}; restore it from Git")


def roll_back(root: Path, entries: list[Entry]) -> None:
    for entry in reversed(entries):
        _undo(root, entry)
    finish(root, entries)


def finish(root: Path, entries: list[Entry]) -> None:
    """After the last rename: make it durable, then drop the backups and the journal, in that order."""
    fsync_dirs((root / entry.path).parent for entry in entries)
    shutil.rmtree(root / BACKUP_DIR, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        (root / STAGING).unlink()
    with contextlib.suppress(FileNotFoundError):
        (root / JOURNAL).unlink()
    fsync_file(root / STATE_DIR)


def recover(root: Path) -> str | None:
    """Finish or undo a swap a killed run left behind; a sentence saying which, or None if there was none.

    Forward whenever every new file is still on disk (the journal was committed, so the run meant it);
    back only if a staged file went missing, which a crash alone cannot cause.
    """
    if not pending(root):
        return None
    with tree_lock(root):
        entries = read_journal(root)
        if entries is None:  # killed while staging (the old tree is whole), or the run we waited for finished
            removed = remove_leftovers(root, _staged_in(root))
            return f"removed {len(removed)} staging file(s) of an interrupted write" if removed else None
        if all(_can_finish(root, entry) for entry in entries):
            for entry in entries:
                forward(root, entry)
            finish(root, entries)
            return f"finished an interrupted write of {len(entries)} file(s) ({JOURNAL})"
        roll_back(root, entries)
        return f"rolled back an interrupted write of {len(entries)} file(s): a staged file was missing ({JOURNAL})"


def mark_staging(root: Path, directories: Iterable[str]) -> None:
    _write_durably(root / STAGING, json.dumps(sorted(directories)) + "\n")


def _staged_in(root: Path) -> list[str]:
    try:
        directories = json.loads((root / STAGING).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return []
    return [d for d in directories if isinstance(d, str) and "/" not in d and d not in ("", ".", "..")]


def remove_leftovers(root: Path, directories: Iterable[str]) -> list[str]:
    """Staging files and backups of runs killed before their journal existed; call with the lock held."""
    removed: list[str] = []
    for top in directories:
        base = root / top
        if base.is_dir() and not base.is_symlink():
            for temp in sorted(base.rglob(f"*{STAGING_SUFFIX}")):
                if temp.is_file() or temp.is_symlink():
                    temp.unlink()
                    removed.append(temp.relative_to(root).as_posix())
    for temp in sorted(root.glob(f"*{STAGING_SUFFIX}")):
        if temp.is_file() and not temp.is_symlink():
            temp.unlink()
            removed.append(temp.relative_to(root).as_posix())
    state = root / STATE_DIR
    for temp in sorted(state.glob(f"*{STAGING_SUFFIX}")):
        temp.unlink()
    shutil.rmtree(state / "backup", ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        (root / STAGING).unlink()  # last: until the files are gone, the marker is what finds them
    return removed


def prune_empty_dirs(root: Path, directory: Path) -> None:
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
