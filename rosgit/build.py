"""Rendering a kustomization with the builtin engine (default) or the pinned kustomize binary.

Also the one policy for "the builtin engine failed" (`build_with_fallback`), and `Builds`: the overlays of
one run, built once and handed to every check that reads them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rosgit import cache
from rosgit.errors import RosgitError, UsageError
from rosgit.tools import RunningTool, find_tool, project_root, run_tool, start_tool

if TYPE_CHECKING:
    from rosgit.k8s.objects import Obj

ENGINES = ("builtin", "kustomize")


def load_objects(text: str) -> list[Obj]:
    # imported on first use: a cached `rosgit build` prints its text without ever loading YAML
    from rosgit.k8s.objects import load_objects as load

    return load(text)


def _check_request(path: Path, engine: str) -> None:
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if not path.is_dir():
        raise UsageError(f"{path}: not a directory")


def named_overlay(argument: str | Path) -> Path | None:
    """An overlay argument as every command takes it: a directory as given, else a bare name of one of the
    repository's overlays (overlays/NAME beside rosgit.yaml); None when it is neither."""
    path = Path(argument)
    if path.is_dir():
        return path
    name = str(argument)
    if name and "/" not in name and name not in (".", "..") and not path.exists():
        candidate = project_root() / "overlays" / name
        if candidate.is_dir():
            return candidate
    return None


def overlay_names() -> list[str]:
    """The names an overlay argument may take: the repository's overlays/ directories (shell completion)."""
    overlays = project_root() / "overlays"
    return sorted(p.name for p in overlays.iterdir() if p.is_dir()) if overlays.is_dir() else []


def overlay_path(argument: str | Path) -> Path:
    """named_overlay, or a one-line error: a path that is not a directory, or a name no overlay has."""
    found = named_overlay(argument)
    if found is not None:
        return found
    name = str(argument)
    if "/" in name:
        raise UsageError(f"{name}: not a directory")
    listed = ", ".join(overlay_names()) or "none here"
    raise UsageError(f"no overlay {name!r} (overlays: {listed}; or give a kustomization directory)")


def build_overlay(path: str | Path, *, engine: str = "builtin") -> str:
    """The exact text `kustomize build PATH` prints; PATH may be an overlay's name."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    path = overlay_path(path)
    _check_request(path, engine)
    if engine == "kustomize":
        return run_kustomize(path)
    return builtin_build(path)


BUILD_OUTPUTS = ("yaml", "json")


def render_build(text: str, output: str) -> str:
    """The build as kustomize prints it (yaml), or as one JSON List of its objects (json)."""
    if output == "yaml":
        return text
    if output != "json":
        raise UsageError(
            f"unknown output format {output!r}; choose {' or '.join(BUILD_OUTPUTS)} (to write a file: --out FILE)"
        )
    import json

    return json.dumps({"apiVersion": "v1", "kind": "List", "items": load_objects(text)}, indent=2) + "\n"


def write_build_output(output: Path, text: str) -> None:
    """`build -o FILE`: the file holds the whole build or is left as it was, never a half-written one."""
    where = str(output)
    if output.is_dir():
        raise UsageError("is a directory; give --out a file name", location=where)
    target = output.resolve() if output.is_symlink() else output
    if not target.parent.is_dir():
        raise UsageError(f"cannot write: directory {str(target.parent)!r} does not exist", location=where)
    try:
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".rosgit-tmp")
    except OSError as err:
        raise UsageError(f"cannot write: {err.strerror}", location=where) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise UsageError(f"cannot write: {err.strerror}", location=where) from None


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def builtin_build(path: Path) -> str:
    return builtin_build_and_inputs(path)[0]


def builtin_build_and_inputs(path: Path) -> tuple[str, str | None]:
    """The builtin engine's output, from the cache when no file of any kustomization it opened last time
    has changed (nor rosgit itself); see `rosgit.cache`. And the digest of those files, by which the results
    of other stages on this build are cached (None: the build was not cacheable, or caches are off)."""
    identity = (str(path.resolve()),)
    entry = cache.load("build", identity)
    if isinstance(entry, BuildEntry) and entry.still_valid():
        return entry.text, entry.tree
    # imported on first use: the engine is the largest package, and `--engine kustomize` needs none of it
    from rosgit.kustomize import build_text_and_reads

    started = time.time_ns()
    text, reads = build_text_and_reads(path)
    # A value taken from the environment is an input no file holds, and may be a secret: such a build is
    # never written to the cache.
    if cache.enabled() and not reads.environment:
        try:
            entry = BuildEntry.of(text, reads.roots, started)
        except cache.TooLarge:
            entry = None
        if entry is not None:
            cache.store("build", identity, entry)
            return text, entry.tree
    return text, None


@dataclass(frozen=True)
class BuildEntry:
    """A build's text and what it was computed from: every file under the kustomization directories the
    engine opened (the loader reads nothing outside them) and rosgit's own source."""

    text: str
    roots: tuple[str, ...]
    tree: str
    source: str

    @classmethod
    def of(cls, text: str, roots: Iterable[Path], started_ns: int) -> BuildEntry | None:
        """None when a file may have changed while the engine read it (modified since shortly before the
        build started: file times are coarser than the clock), as Git treats a racily clean index."""
        tops = _outermost(roots)
        tree, newest = cache.tree_state(Path(r) for r in tops)
        if newest >= started_ns - cache.RACY_NS:
            return None
        return cls(text, tops, tree, cache.source_digest())

    def still_valid(self) -> bool:
        try:
            return self.source == cache.source_digest() and self.tree == cache.tree_digest(
                Path(r) for r in self.roots
            )
        except cache.TooLarge:
            return False


