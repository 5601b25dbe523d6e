"""The YAML layer: parsing like kyaml, printing like `kustomize build` (go-yaml v2).

Differential tests write small inputs, run the real pinned kustomize, and compare its output with
`dump_documents(legacy_sort(load_resource_documents(...)))`. Pure helpers get direct unit tests.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from rosgit.errors import UsageError
from rosgit.kustomize.gojson import format_go_float
from rosgit.kustomize.ordering import legacy_sort
from rosgit.kustomize.yamlio import (
    dump_documents,
    kyaml_plain_is_string,
    load_kustomization,
    load_resource_documents,
    load_yaml11_value,
    load_yaml_documents,
    natural_key_sort,
)
from tests.conftest import require_real_tool

KUSTOMIZATION = "resources:\n- resources.yaml\n"


def real_build(files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Runs the real kustomize on a temporary directory holding `files`."""
    kustomize = require_real_tool("kustomize")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        return subprocess.run([str(kustomize), "build", str(root)], capture_output=True, text=True, check=False)


def ours(resource_text: str) -> str:
    return dump_documents(legacy_sort(load_resource_documents(resource_text, "resources.yaml")))


def assert_same_as_real(resource_text: str) -> None:
    real = real_build({"kustomization.yaml": KUSTOMIZATION, "resources.yaml": resource_text})
    if real.returncode != 0:
        with pytest.raises(UsageError) as caught:
            ours(resource_text)
        assert "\n" not in str(caught.value)
        return
    assert ours(resource_text) == real.stdout


HEAD = "apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\n"

