"""`rosgit graph OVERLAY`: build the overlay, draw it, print or write it."""

from __future__ import annotations

import sys
from pathlib import Path

from rosgit.build import build_objects, write_build_output
from rosgit.catalog import load_catalog
from rosgit.errors import UsageError
from rosgit.fileset.state import tree_root
from rosgit.graph.model import build_graph
from rosgit.graph.render import FORMATS, render_graph
from rosgit.lint.targets import resolve_targets


def graph_text(catalog_path: Path, overlay: str, output: str) -> str:
    if output not in FORMATS:
        raise UsageError(f"unknown output {output!r}; choose one of {', '.join(FORMATS)}")
    catalog = load_catalog(catalog_path)
    (target,) = resolve_targets(catalog, tree_root(catalog_path), [overlay])
    return render_graph(build_graph(build_objects(target.path), target.context, target.name), output)


def run_graph(catalog_path: Path, overlay: str, *, output: str, out: Path | None) -> int:
    text = graph_text(catalog_path, overlay, output)
    if out is None:
        sys.stdout.write(text)
    else:
        write_build_output(out, text)
        print(f"rosgit: wrote {out}", file=sys.stderr)
    return 0
