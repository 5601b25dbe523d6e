"""Kustomization directories that several overlays include (every `base/<component>`), accumulated once while
those overlays are built in a row (`rosgit check`, the pre-commit hook): within a `sharing()` scope, a later
overlay takes copies of a directory's resources instead of reading and accumulating it again.

A copy is handed out only while every file under the kustomization roots that directory's build opened is
as it was (Git's test of a tracked file: size, inode, modification and change times; a write changes the
change time, which no one can set back), and a build is kept only when none of those files was modified
shortly before it began (file times are coarser than the clock: cache.RACY_NS) and it took no environment
variable.
Outside a scope every directory is built as it is asked for: a single build gains nothing, and a
long-lived process keeps nothing.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from rosgit import cache
from rosgit.kustomize import loader
from rosgit.kustomize.plain import copy_plain
from rosgit.kustomize.resource import Resource


@dataclass(frozen=True)
class _Accumulated:
    """A directory's resources as its build left them (never handed out: callers get copies), the roots it
    opened, and the state of the files under them."""

    resources: tuple[Resource, ...]
    roots: tuple[Path, ...]
    files: _Files


_SCOPE: ContextVar[dict[Path, _Accumulated] | None] = ContextVar("rosgit_kustomize_subbuilds", default=None)


@contextlib.contextmanager
def sharing() -> Iterator[None]:
    """Share the accumulated directories among the builds run until the block ends."""
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def accumulated(directory: Path, build: Callable[[], list[Resource]]) -> list[Resource]:
    """build()'s resources for the kustomization directory (real path), or copies of an earlier build's."""
    shared = _SCOPE.get()
    if shared is None:
        return build()
    earlier = shared.get(directory)
    if earlier is not None and _files(earlier.roots) == earlier.files:
        loader.record_roots(earlier.roots)
        return [_copy(res) for res in earlier.resources]
    started = time.time_ns()
    with loader.recording_reads(forwarded=True) as reads:
        resources = build()
    if not reads.environment:
        kept = _kept(resources, [directory, *reads.roots], started)  # the directory's own root was opened before
        if kept is not None:
            shared[directory] = kept
    return resources


def _kept(resources: list[Resource], roots: list[Path], started_ns: int) -> _Accumulated | None:
    tops = tuple(sorted(set(roots)))
    files = _files(tops)
    if files is None or any(state[2] >= started_ns - cache.RACY_NS for _path, state in files):
        return None
    return _Accumulated(tuple(_copy(res) for res in resources), tops, files)


# (path, (size, inode, mtime, ctime)) of every file (symlinks: of what they point to, and the link itself)
_Files = tuple[tuple[str, tuple[int, int, int, int]], ...]


def _files(roots: tuple[Path, ...]) -> _Files | None:
    """The state of every file under the roots, as cache.tree_state walks them; None: one cannot be read, or
    more than cache.MAX_FILES."""
    found: list[tuple[str, tuple[int, int, int, int]]] = []
    try:
        for top in roots:
            for current, dirs, names in os.walk(top):
                dirs[:] = sorted(d for d in dirs if d not in cache.IGNORED_DIRS)
                for name in [*sorted(names), *dirs]:
                    path = os.path.join(current, name)
                    link = os.lstat(path)
                    if stat.S_ISDIR(link.st_mode):
                        continue  # walked in its turn
                    for info in (link, os.stat(path)) if stat.S_ISLNK(link.st_mode) else (link,):
                        found.append((path, (info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)))
                if len(found) > cache.MAX_FILES:
                    return None
    except OSError:
        return None
    return tuple(found)


def _copy(res: Resource) -> Resource:
    return Resource(
        copy_plain(res.obj), list(res.prev_ids), list(res.prefixes), list(res.suffixes), res.needs_hash,
        res.behavior,
    )
