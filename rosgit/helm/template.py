"""Writing Kubernetes objects as Helm template text.

Objects come from the generator's builders as plain data; a few fields are swapped for template nodes
(a value from values.yaml, an included helper, a platform condition) and the rest is written literally,
escaped so Go templates pass it through unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from rosgit.fileset.text import HEADER

# the ownership header as a Go template comment, for the chart's files that are not YAML
TEMPLATE_HEADER = f"{{{{- /* {HEADER.removeprefix('# ')} */ -}}}}"


@dataclass(frozen=True)
class Inline:
    """A scalar written as template text, e.g. `{{ $v.replicas }}`."""

    text: str


@dataclass(frozen=True)
class Block:
    """A mapping or list produced by a template expression, e.g. `toYaml $v.resources`."""

    expr: str


@dataclass(frozen=True)
class When:
    """A mapping entry present only when `cond` holds."""

    cond: str
    value: Any


@dataclass(frozen=True)
class WhenItems:
    """List items present only when `cond` holds."""

    cond: str
    items: list[Any]


def escape(text: str) -> str:
    """Literal text Go templates print as is: only `{{` starts an action."""
    return text.replace("{{", '{{ "{{" }}')


def _plain(value: Any) -> str:
    """One-line YAML for a scalar, quoted exactly when YAML 1.1 would read it as something else."""
    if type(value) is str:  # most scalars: first, and without the conversion below
        return _plain_string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} as a template scalar")
    return _plain_string(str(value))


@functools.lru_cache(maxsize=8192)
def _plain_string(value: str) -> str:
    # Charts repeat the same keys and values thousands of times; PyYAML's emitter is the slow part, and
    # libyaml's writes the same text for ASCII (it escapes some other characters, U+0085 or emoji, differently).
    return escape(scalar_text(value, yaml.CSafeDumper if value.isascii() else yaml.SafeDumper))


def scalar_text(value: str, dumper: type[yaml.SafeDumper] | type[yaml.CSafeDumper]) -> str:
    """A string as one YAML scalar, written by `dumper`, without the document end marker; never folded."""
    dumped: str = yaml.dump(value, Dumper=dumper, width=_UNFOLDED, allow_unicode=True)
    if dumped.endswith("\n...\n"):
        dumped = dumped[: -len("\n...\n")]
    return dumped.rstrip("\n")


_UNFOLDED = 2**31 - 1  # libyaml's widest line (an int); PyYAML's pure emitter took float("inf") alike


def _block_scalar_ok(text: str) -> bool:
    return "\n" in text and not any(c in text for c in "\r\t\x85\u2028\u2029") and not text.startswith("\n")


def block_scalar(text: str, indent: int, *, literal: bool = False) -> list[str]:
    """`|`-style YAML text for a multi-line string; `literal=False` escapes template actions."""
    body = text if literal else escape(text)
    lines = body.split("\n")
    if body.endswith("\n\n") or body == "\n":
        chomp = "+"
        lines = lines[:-1]
    elif body.endswith("\n"):
        chomp = ""
        lines = lines[:-1]
    else:
        chomp = "-"
    indicator = "2" if lines and lines[0].startswith(" ") else ""
    pad = " " * indent
    out = [f"|{indicator}{chomp}"]
    out.extend(f"{pad}{line}" if line else "" for line in lines)
    return out


def _key(key: Any) -> str:
    return _plain(key)


def render_mapping(mapping: dict[Any, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    # conditional entries last, so a list item's first line is always a plain key
    ordered: Iterable[tuple[Any, Any]] = mapping.items()
    if any(isinstance(value, When) for value in mapping.values()):
        ordered = sorted(ordered, key=lambda kv: isinstance(kv[1], When))
    for key, value in ordered:
        if isinstance(value, When):
            lines.append(f"{pad}{{{{- if {value.cond} }}}}")
            lines.extend(render_mapping({key: value.value}, indent))
            lines.append(f"{pad}{{{{- end }}}}")
            continue
        lines.extend(_entry(f"{pad}{_key(key)}:", value, indent))
    return lines


def _entry(head: str, value: Any, indent: int) -> list[str]:
    if type(value) is str and "\n" not in value:  # most entries: a one-line string
        return [f"{head} {_plain_string(value)}"]
    pad = " " * indent
    if isinstance(value, Inline):
        return [f"{head} {value.text}"]
    if isinstance(value, Block):
        return [head, f"{pad}  {{{{- {value.expr} | nindent {indent + 2} }}}}"]
    if isinstance(value, dict):
        if not value:
            return [f"{head} {{}}"]
        return [head, *render_mapping(value, indent + 2)]
    if isinstance(value, list):
        if not value:
            return [f"{head} []"]
        return [head, *render_sequence(value, indent)]
    if isinstance(value, str) and _block_scalar_ok(value):
        first, *rest = block_scalar(value, indent + 2)
        return [f"{head} {first}", *rest]
    return [f"{head} {_plain(value)}"]


def render_sequence(items: list[Any], indent: int) -> list[str]:
    """Items written `- ` at the parent key's indent, as kustomize and go-yaml do."""
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, WhenItems):
            lines.append(f"{pad}{{{{- if {item.cond} }}}}")
            lines.extend(render_sequence(item.items, indent))
            lines.append(f"{pad}{{{{- end }}}}")
        elif isinstance(item, dict) and item:
            inner = render_mapping(item, indent + 2)
            inner[0] = f"{pad}- {inner[0][indent + 2 :]}"
            lines.extend(inner)
        elif isinstance(item, list) and item:
            inner = render_sequence(item, indent + 2)
            inner[0] = f"{pad}- {inner[0][indent + 2 :]}"
            lines.extend(inner)
        else:
            lines.extend(_entry(f"{pad}-", item, indent))
    return lines


def render_document(obj: dict[str, Any], cond: str | None = None) -> str:
    """One object as template text; with `cond`, rendered only when it holds."""
    body = "\n".join(render_mapping(obj, 0))
    if cond is None:
        return f"---\n{body}\n"
    return f"{{{{- if {cond} }}}}\n---\n{body}\n{{{{- end }}}}\n"
