"""`rosgit conformance`: the conformance checks of one overlay, printed one line per check."""

from __future__ import annotations

import sys
from pathlib import Path

from rosgit.conformance.report import render, summary
from rosgit.conformance.runner import load_overlay, require_programs, run, selected
from rosgit.errors import UsageError
from rosgit.fileset.state import tree_root


def overlay_path(root: Path, overlay: str) -> Path:
    """An overlay by directory, or by name under the catalog's overlays/."""
    given = Path(overlay)
    for candidate in (given, root / "overlays" / overlay):
        if (candidate / "kustomization.yaml").is_file():
            return candidate
    raise UsageError(f"{overlay}: no such overlay (a directory with kustomization.yaml, or a name under overlays/)")


def run_conformance(catalog_path: Path, overlay: str, *, component: str | None) -> int:
    if not catalog_path.is_file():
        raise UsageError(f"{catalog_path}: no such catalog file")
    loaded = load_overlay(overlay_path(tree_root(catalog_path), overlay), catalog_path)
    chosen = selected(loaded, component)
    if component is not None and not chosen:
        names = sorted({container.workload for _, container in selected(loaded)})
        raise UsageError(f"component {component!r} is not one this tier runs in {overlay}; choose one of "
                         f"{', '.join(names) or '(none)'}")
    require_programs(chosen)
    results = run(loaded, component=component)
    sys.stdout.write(render(results))
    print(summary(results), file=sys.stderr)
    return 0 if all(check.ok for check in results) else 1
