"""kustomize's ConfigMap/Secret name hash: golden values from kustomize's hasher tests, plus the real tool."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from rosgit.errors import UsageError
from rosgit.kustomize.gojson import go_json
from rosgit.kustomize.hashing import name_suffix_hash
from rosgit.kustomize.yamlio import load_resource_documents
from tests.conftest import require_real_tool


def test_golden_hashes_from_kustomize() -> None:
    assert name_suffix_hash({"apiVersion": "v1", "kind": "ConfigMap"}) == "6ct58987ht"
    assert name_suffix_hash({"kind": "ConfigMap", "data": {"one": ""}}) == "9g67k2htb6"
    assert name_suffix_hash({"kind": "Secret", "type": "my-type"}) == "5gmgkf8578"


def test_hash_ignores_name_labels_and_annotations() -> None:
    base = {"kind": "ConfigMap", "data": {"a": "b"}}
    decorated = {**base, "metadata": {"name": "x", "labels": {"l": "v"}, "annotations": {"a": "v"}}, "immutable": True}
    assert name_suffix_hash(base) == name_suffix_hash(decorated)


def test_binary_data_counts_only_when_a_map() -> None:
    plain = {"kind": "ConfigMap", "data": {"a": "b"}}
    assert name_suffix_hash({**plain, "binaryData": None}) == name_suffix_hash(plain)
    assert name_suffix_hash({**plain, "binaryData": {"x": "AA=="}}) != name_suffix_hash(plain)


def test_go_json_escaping() -> None:
    assert go_json({"b": "<a&b>", "a": "\u2028\u2029\x01\b\f\n\t\"\\"}) == (
        '{"a":"\\u2028\\u2029\\u0001\\b\\f\\n\\t\\"\\\\","b":"\\u003ca\\u0026b\\u003e"}'
    )
    assert go_json([1, 0.5, 1e-7, 1e21, True, None, "é😀"]) == '[1,0.5,1e-7,1e+21,true,null,"é😀"]'


def test_other_kinds_are_refused() -> None:
    with pytest.raises(UsageError):
        name_suffix_hash({"kind": "Deployment"})


SPECIAL_FILES = {
    "html": "a<b>&c\n",
    "separators": "line\u2028sep\u2029para\n",
    "unicode": "é 日本 😀\n",
    "controls": "ctrl \x01\x02\x08\x0c\x1f tab\t cr\r\n",
    "quotes": "\"double\" 'single' back\\slash",
    "empty": "",
}

KUSTOMIZATION = """configMapGenerator:
- name: files
  files: [html, separators, unicode, controls, quotes, empty]
- name: literals
  literals: ["k=v<>&", "n=1", "e=", "q='quoted'", "u=é"]
  options:
    labels: {x: y1}
- name: binary
  files: [binary.dat]
- name: envs
  envs: [vars.env]
secretGenerator:
- name: secret
  files: [html, unicode, controls]
- name: tls
  type: kubernetes.io/tls
  literals: [tls.crt=x, tls.key=y]
- name: nothing
generatorOptions:
  annotations: {note: ignored-by-hash}
"""


@pytest.mark.tools
def test_generated_names_match_real_kustomize() -> None:
    kustomize = require_real_tool("kustomize")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in SPECIAL_FILES.items():
            (root / name).write_text(text, encoding="utf-8", newline="")
        (root / "binary.dat").write_bytes(bytes(range(256)))
        (root / "vars.env").write_text("A=1\nB=\"quoted\"\n# comment\nC=<&>\n", encoding="utf-8")
        (root / "kustomization.yaml").write_text(KUSTOMIZATION, encoding="utf-8")
        real = subprocess.run([str(kustomize), "build", str(root)], capture_output=True, text=True, check=False)
    assert real.returncode == 0, real.stderr
    objects = load_resource_documents(real.stdout, "kustomize output")
    assert len(objects) == 7
    for obj in objects:
        name = obj["metadata"]["name"]
        assert name.endswith("-" + name_suffix_hash(obj)), name