PARSE_CASES = {
    "yaml12-scalars": HEAD + "x:\n  a: yes\n  b: on\n  c: 0755\n  d: 012\n  e: 0x1F\n  f: 1.0\n  g: .5\n"
    "  h: 2024-01-01\n  i: 08\n  j: 1_000\n  k: 1e3\n  l: 0o17\n  m: ~\n  n: 12345678901234567890\n"
    "  o: 123456789012345678901234\n  p: 1e-7\n  q: 1:20\n  r: -0\n  s: +5\n  t: 0b101\n  u: 1.\n"
    "  v: 2024-01-01T10:20:30.500+02:00\n  w: 2024-1-2 3:04:05\n  x: True\n  y: NULL\n  z: n\n",
    "annotations-keep-source-text": HEAD[:-1] + "\n  annotations:\n    a: 0755\n    b: yes\n    c: 1.0\n"
    "    d: true\n    e: ~\n    f:\n    g: null\n    h: [1]\n    i: {j: k}\n    k: 'q'\n  labels:\n    a: 0755\n",
    "empty-annotations-dropped": HEAD[:-1] + "\n  annotations: {}\n  labels: {}\n",
    "template-annotations-normalised": HEAD + "spec:\n  template:\n    metadata:\n      annotations:\n"
    "        a: 0755\n",
    "multi-doc-and-empty-docs": "---\n" + HEAD + "---\n---\n# only a comment\n---\n~\n---\n"
    + HEAD.replace("name: t", "name: u"),
    "list-kind-expanded": "apiVersion: v1\nkind: List\nitems:\n- " + HEAD.replace("\n", "\n  ").rstrip()
    + "\n- apiVersion: v1\n  kind: ConfigMapList\n  items:\n  - apiVersion: v1\n    kind: ConfigMap\n"
    "    metadata:\n      name: c\n      annotations: {a: 0755}\n---\napiVersion: v1\nkind: FooList\n"
    "metadata:\n  name: no-items\n---\napiVersion: v1\nkind: List\nitems: 5\n",
    "single-document-list-keeps-annotation-text": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n"
    "  kind: ConfigMap\n  metadata:\n    name: a\n    annotations: {a: 0755, b: 1.5e-7, c: ~}\n",
    "multi-document-list-normalises-annotations": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n"
    "  kind: ConfigMap\n  metadata:\n    name: a\n    annotations: {a: 0755, b: 1.5e-7, c: ~, d: 1234567.5,"
    " e: [1], f: 1e21, g: yes, h: 2024-01-01}\n---\n" + HEAD,
    "nested-list-normalises-annotations": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n"
    "  items:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n      annotations: {a: 0755}\n",
    "single-document-list-with-scalar-items": "apiVersion: v1\nkind: List\nitems: 5\n",
    "anchors-and-merge-keys": HEAD + "base: &b\n  a: 1\n  b: 2\nother: &o\n  b: 3\n  c: 4\n"
    "x:\n  <<: *b\n  a: 9\nw:\n  <<: [*o, *b]\n  z: 1\ny:\n  '<<': {q: 1}\n  z: 1\nl: &l [1, 2]\nm: *l\n",
    # (kept to keys whose go-yaml v2 order is transitive: kustomize's own order is random otherwise)
    "root-level-typed-keys": HEAD + "1e3: a\n0x10: b\ntrue: c\n.5: d\n2024-01-01: e\n",
    "json-input": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}, '
    '"data": {"a": "1", "b": "x\\ny", "c": "\\u00e9\\u263a", "d": "<&>"}, "n": 1.5e300, "m": -0.0}',
    "explicit-tags": HEAD + "x:\n  a: !!str 0755\n  b: !!int 12\n  c: !!float 1\n  d: !custom z\n",
    "block-scalars-in": HEAD + "x:\n  a: |\n    one\n    two\n  b: >\n    folded\n    text\n\n    para\n"
    "  c: |+\n    keep\n\n  d: |-\n    strip\n  e: >-\n    x\n",
    "folded-more-indented": HEAD + "x:\n  a: >\n    one\n      more\n    two\n\n    three\n  b: >+\n    a\n     b\n\n"
    "  c: >\n    a\n     \n    b\n  d: >-\n    a\n    \tb\n    c\n  e: !!str >\n    p\n      q\n",
    "flow-empty-values": HEAD + "x: {a: , b: ~, c}\nz: {? d}\nw: [a: ]\nv: [e]\n",
    "explicit-standard-tags": HEAD + "x: !!binary aGVsbG8=\ny: !!binary /w==\nz: !!timestamp 2024-01-01\n"
    "w: !!float 1\nv: !!set {a, b}\nu: !!omap [a: 1]\n",
    "bom-and-crlf": "\ufeff" + (HEAD + "x: |\n  a\n  b\ny: c\n").replace("\n", "\r\n"),
    "escapes": HEAD + 'x: "\\x41\\u00e9\\U0001F600\\t\\0\\a\\e\\N\\_\\L\\P \\\n  next"\n',
    "slash-escape-fails": HEAD + 'x: "a\\/b"\n',
    "directive-fails": "%YAML 1.1\n---\n" + HEAD,
    "int-tag-on-float-fails": HEAD + "x: !!int 1.5\n",
    "bool-tag-on-yes-fails": HEAD + "x: !!bool yes\n",
    "timestamps": HEAD + "x:\n" + "".join(f"  k{i:02d}: {v}\n" for i, v in enumerate([
        "2024-02-30", "2024-02-29", "2023-02-29", "2024-1-2", "2024-01-01T25:00:00Z", "2024-01-01t10:00:00Z",
        "2024-01-01T10:00:00z", "2024-01-01 10:00:00", "2024-01-01T10:00:00", "2024-01-01T10:00:00.1234567891Z",
        "2024-01-01T10:00:00.000Z", "2024-01-01T1:2:3Z", "2024-01-01T10:00:00+00:00", "2024-01-01T10:00:00-00:00",
        "2024-01-01T10:00:00+05:30", "2024-01-01T10:00:00+5:30", "2024-01-01 10:00:00Z", "2024-01-01  10:00:00",
        "0000-01-01", "9999-12-31", "2024-13-01", "2024-01-01T10:00:60Z", "2024-01-01T10:00:00.5+02:00",
        "12024-01-01", "2024-01-01T10:00Z", "2024-01-01T24:00:00Z"])),
    "number-edge-cases": HEAD + "x:\n" + "".join(f"  k{i:02d}: {v}\n" for i, v in enumerate([
        "0X1F", "-0x1F", "+0b101", "0_7", "1__0", "_1", "1_", "0x_1F", "0b", "0o", "1e", "1e+", ".", "-.5", "+.5",
        "1.5e3", "1E3", "0.0", "-0.0", "00", "007", "08.5", "0x1p3", "inf", "-inf", "Infinity", "1e309", "-1e309",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616", "+18446744073709551615", "+9223372036854775808", "0o8",
        "0b2", "1_000.5", "._5", ".5_5", "1.5_5", "0x1F_FF", "-0b11", "-0o17", "+0o17", "1e-400", "4.9e-324",
        "2.5e-324", "1.7976931348623157e308", "0777777777777777777777777", "0xFFFFFFFFFFFFFFFF",
        "0x10000000000000000", "-0x8000000000000000", "-0x8000000000000001", ".E3", "..5", "0.", "-.", "+", "1:2",
        "1.0.0", "1,000", "$1", "1h"])),
    "timestamp-zone-out-of-range-fails": HEAD + "x: 2024-01-01T10:00:00+23:60\n",
    "separator-variants": HEAD + "--- # comment\n" + HEAD.replace("name: t", "name: u") + "---\t\n"
    + HEAD.replace("name: t", "name: v") + "...\n" + HEAD.replace("name: t", "ignored-after-end-marker"),
    "literal-before-separator": HEAD + "x: |\n  clip\ny: |+\n  keep\n\n---\n" + HEAD.replace("name: t", "name: u")
    + "x: |\n  last\n",
    "crlf-separators": (HEAD + "---\n" + HEAD.replace("name: t", "name: u")).replace("\n", "\r\n"),
    "inline-separator-content-fails": HEAD + "--- {a: 1}\n",
    "dashes-line-fails": HEAD + "---abc\n" + HEAD.replace("name: t", "name: u"),
    "annotations-as-even-list": HEAD[:-1] + "\n  annotations: [a, b, c, 0755]\n",
    "annotation-key-reading-as-number-fails": HEAD[:-1] + "\n  annotations:\n    \"0755\": x\n",
    "annotation-key-reading-as-bool-fails": HEAD[:-1] + "\n  annotations:\n    \"true\": x\n",
    "annotation-keys-needing-quotes": HEAD[:-1] + "\n  annotations:\n    \"a: b\": c\n    \"#x\": y\n    yes: z\n",
    "key-at-json-simple-key-limit": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "k"}, '
    '"data": {"' + "k" * 1022 + '": "v", "' + "<" * 169 + '": "w"}}\n',
    "key-over-json-simple-key-limit-fails": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "k"}, '
    '"data": {"' + "<" * 170 + 'kkk": "v"}}\n',
    "nested-non-string-key-fails": HEAD + "x:\n  9: a\n",
    "nested-bool-key-fails": HEAD + "x:\n  true: a\n",
    "null-key-fails": HEAD + "x:\n  ~: a\n",
    "nan-fails": HEAD + "x: .nan\n",
    "duplicate-key-fails": HEAD + "x: 1\nx: 2\n",
    "duplicate-merge-fails": HEAD + "b: &b {a: 1}\nx:\n  <<: *b\n  <<: *b\n",
    "merge-scalar-fails": HEAD + "x:\n  <<: 1\n",
    "sequence-document-fails": "- a\n- b\n",
    "scalar-document-fails": "hello\n",
    "missing-kind-fails": "metadata:\n  name: a\n",
    "missing-name-fails": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: x\n",
    "invalid-yaml-fails": HEAD + "x: [\n",
    "control-character-fails": HEAD + 'x: "\\x7f"\n',
}


