"""The libyaml reading of a catalog (rosgit.catalog.lined_yaml) is ruamel's reading: the same tree, the same
line table and, through the loader, the same Catalog or the same one-line error, on every catalog and
contract rosgit ships, every catalog edit and YAML text the tests write, and YAML's corner cases."""

from __future__ import annotations

import ast
import dataclasses
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rosgit.catalog import lined_yaml, loader
from rosgit.errors import UsageError
from rosgit.userfiles import read_user_text
from tests.conftest import REPO_ROOT
from tests.site_knobs import site_catalog_text

DEFAULT_CATALOG = REPO_ROOT / "rosgit" / "catalog" / "default-catalog.yaml"
SHIPPED = [
    DEFAULT_CATALOG,
    REPO_ROOT / "rosgit.yaml",
    *sorted((REPO_ROOT / "rosgit/contracts/data").glob("*.yaml")),
]

TRICKY = {
    "yaml 1.1 booleans are strings": "a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\ng: Yes\nh: OFF\n",
    "1.2 booleans": "a: true\nb: True\nc: TRUE\nd: tRUE\ne: false\nf: False\ng: FALSE\n",
    "integers": "a: 0o17\nb: 017\nc: 0x1F\nd: 0xff\ne: 0b101\nf: -0o7\ng: +12\nh: 1_000\ni: 0\nj: 00\nk: 09\n"
    "l: 0x_1\nm: 1__0_\nn: -0\no: 0b0_1\np: 0o\nq: 0x\nr: 12345678901234567890123\ns: 0X1F\nt: 1:20\n",
    "integer ruamel cannot index": "a: 0b_\n",
    "floats": "a: 1.5\nb: .5\nc: -.5\nd: 1e3\ne: 1.0e+3\nf: 1E3\ng: .inf\nh: -.Inf\ni: +.INF\nj: .nan\n"
    "k: .NaN\nl: 1_0.5\nm: 1.\nn: 6.8523015e+5\no: 685.230_15e+03\np: 190:20:30.15\nq: -0.0\nr: .5e+3\n"
    "s: .5e3\nt: 1e\nu: +.5\nv: -.nan\nw: 1.2.3\nx: 0.1_\n",
    "nulls": "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL\ng: ''\nh: \"\"\ni: [~, null, ]\nj: {k: }\n",
    "timestamps": "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10 -5\n",
    "quoted": "a: '1'\nb: \"true\"\nc: 'yes'\nd: \"0o17\"\ne: \"\\x41\\u263a\\/\\N\\_\\L\\P\\e\\0\"\nf: 'it''s'\n"
    "g: \"multi\n  line\"\nh: 'fold\n\n  ed'\n",
    "block scalars and chomping": "a: |\n  line\n  two\n\nb: |-\n  x\n\nc: |+\n  y\n\n\nd: >\n  folded\n  text\n\n"
    "  para\ne: >-\n  z\nf: |2\n    indented\ng: |\n  trailing\nh: >+\n  kept\n\ni: |\nj: >\n\nk: |1\n  one\n",
    "plain multi-line": "a: this is\n  folded plain\n\n  with blank\nb: x # comment\nc: x#no comment\n",
    "anchors and aliases": "base: &b {x: 1, y: [1, 2]}\nother: *b\nlist: &l [a, b]\nagain: *l\nboth: [*b, *l]\n",
    "anchored block collections": "base: &b\n  x: 1\nseq: &s\n  - 1\nuse: [*b, *s]\n",
    "merge keys": "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\nmany:\n  <<: [*b, {z: 3}]\n",
    "duplicate merge keys": "base: &b {x: 1}\nd:\n  <<: *b\n  <<: *b\n",
    "scalar anchors": "a: &s 1\nb: *s\nc: &t true\nd: &u text\ne: *u\n",
    "duplicate keys": "a: 1\nb: 2\na: 3\n",
    "nested duplicate keys": "top:\n  x:\n    a: 1\n    a: 1\n",
    "flow duplicate keys": "x: {a: 1, a: 2}\n",
    "equal keys of different types": "1: a\n1.0: b\n",
    "true and one as keys": "true: a\n1: b\n",
    "non-string keys": "1: a\nfalse: b\n~: c\n1.5: d\n0x10: e\n'2': f\n",
    "collection keys": "? [x]\n: e\n",
    "mapping key": "? {a: 1}\n: e\n",
    "explicit scalar key": "? x\n: y\n? z\n",
    "alias as key": "a: &k key\n*k : v\n",
    "deep flow nesting at the limit": "a: " + "[" * 99 + "]" * 99 + "\n",
    "deep flow nesting past the limit": "a: " + "[" * 100 + "]" * 100 + "\n",
    "deep block nesting past the limit": "".join(f"{'  ' * i}k{i}:\n" for i in range(101))
    + "  " * 101
    + "v: 1\n",
    "deep nesting after a syntax error": "a: [1\nb: " + "[" * 120 + "]" * 120 + "\n",
    "deep nesting before a duplicate key": "a: " + "[" * 120 + "]" * 120 + "\na: 1\n",
    "tab after colon": "a:\tb\n",
    "tab in a block scalar": "a: |\n\tx\n",
    "tab indentation": "a:\n\tb: 1\n",
    "tab in quotes": 'a: "x\ty"\n',
    "BOM": "\ufeffa: 1\n",
    "BOM inside": "a: \ufeffb\n",
    "comments": "# top\na: 1 # eol\n# between\nb: [1, # in flow\n  2]\nc: # before a value\n  d\n",
    "yaml 1.1 directive": "%YAML 1.1\n---\na: yes\nb: 010\n",
    "yaml 1.2 directive": "%YAML 1.2\n---\na: 1\n",
    "tag directive": "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "document end": "---\na: 1\n...\n",
    "empty": "",
    "only a comment": "# only comment\n",
    "only a document start": "---\n",
    "tags": "a: !!str 1\nb: !!int '3'\nc: !custom x\nd: !!set {a, b}\ne: !!binary aGVsbG8=\nf: ! x\n",
    "tagged collection": "a: !!map {x: 1}\nb: !!seq [1]\n",
    "unclosed flow": "a: [1, 2\n",
    "mapping in a plain value": "a: b: c\n",
    "bad indentation": "a:\n  - 1\n  b: 2\n",
    "unterminated quote": "a: 'unterminated\n",
    "undefined alias": "a: *undefined\n",
    "reserved indicator": "key: @at\n",
    "backquote": "a: `x`\n",
    "recursive alias": "a: &x [*x]\n",
    "CRLF": "a: 1\r\nb: 2\r\n",
    "lone CR": "a: 1\rb: 2\n",
    "unicode line separator": "a: x\u2028y\nb: 1\n",
    "next line": "a: x\x85y\nb: 1\n",
    "control character": "a: \x07\n",
    "non-ASCII": "a: café\nb: [ü, 'ß']\n\u00e9t\u00e9: 1\n",
    "JSON flow": '{"a":1, "b":[true,null], "c": {"d": "e"}}\n',
    "adjacent flow colon": "[a:b, c: d]\n",
    "nested flow mapping key": "{a: b: c}\n",
    "special plain scalars": "a: <<\nb: =\nc: -\nd: 1:2\ne: 'x' # c\nf: -1\ng: '<<'\n",
    "value key": "=: x\n",
    "top-level scalar": "just a string\n",
    "top-level number": "42\n",
    "top-level list": "- 1\n- 2\n",
    "indentless sequence": "a:\n- 1\n- b: 2\n  c: 3\n- - nested\n",
    "empty sequence item": "a:\n- 1\n-\n- 2\n",
    "empty collections": "a: {}\nb: []\nc: [{}]\n",
    "long plain key": "k" * 1100 + ": 1\n",
}


