"""Everything `rosgit generate` owns, as data: {relative path: file text}. Pure: reads nothing but the catalog."""

from __future__ import annotations

from pathlib import Path

from rosgit import cache
from rosgit.argocd.generate import argocd_files
from rosgit.catalog.loader import catalog_of_bytes, read_catalog_bytes
from rosgit.catalog.model import Catalog
from rosgit.fileset.text import disjoint_union
from rosgit.generate.tree import manifest_files
from rosgit.helm.chart import chart_tree


def render_tree(catalog: Catalog) -> dict[str, str]:
    """The manifests, the Argo CD files derived from them, and the Helm chart, each rendered once.

    The chart lives beside the overlays so `generate --check` keeps it in step with the catalog.
    """
    manifests = manifest_files(catalog)
    return disjoint_union(manifests, argocd_files(catalog, manifests), chart_tree(catalog))


def catalog_and_tree(catalog_path: Path, catalog: Catalog | None = None) -> tuple[Catalog, dict[str, str]]:
    """The catalog at catalog_path and the tree it generates, from one reading of its bytes; the tree is
    remembered by those bytes, so the drift check right after `rosgit generate` renders nothing.

    `catalog`: the catalog of that file, loaded already; with caches on it is loaded again from the bytes
    read here (a remembered result), so that the tree stored under them is theirs even if the file changed
    in between."""
    if catalog is not None and not cache.enabled():
        return catalog, render_tree(catalog)
    data = read_catalog_bytes(catalog_path)
    loaded = catalog_of_bytes(catalog_path, data)
    return loaded, cache.file_memo("tree", catalog_path, data, lambda: render_tree(loaded))
