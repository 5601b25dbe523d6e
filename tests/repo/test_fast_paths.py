"""The generated tree's fast paths write exactly what their reference paths write, byte for byte, for every
catalog the repository and the tests have (the repository's, `rosgit init`'s default, the site knobs', the
Helm variant's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.catalog import Catalog, load_catalog
from rosgit.catalog.defaults import default_catalog_text
from rosgit.fileset import text
from rosgit.repo.tree import render_tree
from tests.conftest import REPO_ROOT
from tests.helm.test_variant_catalog import EDITS as VARIANT_EDITS
from tests.site_knobs import site_catalog_text


def _edited(edits: list[tuple[str, str]]) -> str:
    catalog = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
    for old, new in edits:
        assert catalog.count(old) == 1, old
        catalog = catalog.replace(old, new)
    return catalog


CATALOG_TEXTS: dict[str, Callable[[], str]] = {
    "repository": lambda: (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8"),
    "default": default_catalog_text,
    "site-knobs": site_catalog_text,
    "helm-variant": lambda: _edited(VARIANT_EDITS),
}


def _catalog(tmp_path: Path, name: str) -> Catalog:
    (tmp_path / "rosgit.yaml").write_text(CATALOG_TEXTS[name](), encoding="utf-8")
    return load_catalog(tmp_path / "rosgit.yaml")


def _pyyaml_only(data: Any) -> str:
    raise text.LeftToPyYAML


def use_reference_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fast path of render_tree swapped for the slow one it replaces."""
    monkeypatch.setattr(text, "emit_block_yaml", _pyyaml_only)


@pytest.mark.parametrize("name", sorted(CATALOG_TEXTS))
def test_fast_paths_render_the_reference_bytes(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = _catalog(tmp_path, name)
    fast = render_tree(catalog)
    with monkeypatch.context() as patched:
        use_reference_paths(patched)
        reference = render_tree(catalog)
    assert list(fast) == list(reference)
    differing = [path for path in fast if fast[path].encode() != reference[path].encode()]
    assert differing == []
    assert len(fast) > 100
