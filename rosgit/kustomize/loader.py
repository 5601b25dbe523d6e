"""File access for one kustomization root, with kustomize's LoadRestrictionsRootOnly rules.

Files named by a kustomization (resource files, patches, generator sources, ...) must lie in or below
its root after resolving symlinks. Kustomization directories named by `resources`/`components` may lie
anywhere on the local disk, but never equal or contain a root already being built (a cycle).
Remote URLs are never fetched.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, NamedTuple

from rosgit.errors import UsageError
from rosgit.userfiles import read_user_bytes, read_user_text

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# Remote bases as kustomize spells them (URLs, scp-style git, go-getter forms, host-first paths).
_URL = re.compile(r"^([a-z][a-z0-9+.-]*://|git@|git::|github\.com/|gitlab\.com/|bitbucket\.org/)|\?ref=")


def looks_remote(entry: str) -> bool:
    return bool(_URL.search(entry))


class Root(NamedTuple):
    """A kustomization directory being built, with the chain of roots that led to it."""

    path: Path  # symlinks resolved
    file: Path  # the kustomization file, as the user would name it
    chain: tuple[Path, ...]

    def location(self) -> str:
        return display(self.file)


def display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def find_kustomization_file(directory: Path) -> Path:
    found = [directory / n for n in KUSTOMIZATION_NAMES if (directory / n).is_file()]
    if not found:
        raise UsageError(
            "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' "
            f"in directory '{display(directory)}'"
        )
    if len(found) > 1:
        raise UsageError(f"Found multiple kustomization files under: {display(directory)}")
    return found[0]


class Reads(NamedTuple):
    """What one build read besides its files' contents: the real path of every kustomization root it opened
    (files are read only in or below their root, see resolve_file) and the environment variables whose values
    it took (a generator's bare key)."""

    roots: list[Path]
    environment: list[str]


# For a caller that must know every input of a build (rosgit.build's cache). A context variable, not an
# argument: the reads happen deep in the recursion.
_reads: ContextVar[Reads | None] = ContextVar("build_reads", default=None)


@contextlib.contextmanager
def recording_reads(*, forwarded: bool = False) -> Iterator[Reads]:
    """What the block reads; `forwarded`: also recorded by the recording around it (a part of its build)."""
    outer = _reads.get()
    reads = Reads([], [])
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)
        if forwarded and outer is not None:
            outer.roots.extend(reads.roots)
            outer.environment.extend(reads.environment)


def record_roots(roots: Iterable[Path]) -> None:
    """Roots a build read through an earlier build of the same directory (kustomize.subbuilds)."""
    reads = _reads.get()
    if reads is not None:
        reads.roots.extend(roots)


def environment_value(name: str) -> str:
    """A variable's value as a generator takes it (kustomize: empty when unset); recorded as read."""
    reads = _reads.get()
    if reads is not None:
        reads.environment.append(name)
    return os.environ.get(name, "")


def open_root(directory: Path, parent: Root | None) -> Root:
    try:
        real = directory.resolve()
    except (RuntimeError, OSError):  # RuntimeError: pathlib's "Symlink loop"
        raise UsageError("symlink loop", location=display(directory)) from None
    reads = _reads.get()
    if reads is not None:
        reads.roots.append(real)
    chain = parent.chain if parent else ()
    for seen in chain:
        if real == seen or seen.is_relative_to(real):
            where = parent.location() if parent else display(directory)
            raise UsageError(
                f"cycle detected: candidate root '{display(real)}' contains visited root '{display(seen)}'",
                location=where,
            )
    try:
        file = find_kustomization_file(real)
    except UsageError as exc:
        if parent is None:
            raise
        raise UsageError(exc.message, location=parent.location()) from None
    return Root(real, file, (*chain, real))


def resolve_file(root: Root, entry: str, field: str) -> Path:
    """The real path of a file named in `field`, refusing anything outside the root."""
    if looks_remote(entry):
        raise remote_error(root, field, entry)
    candidate = (root.path / entry)
    try:
        real = candidate.resolve()
    except (RuntimeError, OSError):  # RuntimeError: pathlib's "Symlink loop"
        raise UsageError(f"{field}: '{entry}': symlink loop", location=root.location()) from None
    if not real.is_relative_to(root.path):
        raise UsageError(
            f"{field}: security; file '{display(real)}' is not in or below '{display(root.path)}'",
            location=root.location(),
        )
    if not real.exists():
        raise UsageError(f"{field}: '{entry}' does not exist", location=root.location())
    return real


def read_text(root: Root, entry: str, field: str) -> str:
    path = resolve_file(root, entry, field)
    if path.is_dir():
        raise UsageError(f"{field}: '{entry}' is a directory, expected a file", location=root.location())
    return read_user_text(path, location=display(path))


def read_bytes(root: Root, entry: str, field: str) -> bytes:
    path = resolve_file(root, entry, field)
    if path.is_dir():
        raise UsageError(f"{field}: '{entry}' is a directory, expected a file", location=root.location())
    return read_user_bytes(path, location=display(path))


def remote_error(root: Root, field: str, entry: str) -> UsageError:
    return UsageError(
        f"{field}: remote '{entry}' is not supported by the builtin engine; use --engine kustomize",
        location=root.location(),
    )


def as_list(value: Any, root: Root, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise UsageError(f"{field}: expected a list", location=root.location())
    return value