def _reference(path: Path) -> Any:
    """The reading before lined_yaml: ruamel alone."""
    if not path.exists() and not path.is_symlink():
        return loader.parse_yaml(path)  # the not-found error, read by neither parser
    return loader.parse_with_ruamel(read_user_text(path), path)


def _shape(node: Any, seen: dict[int, int]) -> Any:
    """The tree as comparable data: each collection with its `.lc` table, each scalar by its plain type
    (ruamel's ScalarInt, ScalarFloat and ScalarString subclasses print and compare as int, float, str), and
    shared nodes (aliases) as a reference to their first appearance."""
    if isinstance(node, dict | list):
        if id(node) in seen:
            return ("alias", seen[id(node)])
        seen[id(node)] = len(seen)
        lc = node.lc  # type: ignore[union-attr]
        data = None if lc.data is None else {repr(k): list(v) for k, v in lc.data.items()}
        if isinstance(node, dict):
            items = [(_shape(k, seen), _shape(v, seen)) for k, v in node.items()]
            return ("map", lc.line, lc.col, data, items)
        return ("seq", lc.line, lc.col, data, [_shape(item, seen) for item in node])
    return _leaf(node)


def _leaf(node: Any) -> Any:
    for kind in (bool, int, str):
        if isinstance(node, kind):
            return (kind.__name__, kind(node))
    if isinstance(node, float):
        return ("float", "nan" if math.isnan(node) else repr(float(node)))
    if node is None:
        return ("null",)
    return ("other", type(node).__name__, repr(node))


