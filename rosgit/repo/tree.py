"""Everything `rosgit generate` owns, as data: {relative path: file text}. Pure: reads nothing but the catalog."""

from __future__ import annotations

from rosgit.argocd.generate import argocd_files
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
