"""`rosgit export-helm` and `rosgit helm-diff`: load the catalog, call the pure parts, print, exit."""

from __future__ import annotations

import sys
from pathlib import Path

from rosgit.catalog import load_catalog
from rosgit.fileset.state import tree_root

HELMS = ("helm", "helm3")


def run_export(
    catalog_path: Path, out: Path, *, package: bool, push: str | None = None, plain_http: bool = False
) -> int:
    from rosgit.helm.export import write_chart, write_package

    catalog = load_catalog(catalog_path)
    if push is not None:
        from rosgit.helm.release import check_oci_reference

        check_oci_reference(push)
    target = write_package(catalog, out) if package or push else write_chart(catalog, out)
    print(f"rosgit: wrote {target}", file=sys.stderr)
    if push is not None:
        from rosgit.tools import run_tool

        args = ["push", str(target), push, *(["--plain-http"] if plain_http else [])]
        result = run_tool("helm", args)
        result.output(location=push)
        print(f"rosgit: pushed {target.name} to {push}", file=sys.stderr)
    return 0


def run_helm_diff(
    catalog_path: Path, *, helm: str, engine: str, overlays: list[str] | None, chart: Path | None
) -> int:
    from rosgit.errors import UsageError
    from rosgit.helm.equivalence import equivalence_differences

    if helm not in HELMS:
        raise UsageError(f"unknown helm {helm!r}; choose one of {', '.join(HELMS)}")
    if chart is not None and not (chart / "Chart.yaml").is_file():
        raise UsageError(f"{chart}: no Chart.yaml; pass the chart directory")
    from rosgit.tools import require_tool

    # a missing helm is a tool problem, not "the chart differs" (each overlay's render would fail as ROS904)
    require_tool(helm)
    catalog = load_catalog(catalog_path)
    root = tree_root(catalog_path)
    differences = equivalence_differences(
        root, catalog, helm=helm, engine=engine, chart=chart, overlays=overlays
    )
    for difference in differences:
        print(difference.report())
    count = len([o for o in catalog.overlays if overlays is None or o.name in overlays])
    if differences:
        print(f"rosgit: the chart differs from the overlays ({len(differences)} object(s))", file=sys.stderr)
        return 1
    print(f"rosgit: chart and overlays render the same objects ({count} overlay(s), {helm})", file=sys.stderr)
    return 0
