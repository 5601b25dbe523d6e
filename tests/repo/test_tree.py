"""The composition root: every producer renders once per tree, and two producers never share a path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from rosgit.catalog import load_catalog
from rosgit.fileset.text import disjoint_union
from rosgit.generate import tree as manifest_tree
from rosgit.repo import tree as repo_tree
from tests.conftest import REPO_ROOT

CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")


def test_each_producer_runs_once_per_render(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: Counter[str] = Counter()

    def counted(module: Any, name: str) -> None:
        produce: Callable[..., dict[str, str]] = getattr(module, name)

        def wrapper(*args: Any) -> dict[str, str]:
            calls[name] += 1
            return produce(*args)

        monkeypatch.setattr(module, name, wrapper)

    for name in ("base_tree", "platform_tree", "overlay_tree"):
        counted(manifest_tree, name)
    for name in ("manifest_files", "argocd_files", "chart_tree"):
        counted(repo_tree, name)
    tree = repo_tree.render_tree(CATALOG)
    assert calls == dict.fromkeys(
        ("base_tree", "platform_tree", "overlay_tree", "manifest_files", "argocd_files", "chart_tree"), 1
    )
    assert list(tree) == sorted(tree)
    assert {path.split("/", 1)[0] for path in tree} == {"base", "components", "overlays", "argocd", "charts"}


def test_argocd_files_are_derived_from_the_manifests_they_are_given() -> None:
    manifests = manifest_tree.manifest_files(CATALOG)
    assert repo_tree.render_tree(CATALOG) == disjoint_union(
        manifests, repo_tree.argocd_files(CATALOG, manifests), repo_tree.chart_tree(CATALOG)
    )
    # the AppProject whitelists the kinds the given manifests emit, so other manifests give another project
    without = repo_tree.argocd_files(CATALOG, {})
    assert (
        without["argocd/projects.yaml"] != repo_tree.argocd_files(CATALOG, manifests)["argocd/projects.yaml"]
    )


def test_two_producers_writing_one_path_is_an_error() -> None:
    assert disjoint_union({"b": "2"}, {"a": "1"}) == {"a": "1", "b": "2"}
    assert list(disjoint_union({"b": "2"}, {"a": "1"})) == ["a", "b"]
    with pytest.raises(AssertionError, match="two producers write a"):
        disjoint_union({"a": "1"}, {"a": "1"})