def _outermost(roots: Iterable[Path]) -> tuple[str, ...]:
    """The roots not inside another one: each tree is hashed once."""
    unique = sorted(set(roots))
    names = {str(r) for r in unique}
    # A root inside another has it among its parents (both lexical, as is_relative_to is): one set lookup
    # per level instead of a comparison with every other root.
    return tuple(str(r) for r in unique if not any(str(parent) in names for parent in r.parents))


def parsed_build(overlay: Path, text: str) -> list[Obj]:
    """`load_objects(text)`, or an earlier run's parse of this overlay's text: PyYAML's constructor costs a
    check more than reading its pickle. One entry per overlay, its objects by document: when the text changed,
    only the documents that changed are parsed again (an edit to one component changes one document)."""
    if not cache.enabled():
        return load_objects(text)
    source = cache.source_digest()

    def parse(earlier: tuple[Any, ParsedDocuments] | None) -> ParsedDocuments:
        from rosgit.k8s.objects import load_objects_reusing

        # documents parsed by another rosgit may read differently
        reusable = earlier[1].documents if earlier is not None and earlier[0][1:] == (source,) else {}
        objects, documents = load_objects_reusing(text, reusable, cache.text_digest)
        return ParsedDocuments(objects, documents)

    parsed: ParsedDocuments = cache.updated(
        "objects", (str(overlay),), (cache.text_digest(text), source), parse,
        accept=lambda value: isinstance(value, ParsedDocuments),
    )
    return parsed.objects


@dataclass(frozen=True)
class ParsedDocuments:
    """One build text's objects, and the same objects by the digest of the document they come from (pickle
    stores each object once)."""

    objects: list[Obj]
    documents: dict[str, list[Obj]]



def start_kustomize(path: Path) -> RunningTool:
    return start_tool("kustomize", ["build", str(path)])


def run_kustomize(path: Path) -> str:
    return run_tool("kustomize", ["build", str(path)]).output(location=str(path))


def build_objects(path: Path, *, engine: str = "builtin") -> list[Obj]:
    """The built objects as plain data, in output order."""
    return load_objects(build_overlay(path, engine=engine))


def failure_text(err: BaseException) -> str:
    """One line for something that could not run: the user-facing message, or the exception type for bugs."""
    if isinstance(err, RosgitError):
        return str(err)
    return f"internal error: {type(err).__name__}: {err}"


@dataclass(frozen=True)
class BuiltOverlay:
    """One overlay's build output. The objects are shared by every reader: treat them as read-only."""

    path: Path  # the overlay directory, resolved
    text: str
    objects: list[Obj]
    engine: str  # the engine whose output this is
    fallback: str | None = None  # why the builtin engine failed, when kustomize's output stands in for it
    # the digest of every file the builtin build read (`builtin_build_and_inputs`); None: unknown
    inputs: str | None = None

    @property
    def name(self) -> str:
        return self.path.name


def build_with_fallback(path: Path, *, engine: str = "builtin") -> BuiltOverlay:
    """Build with `engine`; when the builtin engine fails in any way, retry once with the real kustomize.

    The retry is what Argo CD would render, so the checks downstream still judge the overlay; the result
    says it was a fallback (`rosgit check` reports the builtin engine's failure). When kustomize is missing or
    fails too, the builtin engine's error is raised: it describes the overlay, not the tool.
    """
    _check_request(path, engine)
    resolved = path.resolve()
    if engine == "kustomize":
        text = run_kustomize(path)
        return BuiltOverlay(resolved, text, load_objects(text), "kustomize")
    try:
        text, inputs = builtin_build_and_inputs(path)
        return BuiltOverlay(resolved, text, parsed_build(resolved, text), "builtin", inputs=inputs)
    except Exception as err:
        if find_tool("kustomize") is None:
            raise
        try:
            text = run_kustomize(path)
        except RosgitError:
            raise err from None
        return BuiltOverlay(resolved, text, load_objects(text), "kustomize", fallback=failure_text(err))


class Builds:
    """The overlays of one run, each built at most once (with the fallback policy) and shared by its readers.

    A caller that built overlays already passes them in; anything else is built on first use, so a check
    called on its own needs no preparation. One instance per run, never a process global.
    """

    def __init__(self, engine: str = "builtin", built: Iterable[BuiltOverlay] = ()) -> None:
        self.engine = engine
        self._built: dict[Path, BuiltOverlay | str] = {b.path: b for b in built}

    def add(self, built: BuiltOverlay) -> None:
        self._built[built.path] = built

    def add_failure(self, path: Path, reason: str) -> None:
        """Record that `path` does not build, so no reader tries again."""
        self._built[path.resolve()] = reason

    def get(self, path: Path) -> BuiltOverlay:
        """The overlay's build; a UsageError naming why when it does not build."""
        key = path.resolve()
        if key not in self._built:
            try:
                self._built[key] = build_with_fallback(path, engine=self.engine)
            except Exception as err:
                self._built[key] = failure_text(err)
        built = self._built[key]
        if isinstance(built, str):
            raise UsageError(built)
        return built
