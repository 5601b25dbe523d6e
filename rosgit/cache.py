"""Results of earlier runs, reused only when every input they were computed from is unchanged.

Two users: `rosgit build` (the builtin engine's output of one overlay, keyed on the kustomization
directories it opened) and `rosgit check` (the whole report, keyed on the whole tree). A key is a digest of
the input files' *contents* (never their times: a file rewritten within one clock tick keeps its mtime), of
rosgit's own source (by stat: code is not edited faster than the clock ticks, and stat keeps the check
cheap), of tools.txt and the installed tool binaries (by stat: they are replaced, not edited), and of the
arguments. Entries live in `$ROSGIT_CACHE_DIR/results` (the schema cache's directory); `ROSGIT_NO_CACHE=1`
turns every cache off (the test suite does, so a monkeypatched run never meets an earlier real one).
An entry no run read or wrote for `UNUSED_DAYS` is deleted (`prune`).

Only the standard library at import time: `rosgit build` answers from here before the engine is imported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")

FORMAT = 1  # bump when the meaning of an entry changes
# never inputs: version control, installed tools, rosgit's own lock and journal, tool caches
IGNORED_DIRS = frozenset(
    {".git", ".tools", ".rosgit", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}
)
# A tree larger than this is not worth hashing on every run (an overlay reaching into a home directory).
MAX_FILES = 20000
# File times are coarser than the clock (a kernel tick): a file modified this close to a read may have
# changed during it, so what was computed is not stored (Git's "racily clean" rule).
RACY_NS = 2_000_000_000
_PACKAGE = Path(__file__).resolve().parent
PINS = _PACKAGE / "tools.txt"


def enabled() -> bool:
    return os.environ.get("ROSGIT_NO_CACHE", "") in ("", "0")


def results_dir() -> Path:
    """Beside the schema cache (`rosgit.validate.schemas.cache_root`, which the validate layer owns)."""
    explicit = os.environ.get("ROSGIT_CACHE_DIR")
    if explicit:
        return Path(explicit) / "results"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "rosgit" / "results"


class TooLarge(Exception):
    """The tree has more than MAX_FILES files: not cached."""


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


def files_digest(paths: Iterable[Path]) -> str:
    """The bytes of each file (or its absence), in the order given."""
    digest = hashlib.blake2b(digest_size=20)
    for path in paths:
        digest.update(f"\0{path}\0".encode())
        try:
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=20).digest())
        except OSError:
            digest.update(b"absent")
    return digest.hexdigest()


def tree_digest(directories: Iterable[Path]) -> str:
    return tree_state(directories)[0]


def tree_state(directories: Iterable[Path]) -> tuple[str, int]:
    """The contents of every file under the directories (names relative to each), symlinks as their targets;
    and the newest modification time among them (ns), by which a caller tells a file possibly written while
    it read the tree. Raises TooLarge past MAX_FILES files."""
    digest = hashlib.blake2b(digest_size=20)
    count = 0
    newest = 0
    for top in sorted(set(directories)):
        digest.update(f"\0dir {top}\0".encode())
        for current, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS)
            relative = os.path.relpath(current, top)
            for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(current, d))]:
                count += 1
                if count > MAX_FILES:
                    raise TooLarge(str(top))
                path = os.path.join(current, name)
                digest.update(f"\0{relative}/{name}\0".encode())
                if os.path.islink(path):
                    digest.update(f"link {os.readlink(path)}\0".encode())
                if os.path.isfile(path):
                    with open(path, "rb") as stream:
                        newest = max(newest, os.fstat(stream.fileno()).st_mtime_ns)
                        digest.update(hashlib.blake2b(stream.read(), digest_size=20).digest())
    return digest.hexdigest(), newest


def tree_modified_since(directories: Iterable[Path], ns: int) -> bool:
    """Whether any file under the directories was modified at or after `ns` (by stat only)."""
    for top in directories:
        for current, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d not in IGNORED_DIRS]
            for name in files:
                try:
                    if os.stat(os.path.join(current, name)).st_mtime_ns >= ns:
                        return True
                except OSError:
                    return True
    return False


def _stat_line(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return f"{path} absent"
    return f"{path} {st.st_size} {st.st_mtime_ns} {st.st_ino}"


@cache  # one rosgit per process
def source_digest() -> str:
    """rosgit's own code and data (vendored schemas, tools.txt): a different rosgit may compute differently."""
    lines: list[str] = []
    for current, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        lines.extend(_stat_line(Path(current, name)) for name in sorted(files))
    lines.append(PINS.read_text(encoding="utf-8"))  # by content too: a pin edited within one clock tick
    return hashlib.blake2b("\n".join(lines).encode(), digest_size=20).hexdigest()


