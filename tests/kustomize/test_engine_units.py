"""Unit checks of the engine's building blocks (the corpus checks whole builds against kustomize)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rosgit.kustomize import build_resources, build_text, split_image
from rosgit.kustomize.fieldspecs import split_outside, split_path
from rosgit.kustomize.patches import matches_selector, strategic_merge
from rosgit.kustomize.replacements import split_field_path

CASES = Path(__file__).parent / "cases"


def test_importing_the_engine_loads_nothing_heavy() -> None:
    code = (
        "import sys, rosgit.kustomize\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('yaml', 'jsonpatch', 'ruamel', 'typer')\n"
        "         or (m.startswith('rosgit.kustomize.') )]\n"
        "print(','.join(sorted(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_build_resources_matches_text() -> None:
    import yaml

    case = CASES / "generator-behavior-merge-replace"
    parsed = [d for d in yaml.safe_load_all(build_text(case)) if d is not None]
    assert build_resources(case) == parsed


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("nginx", ("nginx", "", "")),
        ("nginx:1.2", ("nginx", "1.2", "")),
        ("registry:5000/team/app:v1@sha256:abc", ("registry:5000/team/app", "v1", "sha256:abc")),
        ("registry:5000/app", ("registry:5000/app", "", "")),
        ("app@sha256:abc", ("app", "", "sha256:abc")),
    ],
)
def test_split_image(image: str, parts: tuple[str, str, str]) -> None:
    assert split_image(image) == parts


def test_field_paths() -> None:
    assert split_path("metadata/annotations/a\\/b") == ("metadata", "annotations", "a/b")
    assert split_field_path("spec.containers.[name=a.b].image") == ["spec", "containers", "[name=a.b]", "image"]
    assert split_outside("env in (a,b),!x,,y", ",", "(", ")") == ["env in (a,b)", "!x", "", "y"]
    assert split_outside("a.[b.[c.d]].e", ".", "[", "]") == ["a", "[b.[c.d]]", "e"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=web", True),
        ("app==web,tier!=db", True),
        ("app in (web, api)", True),
        ("app notin (web)", False),
        ("tier", False),
        ("!tier", True),
        ("app,!tier", True),
    ],
)
def test_label_selectors(selector: str, expected: bool) -> None:
    assert matches_selector({"app": "web"}, selector) is expected


def test_strategic_merge_puts_patched_elements_first() -> None:
    target: dict[str, Any] = {"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c", "x": 1}]}}
    patch = {"spec": {"containers": [{"name": "c", "y": 2}, {"name": "new"}, {"name": "a", "$patch": "delete"}]}}
    merged = strategic_merge(target, patch, "Pod")
    assert merged["spec"]["containers"] == [{"name": "c", "x": 1, "y": 2}, {"name": "new"}, {"name": "b"}]


def test_strategic_merge_replaces_lists_of_custom_resources() -> None:
    target = {"spec": {"items": [{"name": "a"}, {"name": "b"}]}}
    patch = {"spec": {"items": [{"name": "b", "v": 1}]}}
    assert strategic_merge(target, patch, "Widget", (), False) == {"spec": {"items": [{"name": "b", "v": 1}]}}


def test_strategic_merge_directives() -> None:
    target = {"a": {"x": 1, "y": 2}, "b": 1, "c": [1, 2]}
    assert strategic_merge(target, {"a": {"$patch": "replace", "z": 3}, "b": None, "c": [3]}, "ConfigMap") == {
        "a": {"z": 3},
        "c": [3],
    }
    assert strategic_merge(target, {"$patch": "delete"}, "ConfigMap") is None


def test_json_patch_operations() -> None:
    from rosgit.kustomize.jsonpatch6902 import PatchError, apply

    doc = {"a": {"b/c": 1}, "l": [1, 2, 3]}
    assert apply(doc, [{"op": "add", "path": "/l/-1", "value": 9}])["l"] == [1, 2, 3, 9]
    assert apply(doc, [{"op": "remove", "path": "/l/-1"}])["l"] == [1, 2]
    assert apply(doc, [{"op": "replace", "path": "/a/new", "value": 2}])["a"] == {"b/c": 1, "new": 2}
    moved = apply(doc, [{"op": "move", "from": "/a/b~1c", "path": "/m"}])
    assert moved == {"a": {}, "l": [1, 2, 3], "m": 1}
    assert doc == {"a": {"b/c": 1}, "l": [1, 2, 3]}
    with pytest.raises(PatchError):
        apply(doc, [{"op": "test", "path": "/l/0", "value": True}])
    with pytest.raises(PatchError):
        apply(doc, [{"op": "remove", "path": "/a/missing"}])
    with pytest.raises(PatchError):
        apply(doc, [{"op": "add", "path": "/x/y", "value": 1}])


@pytest.mark.parametrize(
    ("image", "name", "expected"),
    [
        ("busybox", "busybox", True),
        ("busybox:1.36", "busybox", True),
        ("busybox@sha256:abc", "busybox", True),
        ("busybox:1@sha256:abc", "busybox", True),
        ("busybox@reg/new", "busybox", False),
        ("busyboxer:1", "busybox", False),
        ("nginx:weird/tag", "nginx", False),
    ],
)
def test_image_matching(image: str, name: str, expected: bool) -> None:
    from rosgit.kustomize.transformers import image_matches

    assert image_matches(image, name) is expected