@pytest.mark.tools
@pytest.mark.parametrize("name", sorted(PARSE_CASES))
def test_parse_matches_real_kustomize(name: str) -> None:
    assert_same_as_real(PARSE_CASES[name])


FORMAT_VALUES = [
    "", " ", "yes", "NO", "On", "y", "N", "~", "null", "true", "0755", "0x1F", "1.0", "1e3", ".5", "+1", "-0",
    "1:20", "1_000", "2024-01-01", "2024-01-01T10:00:00Z", "<<", "-", "- a", "a: b", "a:b", "#x", "a #b", "a#b",
    "@x", "%y", "`z", "*", "&a", "!t", "|", ">", "'", '"', "it's", 'say "hi"', "\\", "tab\there", "x ", " x",
    "---", "...", "--- a", "---abc", "...x", "--x",
    "? x", "?x", ":x", ",", "[a]", "{a}", "é", "日本語", "😀", "\u00a0", "\u2028", "\ufeff",
    "\x07", "\x1b", "\r", "a\rb", "a  b", "\n", "a\n", "a\nb", "a\nb\n", "a\n\n", "\na", " a\nb", "a \nb",
    "a\n b", "a\tb\nc", "a\n\nb", "é\n", "x" * 150, ("word " * 40).strip(), ("w\u00e9rd " * 30).strip(),
    "a " + "b" * 100 + " c", ("'q' " * 30).strip(), ("\"q\" " * 30).strip(), ("t\tx " * 30).strip(),
    "  lead " * 20, ("x" * 79) + " y", ("x" * 80) + " y", ("x" * 81) + " y z",
    "\ufeff0", "\ufeffa b\tc é日😀\u00a0\n", "x\ufeff0", "\ufeff" + "word " * 30,
]
FORMAT_NUMBERS: list[object] = [
    0, -1, 493, 2**63 - 1, 2**63, 2**64 - 1, -(2**63), 0.5, -0.25, 1e-7, 0.0001, 1234567.5, 1e21, 1e22,
    3.14159, 123456.789, 1e300, 5e-324, True, False, None,
]  # fmt: skip


@pytest.mark.tools
def test_scalar_formatting_matches_real_kustomize() -> None:
    import json

    docs = []
    for index, value in enumerate([*FORMAT_VALUES, *FORMAT_NUMBERS]):
        doc: dict[str, object] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"v{index:03d}"},
               "v": value, "l": [value, [value], {"k": value}], "m": {"k": value, "n": {"deep": value}}}
        if isinstance(value, str) and value and "\x00" not in value:
            doc["keyed"] = {value: 1, "x" + value: [value]}
        docs.append(json.dumps(doc, ensure_ascii=False))
    assert_same_as_real("\n---\n".join(docs) + "\n")


