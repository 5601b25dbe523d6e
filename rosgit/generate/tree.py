"""The generated Kustomize tree as data: {relative path: file text}. Pure: reads nothing but the catalog."""

from __future__ import annotations

from rosgit.catalog.model import Catalog
from rosgit.catalog.profiles import resolve_profile
from rosgit.fileset.text import disjoint_union
from rosgit.generate.bases import base_files
from rosgit.generate.overlays import overlay_files
from rosgit.generate.platforms import kubernetes_files, modes_in_use, openshift_files


def base_tree(catalog: Catalog) -> dict[str, str]:
    profile = resolve_profile(catalog, catalog.project.base_profile)
    files: dict[str, str] = {}
    for component in catalog.components:
        if component.enabled:
            files.update(base_files(catalog, component, profile))
    return files


def platform_tree(catalog: Catalog) -> dict[str, str]:
    files: dict[str, str] = {}
    if "kubernetes" in catalog.platforms:
        for analytics, authorization in modes_in_use(catalog, "kubernetes"):
            files.update(kubernetes_files(catalog, catalog.platforms["kubernetes"], analytics, authorization))
    if "openshift" in catalog.platforms:
        for analytics, authorization in modes_in_use(catalog, "openshift"):
            files.update(openshift_files(catalog, catalog.platforms["openshift"], analytics, authorization))
    return files


def overlay_tree(catalog: Catalog) -> dict[str, str]:
    files: dict[str, str] = {}
    for overlay in catalog.overlays:
        files.update(overlay_files(catalog, overlay))
    return files


def manifest_files(catalog: Catalog) -> dict[str, str]:
    """base/, components/ and overlays/: what the Argo CD Applications deploy."""
    return disjoint_union(base_tree(catalog), platform_tree(catalog), overlay_tree(catalog))