def _outcome(read: Any, path: Path) -> Any:
    try:
        return ("tree", _shape(read(path), {}))
    except Exception as err:  # the reference's own failures (IndexError for `0b_`) must be the same too
        return ("error", type(err).__name__, str(err))


def _catalog_shape(node: Any) -> Any:
    """A Catalog as comparable data: its classes, fields and the plain types of its values, in order."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        fields = [(f.name, _catalog_shape(getattr(node, f.name))) for f in dataclasses.fields(node)]
        return (type(node).__name__, fields)
    if isinstance(node, dict):
        return ("dict", [(_catalog_shape(k), _catalog_shape(v)) for k, v in node.items()])
    if isinstance(node, list | tuple):
        return ("tuple" if isinstance(node, tuple) else "list", [_catalog_shape(item) for item in node])
    return _leaf(node)


def _load_outcome(path: Path) -> Any:
    try:
        catalog = loader.load_catalog(path)  # uncached: the tests run with ROSGIT_NO_CACHE=1
    except Exception as err:
        return ("error", type(err).__name__, str(err))
    return ("catalog", _catalog_shape(catalog), catalog)


def _declined(text: str, location: str) -> Any:
    raise lined_yaml.Unsupported("the reference reading")


def assert_same_load(path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    fast = _load_outcome(path)
    with monkeypatch.context() as patch:
        patch.setattr(lined_yaml, "parse", _declined)
        reference = _load_outcome(path)
    assert fast[:2] == reference[:2]
    if fast[0] == "catalog":
        assert fast[2] == reference[2]
    return fast


def _test_texts() -> Iterator[str]:
    """Every string constant in the tests that could be a YAML document (it has a line break and a colon)."""
    for source in sorted((REPO_ROOT / "tests").rglob("*.py")):
        nodes = ast.walk(ast.parse(source.read_text(encoding="utf-8")))
        strings = (
            node.value for node in nodes if isinstance(node, ast.Constant) and isinstance(node.value, str)
        )
        yield from (text for text in strings if "\n" in text and ":" in text)


def _test_catalog_edits() -> list[tuple[str, str]]:
    """Every literal `text.replace(old, new)` in the tests whose `old` is in the default catalog."""
    catalog = DEFAULT_CATALOG.read_text(encoding="utf-8")
    edits: dict[tuple[str, str], None] = {}
    for source in sorted((REPO_ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            args = node.args[:2]
            if (
                node.func.attr == "replace"
                and len(args) == 2
                and all(isinstance(a, ast.Constant) for a in args)
            ):
                old, new = (a.value for a in args)  # type: ignore[attr-defined]
                if isinstance(old, str) and isinstance(new, str) and old in catalog:
                    edits[(old, new)] = None
    return list(edits)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_files_are_read_by_libyaml_as_ruamel_reads_them(path: Path) -> None:
    text = read_user_text(path)
    # libyaml must not decline them: the speed is for these files
    assert _shape(lined_yaml.parse(text, location=str(path)), {}) == _shape(_reference(path), {})


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_yaml_reads_as_ruamel_reads_it(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rosgit.yaml"
    path.write_bytes(TRICKY[name].encode("utf-8"))
    assert _outcome(loader.parse_yaml, path) == _outcome(_reference, path)
    assert_same_load(path, monkeypatch)


ANSWERED_BY_LIBYAML = {
    "yaml 1.1 booleans are strings",
    "1.2 booleans",
    "integers",
    "floats",
    "quoted",
    "block scalars and chomping",
    "plain multi-line",
    "anchors and aliases",
    "anchored block collections",
    "non-string keys",
    "comments",
    "non-ASCII",
    "JSON flow",
    "indentless sequence",
    "deep flow nesting at the limit",
    "top-level list",
}


def test_the_corner_cases_are_answered_by_libyaml_not_by_the_fallback() -> None:
    """The comparison above holds for these texts because libyaml reads them as ruamel does, not because
    lined_yaml declined them; and what it declines (an error, a tag, a merge key) is declined."""
    answered = set()
    for name, text in TRICKY.items():
        try:
            lined_yaml.parse(text, location="x")
        except lined_yaml.Unsupported:
            continue
        except UsageError:  # the depth limit, raised as check_yaml_depth raises it
            pass
        answered.add(name)
    assert answered >= ANSWERED_BY_LIBYAML
    assert not answered & {
        "duplicate keys",
        "merge keys",
        "tags",
        "unclosed flow",
        "tab after colon",
        "nulls",
    }


def test_yaml_texts_of_the_tests_read_as_ruamel_reads_them(tmp_path: Path) -> None:
    texts = sorted(set(_test_texts()))
    assert len(texts) > 50
    for index, text in enumerate(texts):
        path = tmp_path / f"{index}.yaml"
        path.write_text(text, encoding="utf-8")
        assert _outcome(loader.parse_yaml, path) == _outcome(_reference, path), text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(DEFAULT_CATALOG.read_text(encoding="utf-8"), id="default"),
        pytest.param((REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8"), id="rosgit.yaml"),
        pytest.param(site_catalog_text(), id="site-knobs"),
    ],
)
def test_catalogs_load_as_with_ruamel(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rosgit.yaml"
    path.write_text(text, encoding="utf-8")
    assert assert_same_load(path, monkeypatch)[0] == "catalog"


def test_catalog_edits_of_the_tests_load_as_with_ruamel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog each test edit makes, whether it loads or is refused: the same Catalog or the same line."""
    catalog = DEFAULT_CATALOG.read_text(encoding="utf-8")
    edits = _test_catalog_edits()
    assert len(edits) > 20
    outcomes = set()
    for index, (old, new) in enumerate(edits):
        path = tmp_path / f"{index}.yaml"
        path.write_text(catalog.replace(old, new), encoding="utf-8")
        outcomes.add(assert_same_load(path, monkeypatch)[0])
    assert outcomes == {"catalog", "error"}