def test_natural_key_sort_matches_go_yaml_examples() -> None:
    assert natural_key_sort(["a", "_a", "Z", "~x", "A"]) == ["_a", "~x", "A", "Z", "a"]
    assert natural_key_sort(["b10", "b002", "b2", "b02", "b1"]) == ["b1", "b2", "b02", "b002", "b10"]
    assert natural_key_sort(["ab", "a.b", "a-b", "a"]) == ["a", "a-b", "a.b", "ab"]
    assert natural_key_sort(["é", "z", "Z"]) == ["Z", "z", "é"]


def test_go_float_formatting() -> None:
    assert format_go_float(0.5) == "0.5"
    assert format_go_float(1e-7) == "1e-07"
    assert format_go_float(1234567.5) == "1.2345675e+06"
    assert format_go_float(1e21) == "1e+21"
    assert format_go_float(0.0001) == "0.0001"
    assert format_go_float(0.00001) == "1e-05"
    assert format_go_float(123456.789) == "123456.789"
    assert format_go_float(1e20, "f") == "100000000000000000000"


def test_loaded_values_are_json_normalised() -> None:
    (doc,) = load_resource_documents(HEAD + "x: [0755, 1.0, .5, yes, 2024-01-01, 0x1F]\n", "r.yaml")
    assert doc["x"] == [493, 1, 0.5, "yes", "2024-01-01T00:00:00Z", 31]


def test_errors_are_one_line_and_name_the_file() -> None:
    for text in ("- a\n", HEAD + "x: [\n", HEAD + "x: 1\nx: 2\n", "a: &a [*a]\n"):
        with pytest.raises(UsageError) as caught:
            load_resource_documents(text, "some/file.yaml")
        assert "\n" not in str(caught.value)
        assert str(caught.value).startswith("some/file.yaml: ")


def test_alias_bomb_fails_fast() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ", ".join(f"*{previous}" for _ in range(10)) + "]")
    bomb = HEAD + "\n".join(lines) + "\n"
    with pytest.raises(UsageError, match="aliasing"):
        load_resource_documents(bomb, "bomb.yaml")


def test_aliased_subtrees_are_independent_copies() -> None:
    (doc,) = load_resource_documents(HEAD + "a: &x {k: [1]}\nb: *x\n", "r.yaml")
    doc["a"]["k"].append(2)
    assert doc["b"] == {"k": [1]}


def test_load_yaml_documents_keeps_non_mappings() -> None:
    docs = load_yaml_documents("- op: add\n  path: /x\n  value: 0755\n---\n---\nfoo\n", "patch.yaml")
    assert docs == [[{"op": "add", "path": "/x", "value": 493}], "foo"]


def test_kustomization_uses_yaml11_scalars_and_first_document() -> None:
    text = "namePrefix: a-\nnamePrefix: b-\nflag: yes\nmode: 0755\nwhen: 2024-01-01\nlabels: {9: x, on: y}\n---\nx: 1\n"
    assert load_kustomization(text, "kustomization.yaml") == {
        "namePrefix": "b-",
        "flag": True,
        "mode": 493,
        "when": "2024-01-01",
        "labels": {"9": "x", "true": True},
    }
    assert load_kustomization("", "kustomization.yaml") == {}
    with pytest.raises(UsageError):
        load_kustomization("- a\n", "kustomization.yaml")


def test_dump_shapes() -> None:
    obj = {"b": [], "a": {}, "c": [{"x": 1, "y": [1, [2, 3]]}, [4]], "d": {"e": "f\ng\n"}}
    assert dump_documents([obj, {"z": None}]) == (
        "a: {}\nb: []\nc:\n- x: 1\n  \"y\":\n  - 1\n  - - 2\n    - 3\n- - 4\nd:\n  e: |\n    f\n    g\n---\nz: null\n"
    )


def test_load_yaml11_value_any_shape() -> None:
    assert load_yaml11_value("- op: add\n  path: /a\n  value: yes\n", "p.yaml") == [
        {"op": "add", "path": "/a", "value": True}
    ]
    assert load_yaml11_value("", "p.yaml") is None
    assert load_yaml11_value("text\n", "p.yaml") == "text"


def test_kyaml_plain_is_string() -> None:
    assert [kyaml_plain_is_string(t) for t in ("9", "true", "~", "", "2024-01-01", ".nan")] == [False] * 6
    assert all(kyaml_plain_is_string(t) for t in ("yes", "on", "abc", "1:20", "a b"))
