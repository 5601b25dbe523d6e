"""Reading overlays, YAML/JSON files and stdin into documents, with one clear error per broken document.

A stream is split into documents at `---` lines before parsing (as kubeconform does), so one malformed
document is one error and the documents around it are still validated. Parsing is strict the way
kubeconform's `-strict` is: a key repeated in one mapping is an error. Scalars keep YAML 1.1 meanings
(`yes` is a boolean, like the Go YAML library Kubernetes tools use), except that timestamps stay strings:
Kubernetes decodes them into `string` fields, and JSON has no date type.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from rosgit.build import named_overlay
from rosgit.errors import UsageError
from rosgit.userfiles import (
    alias_budget,
    check_node_graph,
    check_yaml_depth,
    read_user_stream,
    read_user_text,
)

_SEPARATOR = re.compile(r"^---(?=[ \t]|$)", re.MULTILINE)
YAML_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Document:
    """One document of a stream: the parsed object, or why it could not be read."""

    source: str
    line: int
    obj: Any = None
    error: str | None = None
    # Objects in one scope are applied together, so two of them must not be the same object. Each overlay
    # is its own scope; plain files and stdin given together share the empty scope.
    scope: str = ""

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}"


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Base):  # type: ignore[misc]
    """SafeLoader (libyaml's parser when present: CRDs run to megabytes) without timestamps, refusing duplicates."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # an unhashable key; SafeConstructor reports it
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _split(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each document; a chunk keeps its own `---` line so line numbers hold."""
    starts = [m.start() for m in _SEPARATOR.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    chunks = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        chunks.append((text.count("\n", 0, start) + 1, text[start:end]))
    return chunks


def _error_line(err: yaml.YAMLError, first_line: int) -> tuple[int, str]:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    context = getattr(err, "context", None)
    message = f"{context} {problem}" if context and "duplicate key" not in problem else problem
    line = first_line + mark.line if mark is not None else first_line
    return line, f"malformed YAML: {message.strip()}"


def _is_blank(chunk: str) -> bool:
    for raw in chunk.splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and line not in ("---", "..."):
            return False
    return True


def parse_stream(text: str, *, source: str) -> list[Document]:
    """Every non-empty document of a YAML (or JSON) stream; Lists (`kind: List`) expanded into their items.

    kubeconform expands a document whose kind is `List` (any case) into its `items`, so a List is never
    validated as such; items keep the List's line, as kubeconform keeps the file name.
    """
    docs: list[Document] = []
    for first_line, chunk in _split(text):
        if _is_blank(chunk):
            continue
        try:
            obj = _load_within_limits(chunk, source, first_line)
        except yaml.YAMLError as err:
            line, message = _error_line(err, first_line)
            docs.append(Document(source=source, line=line, error=message))
            continue
        if obj is None:
            continue
        line = first_line + _leading_blank_lines(chunk)
        docs.extend(_expand_list(Document(source=source, line=line, obj=obj)))
    return docs


def _load_within_limits(chunk: str, source: str, first_line: int) -> Any:
    """One document, refused (UsageError) before construction when it nests or aliases past the limits."""
    check_yaml_depth(chunk, location=source, first_line=first_line - 1)
    loader = _StrictLoader(chunk)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_node_graph(node, budget=alias_budget(chunk), location=source, first_line=first_line - 1)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _leading_blank_lines(chunk: str) -> int:
    count = 0
    for raw in chunk.splitlines():
        stripped = raw.strip()
        if stripped and not stripped.startswith("#") and not _SEPARATOR.match(raw):
            break
        count += 1
    return count


def _expand_list(doc: Document) -> list[Document]:
    obj = doc.obj
    if isinstance(obj, dict) and isinstance(obj.get("kind"), str) and obj["kind"].lower() == "list":
        items = obj.get("items")
        if items is None:
            return []
        if not isinstance(items, list):
            return [Document(source=doc.source, line=doc.line, error="List has an `items` that is not a list")]
        return [replace(doc, obj=item) for item in items]
    return [doc]


def documents_from_objects(objects: list[Any], *, source: str) -> list[Document]:
    """Already-parsed objects (from `rosgit check` or a build): line numbers are the object's position."""
    docs: list[Document] = []
    for index, obj in enumerate(objects, start=1):
        if obj is None:
            continue
        docs.extend(_expand_list(Document(source=source, line=index, obj=obj)))
    return docs


def _json_default(value: Any) -> Any:
    # Objects handed over as data may come from a timestamp-resolving YAML loader; to Kubernetes they are strings.
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"a {type(value).__name__} value has no JSON form")


def to_json(obj: Any) -> str:
    """The JSON both validators see; raises ValueError/TypeError for values JSON cannot hold (NaN, binary)."""
    return json.dumps(obj, allow_nan=False, sort_keys=False, ensure_ascii=False, default=_json_default)


def read_file(path: Path) -> list[Document]:
    return parse_stream(read_user_text(path), source=str(path))


def read_stdin() -> list[Document]:
    return parse_stream(read_user_stream(sys.stdin.buffer), source="stdin")


def is_overlay(path: Path) -> bool:
    return path.is_dir() and any(
        (path / name).is_file() for name in ("kustomization.yaml", "kustomization.yml", "Kustomization")
    )


def read_overlay(path: Path, *, engine: str = "builtin") -> list[Document]:
    """The overlay's built objects, with line numbers into the build output."""
    from rosgit.build import build_overlay

    docs = parse_stream(build_overlay(path, engine=engine), source=str(path))
    return [replace(doc, scope=f"overlay:{path}") for doc in docs]


def expand_directory(path: Path) -> list[Path]:
    """The YAML/JSON files under a plain directory, sorted, like kubeconform walking a folder."""
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in YAML_SUFFIXES)


def read_inputs(args: list[str], *, engine: str = "builtin") -> tuple[list[Document], list[str]]:
    """Documents of every argument (overlay dir, plain dir, file, or `-`) and the list of sources read."""
    if not args:
        raise UsageError("nothing to validate: give an overlay directory, a YAML file or - for stdin")
    docs: list[Document] = []
    sources: list[str] = []
    for arg in args:
        if arg == "-":
            docs.extend(read_stdin())
            sources.append("stdin")
            continue
        path = named_overlay(arg) or Path(arg)
        if is_overlay(path):
            docs.extend(read_overlay(path, engine=engine))
            sources.append(str(path))
        elif path.is_dir():
            files = expand_directory(path)
            if not files:
                raise UsageError("directory has no kustomization.yaml and no YAML files", location=str(path))
            for file in files:
                docs.extend(read_file(file))
                sources.append(str(file))
        elif path.exists() or path.is_symlink():
            # read_file refuses, in one line, what is not a regular file (a FIFO, a device, a symlink loop)
            docs.extend(read_file(path))
            sources.append(str(path))
        else:
            raise UsageError("no such file or directory", location=str(path))
    return docs, sources