def tools_digest(executables: Sequence[Path | None]) -> str:
    """The pinned tools as they would run now: the pins and each executable found (or its absence)."""
    lines = [PINS.read_text(encoding="utf-8")]
    lines.extend(_stat_line(path.resolve()) if path is not None else "absent" for path in executables)
    return hashlib.blake2b("\n".join(lines).encode(), digest_size=20).hexdigest()


def _entry_path(kind: str, identity: Sequence[str]) -> Path:
    name = hashlib.blake2b(json.dumps([FORMAT, *identity]).encode(), digest_size=16).hexdigest()
    return results_dir() / kind / name


def load(kind: str, identity: Sequence[str]) -> Any:
    """The stored value for these arguments, or None; a corrupt or unreadable entry is a miss."""
    if not enabled():
        return None
    try:
        with open(_entry_path(kind, identity), "rb") as stream:
            _mark_used(stream.fileno())
            return pickle.load(stream)  # our own cache directory, written only by store()
    except Exception:  # a half-written, stale-format or unreadable entry: compute again
        return None


def _mark_used(fd: int) -> None:
    """An entry's mtime is when a run last wrote or read it (`prune`); refreshed at most once a day."""
    with contextlib.suppress(OSError):
        if time.time() - os.fstat(fd).st_mtime > _DAY_S:
            os.utime(fd)


def store(kind: str, identity: Sequence[str], value: Any) -> None:
    """Written atomically (concurrent runs); a cache that cannot be written is silently not used."""
    if not enabled():
        return
    _write_entry(_entry_path(kind, identity), value)


def _write_entry(path: Path, value: Any) -> None:
    _prune_daily(results_dir().parent)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except Exception:  # OSError, or a value that does not pickle: not cached, never a failed command
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def keyed(
    kind: str, identity: Sequence[str], stamp: tuple[str, ...], compute: Callable[[], T], *,
    accept: Callable[[Any], bool] | None = None, keep: Callable[[], bool] | None = None,
) -> T:
    """compute(), or the value stored for (kind, identity) with the same `stamp` (what it was computed from)
    that `accept` takes (a type check: an entry of an older format is a miss). A computed value is stored
    only if `keep()` says so afterwards (False: an input may have changed while it was read, RACY_NS)."""
    return updated(kind, identity, stamp, lambda _earlier: compute(), accept=accept, keep=keep)


def updated(
    kind: str, identity: Sequence[str], stamp: tuple[str, ...], compute: Callable[[tuple[Any, T] | None], T], *,
    accept: Callable[[Any], bool] | None = None, keep: Callable[[], bool] | None = None,
) -> T:
    """`keyed`, for a computation that can reuse parts of an earlier value: on a miss, compute() receives the
    stored (stamp, value) of another stamp that `accept` takes (None: nothing stored) and judges by that
    stamp which parts still hold."""
    if not enabled():
        return compute(None)
    entry = load(kind, identity)
    earlier = None
    if isinstance(entry, tuple) and len(entry) == 2 and (accept is None or accept(entry[1])):
        if entry[0] == stamp:
            remembered: T = entry[1]
            return remembered
        earlier = (entry[0], entry[1])
    value = compute(earlier)
    if keep is None or keep():
        store(kind, identity, (stamp, value))
    return value


class Pool(Generic[V]):
    """Pure results by key, kept across runs in one entry (kind, identity) while `stamp` (what computes them:
    rosgit, a tool) is the same; bounded: the `limit` most recent others besides those this run used.

    For many small results looked up together (one per object, one per file): one read and at most one
    write per run instead of one entry each."""

    def __init__(self, kind: str, identity: Sequence[str], stamp: tuple[str, ...], limit: int) -> None:
        self.kind, self.identity, self.stamp, self.limit = kind, tuple(identity), stamp, limit
        self.stored = self._load()
        self.touched: dict[str, V] = {}

    def get(self, key: str) -> V | None:
        found = self.touched.get(key)
        if found is None:
            found = self.stored.get(key)
            if found is not None:
                self.touched[key] = found
        return found

    def put(self, key: str, value: V) -> None:
        self.touched[key] = value

    def fresh(self) -> bool:
        """Whether this run added anything the stored entry lacks."""
        return any(key not in self.stored for key in self.touched)

    def commit(self) -> None:
        """Store this run's results with the newest of the others (another run may have stored since); nothing
        when the stored entry holds them all already."""
        if not enabled() or not self.fresh():
            return
        merged = {key: value for key, value in self._load().items() if key not in self.touched}
        excess = len(merged) - self.limit
        if excess > 0:
            merged = dict(list(merged.items())[excess:])
        merged.update(self.touched)
        store(self.kind, self.identity, (self.stamp, merged))
        self.stored = merged

    def _load(self) -> dict[str, V]:
        entry = load(self.kind, self.identity)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == self.stamp and isinstance(entry[1], dict):
            found: dict[str, V] = entry[1]
            return found
        return {}


