"""`rosgit pre-commit FILE...`: the fast subset of `rosgit check` for a commit. The drift check always runs
(the catalog and the generated tree must agree); build, validate and lint run only for the overlays the
committed files touch; the slower repo-wide stages (the kustomize comparison, Argo CD, secrets, Helm) are
left to `rosgit check` in CI."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from rosgit.catalog.model import Catalog
from rosgit.check.pipeline import run_pipeline
from rosgit.check.report import render
from rosgit.findings import colour_wanted

# what a commit never waits for: the stages that run real tools on every overlay, or the whole tree
SLOW_STAGES = frozenset({"kustomize", "argocd", "secrets", "helm"})
# a change here reaches every overlay (each overlay includes the bases and the platform Components)
SHARED_DIRS = ("base", "components")


def touched_overlays(catalog: Catalog, files: Iterable[str]) -> list[str]:
    """The catalog overlays whose build the files can change, in catalog order."""
    names = [overlay.name for overlay in catalog.overlays]
    touched: set[str] = set()
    for file in files:
        parts = PurePosixPath(file.replace("\\", "/")).parts
        if not parts:
            continue
        if parts[0] in SHARED_DIRS:
            return names
        if parts[0] == "overlays" and len(parts) > 1 and parts[1] in names:
            touched.add(parts[1])
    return [name for name in names if name in touched]


def run_pre_commit(catalog_path: Path, files: list[str]) -> int:
    from rosgit.catalog import load_catalog

    catalog = load_catalog(catalog_path)
    overlays = touched_overlays(catalog, files)
    skip = set(SLOW_STAGES) if overlays else set(SLOW_STAGES) | {"build", "validate", "lint"}
    report = run_pipeline(catalog_path, overlays=overlays, skip=skip, catalog=catalog)
    sys.stdout.write(render(report, "text", colour=colour_wanted(sys.stdout)))
    return report.exit_code
