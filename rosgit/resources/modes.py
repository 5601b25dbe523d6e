"""The same overlay in each analytics mode (docs/analytics.md): its profile switched to the other mode, as the
generator would write it, so `rosgit resources` can show what choosing trino or postgresql costs."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from rosgit.build import build_objects
from rosgit.catalog.model import ALL_ANALYTICS, AnalyticsMode, Catalog, OverlaySpec
from rosgit.catalog.profiles import overlay_analytics
from rosgit.generate.tree import manifest_files
from rosgit.resources.plan import overlay_spec
from rosgit.resources.summary import summarize
from rosgit.resources.totals import Totals


def other_modes(catalog: Catalog, overlay: OverlaySpec) -> list[AnalyticsMode]:
    return [mode for mode in ALL_ANALYTICS if mode != overlay_analytics(catalog, overlay)]


def tree_in_mode(catalog: Catalog, overlay: OverlaySpec, mode: AnalyticsMode) -> dict[str, str]:
    """The generated tree with only this overlay, its profile set to `mode` (every other setting as it is)."""
    profiles = dict(catalog.profiles)
    profiles[overlay.profile] = replace(profiles[overlay.profile], analytics=mode)
    switched = replace(catalog, profiles=profiles, overlays=[overlay])
    return manifest_files(switched)


def mode_totals(
    catalog: Catalog, directory: Path, root: Path, own: Totals, engine: str = "builtin"
) -> dict[str, Totals]:
    """A catalog overlay's total in its own analytics mode (`own`) and in each other one, built from the tree
    that mode would generate, written to a scratch directory (the tree on disk is not touched). A directory
    that is no catalog overlay: nothing."""
    spec = overlay_spec(directory, catalog, root)
    if spec is None:
        return {}
    totals: dict[str, Totals] = {overlay_analytics(catalog, spec): own}
    for mode in other_modes(catalog, spec):
        with tempfile.TemporaryDirectory(prefix="rosgit-analytics-") as scratch:
            for rel, text in tree_in_mode(catalog, spec, mode).items():
                path = Path(scratch) / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            totals[mode] = summarize(build_objects(Path(scratch) / "overlays" / spec.name, engine=engine)).total
    return totals