CATALOG_EDITS = {
    "duplicate component key": ("  - name: koku-api-reads\n", "  - name: koku-api-reads\n    name: again\n"),
    "yes for a boolean": ("scalable: true", "scalable: yes"),
    "hex user id": ("runAsUser: 1000\n", "runAsUser: 0x3e8\n"),
    "underscored number": ("runAsUser: 1000\n", "runAsUser: 1_000\n"),
    "leading zero": ("runAsUser: 1000\n", "runAsUser: 01000\n"),
    "octal user id": ("runAsUser: 1000\n", "runAsUser: 0o1750\n"),
    "float user id": ("runAsUser: 1000\n", "runAsUser: 1000.0\n"),
    "string user id": ("runAsUser: 1000\n", "runAsUser: '1000'\n"),
    "octal quantity": ("cpu: 100m", "cpu: 0o17"),
    "float quantity": ("cpu: 100m", "cpu: 1.5e3"),
    "tab": ("components:\n", "components:\t\n"),
    "block scalar name": ("  - name: koku-api-reads\n", "  - name: |\n      koku-api-reads\n"),
    "anchored scalar": ("  - name: koku-api-reads\n", "  - name: &n koku-api-reads\n"),
    "null value": ("scalable: true", "scalable:"),
}


@pytest.mark.parametrize("name", sorted(CATALOG_EDITS))
def test_crafted_catalog_edits_load_as_with_ruamel(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = CATALOG_EDITS[name]
    text = DEFAULT_CATALOG.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "rosgit.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert_same_load(path, monkeypatch)


def test_loading_a_catalog_does_not_import_ruamel(tmp_path: Path) -> None:
    """ruamel's import is a tenth of a second of the pre-commit path: only a declined text pays it."""
    code = (
        "import sys; from pathlib import Path; from rosgit.catalog.loader import load_catalog; "
        f"load_catalog(Path({str(DEFAULT_CATALOG)!r})); print('ruamel.yaml' in sys.modules)"
    )
    env = {"PYTHONPATH": str(REPO_ROOT), "ROSGIT_NO_CACHE": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "False"


def test_lined_collections_answer_like_ruamels() -> None:
    """An empty collection has no table (ruamel answers `key()` with None); a filled one answers by key."""
    tree = lined_yaml.parse("a: {}\nb: [x]\n", location="x")
    assert tree["a"].lc.key("missing") is None
    assert tree.lc.key("b") == (1, 0) and tree.lc.value("b") == (1, 3)
    assert tree["b"].lc.item(0) == (1, 4)
    with pytest.raises(KeyError):
        tree.lc.key("missing")


@pytest.mark.slow
def test_every_tracked_yaml_file_reads_as_ruamel_reads_it() -> None:
    """Manifests, Argo CD applications, chart files, workflows: a corpus of real YAML (half a minute)."""
    listed = subprocess.run(
        ["git", "ls-files", "*.yaml", "*.yml"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(listed) > 100
    for name in listed:
        path = REPO_ROOT / name
        assert _outcome(loader.parse_yaml, path) == _outcome(_reference, path), name
