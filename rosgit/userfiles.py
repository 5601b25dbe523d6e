"""The one policy for reading files a user hands to rosgit (catalog, kustomizations, resources, patches,
generator sources, CRDs, stdin): hostile or broken input is refused fast, with one line naming the limit.

Every reader goes through here so the limits are the same everywhere:
- regular files only: a FIFO or device would block forever or never end, a directory is not a file;
- at most `MAX_BYTES`, checked before reading;
- UTF-8 text, no byte-order mark (kyaml and kubeconform would read the BOM into the first key), no NUL bytes;
- YAML nesting at most `MAX_DEPTH` levels and aliases expanded to at most `alias_budget(text)` nodes, the
  budget go-yaml itself enforces (a 600-byte "billion laughs" document would otherwise expand to gigabytes).
Containment in a kustomization root is the kustomize loader's job (its load restrictor); this module only
refuses what no reader may ever open.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from rosgit.errors import UsageError

MAX_BYTES = 32 * 1024 * 1024  # the largest vendored CRD is a few MiB; a catalog or overlay file far less
MAX_DEPTH = 100  # Kubernetes objects nest about 20 deep, CRD schemas about 40
_BOM = b"\xef\xbb\xbf"
_SCAN_FROM = 5_000  # far below the depth that crashes libyaml, far above any real document's
# what may precede a block collection's first key or indicator on its line
_LEADING_INDICATORS = re.compile(r"^[ \t?:-]*", re.MULTILINE)
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def alias_budget(text: str) -> int:
    """How many nodes a document may expand to before it counts as excessive aliasing, as in go-yaml."""
    return 100_000 + 20 * len(text)


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _os_reason(err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, FileNotFoundError):
        return "no such file"
    return err.strerror or type(err).__name__


def read_user_bytes(path: Path, *, location: str | None = None) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES; a one-line UsageError for anything else."""
    where = location or str(path)
    try:
        info = os.stat(path)
    except RuntimeError:  # pathlib's own symlink-loop detection
        raise UsageError("cannot read: symlink loop", location=where) from None
    except OSError as err:
        raise UsageError(f"cannot read: {_os_reason(err)}", location=where) from None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"cannot read: {_file_kind(info.st_mode)}, expected a regular file", location=where)
    if info.st_size > MAX_BYTES:
        raise UsageError(f"cannot read: {info.st_size} bytes, over the {_mib(MAX_BYTES)} limit", location=where)
    try:
        # O_NONBLOCK: a file swapped for a FIFO after the check above must not hang the open
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            return _read_limited(handle, where)
    except OSError as err:
        raise UsageError(f"cannot read: {_os_reason(err)}", location=where) from None


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB"


def _read_limited(handle: BinaryIO, where: str) -> bytes:
    data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UsageError(f"cannot read: over the {_mib(MAX_BYTES)} limit", location=where)
    return data


def decode_user_text(data: bytes, *, location: str) -> str:
    """UTF-8 text without BOM or NUL bytes; a one-line UsageError naming the line of the first bad byte."""
    if data.startswith(_BOM):
        raise UsageError("starts with a UTF-8 byte-order mark; save the file without it", location=location)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise UsageError(
            f"not a UTF-8 text file (byte 0x{data[err.start]:02x} on line {line}: Latin-1 or binary?)",
            location=location,
        ) from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise UsageError(f"not a UTF-8 text file (a NUL byte on line {line}: binary?)", location=location)
    return text


def read_user_text(path: Path, *, location: str | None = None) -> str:
    """A user's text file under every limit of this module."""
    return decode_user_text(read_user_bytes(path, location=location), location=location or str(path))


def read_user_stream(stream: BinaryIO, *, location: str = "stdin") -> str:
    """Text piped in (`-`), under the same size and encoding limits as a file."""
    return decode_user_text(_read_limited(stream, location), location=location)


def check_yaml_depth(text: str, *, location: str, first_line: int = 0, always: bool = False) -> None:
    """Refuses YAML nesting over MAX_DEPTH levels before anything composes it.

    libyaml's composer recurses in C and crashes the whole process somewhere past 10,000 levels, so a text
    that could nest that deep is scanned as a flat event stream first; any other is composed, and its nodes
    are checked by `check_node_graph` (or the engine's builder) against the same limit. `always` scans
    any text, for readers (ruamel) that compose recursively in Python.
    """
    if not always and _nesting_bound(text) < _SCAN_FROM:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise depth_error(first_line + (event.start_mark.line if event.start_mark else 0), location)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # the parse proper reports the syntax error with its own line


def _nesting_bound(text: str) -> int:
    """An upper bound of the nesting, cheap to compute: a flow level costs an opening bracket; a block
    collection starts at the column of its first key or indicator, which only indentation and indicators
    ("- ", "? ", ": ") precede on its line (`a: b: c` is no YAML), and a nested one starts further right, or
    in the same column once (a mapping's indentless sequence): two levels per column up to the longest such
    run, plus the brackets. The longest line bounded it too, but a Helm render's one line of JSON made every
    render scanned."""
    if len(text) < _SCAN_FROM:
        return len(text)
    leading = max(map(len, _LEADING_INDICATORS.findall(text)))
    return 2 * (leading + 1) + text.count("[") + text.count("{")


def depth_error(line: int, location: str) -> UsageError:
    """`line` counts from 0, as YAML marks do."""
    return UsageError(f"line {line + 1}: nests over {MAX_DEPTH} levels deep (the depth limit)", location=location)


def alias_error(line: int, budget: int, location: str) -> UsageError:
    return UsageError(
        f"line {line + 1}: excessive aliasing: aliases expand to over {budget} nodes (the alias limit)",
        location=location,
    )


def check_node_graph(root: Any, *, budget: int, location: str, first_line: int = 0) -> None:
    """Refuses a composed YAML node graph (PyYAML or ruamel nodes) nesting over MAX_DEPTH levels or
    expanding through aliases to more than `budget` nodes, both counted with aliases expanded. Shared
    subtrees are measured once, so this is linear in the document however large its expansion would be."""
    measured: dict[int, tuple[int, int]] = {}  # id -> (expanded size, height)
    # iterative post-order walk: recursion is what a deep document would exhaust
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            children = [measured[id(child)] for child in _children(node)]
            size = 1 + sum(size for size, _ in children)
            height = 1 + max((height for _, height in children), default=0)
            measured[key] = (size, height)
            line = first_line + getattr(getattr(node, "start_mark", None), "line", 0)
            if height > MAX_DEPTH:
                raise depth_error(line, location)
            if size > budget:
                raise alias_error(line, budget, location)
            continue
        if key in measured:
            continue
        measured[key] = (0, 0)  # on the path; YAML has no alias cycles, so no parent reads this placeholder
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in measured)


def _children(node: Any) -> Iterable[Any]:
    value = getattr(node, "value", None)
    if not isinstance(value, list):
        return ()
    out: list[Any] = []
    for item in value:
        if isinstance(item, tuple):
            out.extend(item)
        else:
            out.append(item)
    return out
