"""The whole generated tree as data: {relative path: file text}. Pure: reads nothing but the catalog."""

from __future__ import annotations

import functools
from collections.abc import Callable

from rosgit.catalog.model import Catalog
from rosgit.catalog.profiles import resolve_profile
from rosgit.generate.bases import base_files
from rosgit.generate.overlays import overlay_files
from rosgit.generate.platforms import kubernetes_files, openshift_files

Producer = Callable[[Catalog], dict[str, str]]

_memo: dict[tuple[int, str], dict[str, str]] | None = None


def _memoized(produce: Producer) -> Producer:
    """Inside render_tree, a producer runs once per catalog; callers get a copy they may change."""

    @functools.wraps(produce)
    def wrapper(catalog: Catalog) -> dict[str, str]:
        if _memo is None:
            return produce(catalog)
        key = (id(catalog), produce.__name__)
        if key not in _memo:
            _memo[key] = produce(catalog)
        return dict(_memo[key])

    return wrapper


@_memoized
def _bases(catalog: Catalog) -> dict[str, str]:
    profile = resolve_profile(catalog, catalog.project.base_profile)
    files: dict[str, str] = {}
    for component in catalog.components:
        if component.enabled:
            files.update(base_files(catalog, component, profile))
    return files


@_memoized
def _platforms(catalog: Catalog) -> dict[str, str]:
    files: dict[str, str] = {}
    if "kubernetes" in catalog.platforms:
        files.update(kubernetes_files(catalog, catalog.platforms["kubernetes"]))
    if "openshift" in catalog.platforms:
        files.update(openshift_files(catalog, catalog.platforms["openshift"]))
    return files


@_memoized
def _overlays(catalog: Catalog) -> dict[str, str]:
    files: dict[str, str] = {}
    for overlay in catalog.overlays:
        files.update(overlay_files(catalog, overlay))
    return files


@_memoized
def _argocd(catalog: Catalog) -> dict[str, str]:
    # imported here: argocd.generate reads the other producers' output through this module
    from rosgit.argocd.generate import argocd_files

    return argocd_files(catalog)


@_memoized
def _chart(catalog: Catalog) -> dict[str, str]:
    # the Helm export lives beside the overlays so `generate --check` keeps it in step with the catalog
    from rosgit.helm.chart import chart_tree

    return chart_tree(catalog)


PRODUCERS: tuple[Producer, ...] = (_bases, _platforms, _overlays, _argocd, _chart)


def render_tree(catalog: Catalog) -> dict[str, str]:
    # The Argo CD producer reads the other producers' output (manifest_tree); memoising each producer
    # for the duration of this call renders every file once instead of twice.
    global _memo
    outer, _memo = _memo, {} if _memo is None else _memo
    try:
        files: dict[str, str] = {}
        for produce in PRODUCERS:
            for path, text in produce(catalog).items():
                if path in files:
                    raise AssertionError(f"two producers write {path}")
                files[path] = text
        return dict(sorted(files.items()))
    finally:
        _memo = outer
