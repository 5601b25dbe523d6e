"""A Graph as Mermaid (pull-request comments, docs), DOT, or SVG laid out by Graphviz's `dot`.

SVG needs Graphviz: the Debian package pinned in rosgit/tools.txt (kind deb, under .tools/deb), else a `dot` on
PATH. Only the core and dot-layout plugins are loaded, so text is measured with Graphviz's built-in font
metrics rather than the machine's fonts: the same DOT gives the same SVG on every machine with the pin.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from rosgit.errors import UsageError
from rosgit.graph.model import TIER_TITLES, Graph
from rosgit.tools import find_program, find_tool, missing_tool_message, pins, run_process

FORMATS = ("mermaid", "dot", "svg")
ARCH_LIBS = "usr/lib/x86_64-linux-gnu"
# the plugins a DOT -> SVG run needs; pango (the machine's fonts) is left out on purpose
PLUGINS = ("libgvplugin_core.so.6", "libgvplugin_dot_layout.so.6")


def _mermaid_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def render_mermaid(graph: Graph) -> str:
    lines = ["flowchart LR"]
    for note in graph.notes:
        lines.append(f"  %% {note}")
    for tier, nodes in graph.tiers():
        lines.append(f'  subgraph tier_{_mermaid_id(tier)}["{TIER_TITLES.get(tier, tier)}"]')
        for node in nodes:
            shape = f'(["{_mermaid_text(node.label)}"])' if tier == "published" else f'["{_mermaid_text(node.label)}"]'
            lines.append(f"    {_mermaid_id(node.id)}{shape}")
        lines.append("  end")
    for edge in graph.edges:
        arrow = "-.->" if edge.published else "-->"
        label = f"|{_mermaid_text(edge.label)}|" if edge.label else ""
        lines.append(f"  {_mermaid_id(edge.source)} {arrow}{label} {_mermaid_id(edge.target)}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A DOT string; a newline becomes DOT's centred line break."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render_dot(graph: Graph) -> str:
    lines = [
        f"digraph {_quoted(graph.title)} {{",
        "  rankdir=LR;",
        "  fontname=Helvetica; fontsize=11;",
        '  node [shape=box, style="rounded", fontname=Helvetica, fontsize=10];',
        "  edge [fontname=Helvetica, fontsize=8, color=gray40];",
        f"  label={_quoted(graph.title + ''.join(' - ' + n for n in graph.notes))}; labelloc=t;",
    ]
    for tier, nodes in graph.tiers():
        lines.append(f"  subgraph {_quoted('cluster_' + tier)} {{")
        lines.append(f"    label={_quoted(TIER_TITLES.get(tier, tier))}; style=dashed; color=gray60;")
        for node in nodes:
            shape = ", shape=cds" if tier == "published" else ""
            lines.append(f"    {_quoted(node.id)} [label={_quoted(node.label)}{shape}];")
        lines.append("  }")
    for edge in graph.edges:
        style = ", style=dashed" if edge.published else ""
        lines.append(f"  {_quoted(edge.source)} -> {_quoted(edge.target)} [label={_quoted(edge.label)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _graphviz() -> tuple[Path, dict[str, str], Path | None]:
    """(dot, environment, plugin directory of the pinned package or None for a dot on PATH)."""
    home = find_program("graphviz") if "graphviz" in pins() else None
    if home is not None:
        deb = home.parent
        libraries = sorted(str(d / "root" / ARCH_LIBS) for d in deb.iterdir() if (d / "root" / ARCH_LIBS).is_dir())
        # Debian ships the binary as libgvc6-config-update, with /usr/bin/dot a link to it
        binary = deb / "libgvc6" / "root" / "usr" / "sbin" / "libgvc6-config-update"
        plugins = deb / "libgvc6" / "root" / ARCH_LIBS / "graphviz"
        if binary.is_file() and plugins.is_dir():
            return binary, {"LD_LIBRARY_PATH": os.pathsep.join(libraries)}, plugins
    dot = find_tool("dot")
    if dot is not None:
        return dot, {}, None
    raise UsageError(
        "SVG needs Graphviz's dot, which is not installed: " + missing_tool_message("graphviz")
        + "; or use --output dot / mermaid"
    )


def render_svg(graph: Graph) -> str:
    dot, env, plugins = _graphviz()
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    with tempfile.TemporaryDirectory(prefix="rosgit-graphviz-") as tmp:
        if plugins is not None:
            for plugin in PLUGINS:
                os.symlink(plugins / plugin, Path(tmp) / plugin)
            link = Path(tmp) / "dot"  # Graphviz picks its layout from the name it is called by
            os.symlink(dot, link)
            dot = link
            base_env["GVBINDIR"] = tmp
            configured = run_process([str(dot), "-c"], env=base_env, timeout=30.0)
            if configured.returncode != 0:
                raise UsageError(f"dot -c failed: {configured.stderr.strip() or configured.returncode}")
        result = run_process([str(dot), "-Tsvg"], env=base_env, input_text=render_dot(graph), timeout=60.0)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]
        raise UsageError(f"dot -Tsvg failed: {reason}")
    return result.stdout


def render_graph(graph: Graph, output: str) -> str:
    if output == "mermaid":
        return render_mermaid(graph)
    if output == "dot":
        return render_dot(graph)
    if output == "svg":
        return render_svg(graph)
    raise UsageError(f"unknown output {output!r}; choose one of {', '.join(FORMATS)}")