def file_memo(kind: str, path: Path, data: bytes, compute: Callable[[], T]) -> T:
    """compute(), a pure function of `data` (the bytes of `path`, read once by the caller) and of rosgit's
    code, or its value from an earlier run on the same bytes of the same path (the catalog, a contract).

    Stored however recently the file was written: compute() reads these very bytes, never the file again, so
    its value cannot belong to other bytes than the stamp's (unlike a result read from a tree; RACY_NS)."""
    if not enabled():
        return compute()
    stamp = (hashlib.blake2b(data, digest_size=20).hexdigest(), source_digest())
    return keyed(kind, (os.path.abspath(path),), stamp, compute)


def derived(kind: str, inputs: Sequence[bytes], compute: Callable[[], T]) -> T:
    """compute(), a pure function of `inputs` (the bytes of files rosgit ships, such as the vendored CRDs) and
    of rosgit's code, or its value from an earlier run on the same bytes.

    Unlike the result caches this one stays on under ROSGIT_NO_CACHE, as the schema cache does: its entries
    are named by the content they derive from, so no edit, monkeypatch or tool can meet a stale one; it spares
    every run the parse of megabytes of YAML that never change between releases."""
    digest = hashlib.blake2b(digest_size=20)
    for data in inputs:
        digest.update(hashlib.blake2b(data, digest_size=20).digest())
    identity = (digest.hexdigest(), source_digest())
    path = (
        results_dir().parent
        / "derived"
        / kind
        / hashlib.blake2b(json.dumps([FORMAT, *identity]).encode(), digest_size=16).hexdigest()
    )
    try:
        with open(path, "rb") as stream:
            _mark_used(stream.fileno())
            value: T = pickle.load(stream)  # our own cache directory, written only by _write_entry()
        return value
    except Exception:  # absent, half-written or stale-format: compute again
        pass
    value = compute()
    _write_entry(path, value)
    return value


_DAY_S = 86400
# An entry no run has read or written for this long is deleted: one of a rosgit no longer installed (rosgit's
# source is part of most identities), of a removed checkout, of an overlay renamed away. The first run that
# stores something on a new day looks (`.pruned`'s mtime says when the last one did).
UNUSED_DAYS = 30
_PRUNE_MARKER = ".pruned"
_PRUNED: set[Path] = set()  # the cache roots this process looked at


def prune(root: Path, *, unused_since: float) -> list[Path]:
    """Delete the entries (and leftover temporary files) of `root`'s results/ and derived/ whose mtime is
    before `unused_since`; return what was deleted. The schema cache is not touched: its files are
    named by their source and read by kubeconform, which cannot mark them used."""
    deleted: list[Path] = []
    for section in ("results", "derived"):
        with contextlib.suppress(OSError):
            for kind in (root / section).iterdir():
                if not kind.is_dir():
                    continue
                for entry in kind.iterdir():
                    with contextlib.suppress(OSError):
                        if entry.is_file() and entry.stat().st_mtime < unused_since:
                            entry.unlink()
                            deleted.append(entry)
    return deleted


def _prune_daily(root: Path) -> None:
    if root in _PRUNED:
        return
    _PRUNED.add(root)
    marker = root / _PRUNE_MARKER
    now = time.time()
    with contextlib.suppress(OSError):
        if now - marker.stat().st_mtime < _DAY_S:
            return
    try:
        root.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        return
    prune(root, unused_since=now - UNUSED_DAYS * _DAY_S)


def modified_since(path: Path, ns: int) -> bool:
    try:
        return path.stat().st_mtime_ns >= ns
    except OSError:
        return True
