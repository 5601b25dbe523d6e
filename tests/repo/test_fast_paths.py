"""The generated tree's fast paths write exactly what their reference paths write, byte for byte, for every
catalog the repository and the tests have (the repository's, `rosgit init`'s default, the site knobs', the
Helm variant's)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.argocd import kinds
from rosgit.catalog import Catalog, load_catalog
from rosgit.catalog.defaults import default_catalog_text
from rosgit.errors import UsageError
from rosgit.fileset import text
from rosgit.helm import values_schema
from rosgit.k8s.objects import load_objects
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


def _json_module_text(data: Any) -> str:
    return json.dumps(data, indent=2)


def _never_written(rendered: str) -> None:
    return None


def use_reference_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fast path of render_tree swapped for the slow one it replaces."""
    monkeypatch.setattr(text, "emit_block_yaml", _pyyaml_only)
    monkeypatch.setattr(kinds, "written_documents", _never_written)
    monkeypatch.setattr(values_schema, "indented_json", _json_module_text)
    kinds.parsed_documents.cache_clear()


@pytest.mark.parametrize("name", sorted(CATALOG_TEXTS))
def test_fast_paths_render_the_reference_bytes(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = _catalog(tmp_path, name)
    fast = render_tree(catalog)
    with monkeypatch.context() as patched:
        use_reference_paths(patched)
        reference = render_tree(catalog)
    kinds.parsed_documents.cache_clear()
    assert list(fast) == list(reference)
    differing = [path for path in fast if fast[path].encode() != reference[path].encode()]
    assert differing == []
    assert len(fast) > 100


def _same(loaded: Any, written: Any) -> bool:
    """Equal, and of the same types all the way down (1 == True == 1.0 for ==)."""
    if type(loaded) is not type(written):
        return False
    if isinstance(loaded, dict):
        return list(loaded) == list(written) and all(
            _same(key, other) and _same(loaded[key], written[other])
            for key, other in zip(loaded, written, strict=True)
        )
    if isinstance(loaded, list):
        return len(loaded) == len(written) and all(_same(a, b) for a, b in zip(loaded, written, strict=True))
    return bool(loaded == written)


@pytest.mark.parametrize("name", sorted(CATALOG_TEXTS))
def test_written_documents_are_what_parsing_their_text_gives(name: str, tmp_path: Path) -> None:
    known = 0
    for path, rendered in render_tree(_catalog(tmp_path, name)).items():
        written = text.written_documents(rendered)
        if written is None:
            continue
        known += 1
        parsed = load_objects(rendered, source=path)
        assert _same(parsed, [doc for doc in written if isinstance(doc, dict)]), path
    assert known > 200


def test_a_written_object_changed_afterwards_keeps_the_documents_of_its_text() -> None:
    obj = {"kind": "ConfigMap", "data": {"a": ("b",)}}
    rendered = text.yaml_file(obj)
    obj["data"]["a"] = "changed"
    assert text.written_documents(rendered) == ({"kind": "ConfigMap", "data": {"a": ["b"]}},)
    assert kinds.parsed_documents(rendered) == tuple(load_objects(rendered))


def _nested(levels: int) -> Any:
    node: Any = "leaf"
    for _ in range(levels - 1):
        node = [node]
    return node


SHARED = [str(i) for i in range(2000)]
# each document is refused by load_objects' alias check: 101 levels through an alias; 800,000 nodes from 400
# aliases of one list, over the budget of a text this size
OVER_THE_LIMITS = {
    "depth": {"kind": "ConfigMap", "a": (deep := _nested(100)), "b": deep},
    "budget": {"kind": "ConfigMap", "items": [SHARED] * 400},
}


@pytest.mark.parametrize("name", sorted(OVER_THE_LIMITS))
def test_a_written_text_over_the_alias_limits_fails_as_its_parse_does(name: str) -> None:
    rendered = text.yaml_file(OVER_THE_LIMITS[name])
    assert "&id001" in rendered
    with pytest.raises(UsageError) as parsed:
        load_objects(rendered)
    with pytest.raises(UsageError) as known:
        kinds.parsed_documents(rendered)
    assert str(known.value) == str(parsed.value)


def test_a_written_text_just_within_the_alias_limits_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    shared = _nested(99)  # 100 levels with the document
    rendered = text.yaml_file({"kind": "ConfigMap", "a": shared, "b": shared})
    assert "&id001" in rendered
    load_objects(rendered)  # accepted
    monkeypatch.setattr(kinds, "load_objects", _never_written)
    assert kinds.parsed_documents(rendered)[0]["b"] == shared
