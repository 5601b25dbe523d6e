"""`load_objects` builds plain streams without PyYAML's constructor (rosgit.k8s.objects.plain_documents): the
documents must be PyYAML's, type for type, or the stream must go PyYAML's way."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.build import build_overlay
from rosgit.k8s.objects import load_objects, plain_documents
from tests.conftest import REPO_ROOT


def typed(value: Any) -> Any:
    """A value with the type of every scalar and key spelled out: True == 1 and 1 == 1.0 must not pass."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def pyyaml(text: str) -> Any:
    try:
        return ("docs", typed(list(yaml.load_all(text, Loader=yaml.CSafeLoader))))
    except yaml.YAMLError as err:
        return ("error", type(err).__name__)


def agrees(text: str) -> bool:
    """plain_documents gives PyYAML's documents, or declines (None) and leaves the text to PyYAML."""
    plain = plain_documents(text)
    return plain is None or ("docs", typed(plain)) == pyyaml(text)


CORNERS = [
    "a: 1\nb: 1.0\nc: true\nd: ~\ne: null\nf: ''\ng: '1'\n",
    "yes: no\non: off\nY: n\n",  # YAML 1.1 booleans, as PyYAML reads them
    "octal: 010\nhex: 0x1F\nbin: 0b101\nsexagesimal: 1:30\nunderscore: 1_000\nfloat: 1e3\nneg: -.inf\nnan: .nan\n",
    "when: 2001-12-14\nstamp: 2001-12-14t21:59:43.10-05:00\n",
    "data: !!binary aGVsbG8=\n",
    "base: &b {x: 1}\nuse: *b\n",
    "list: &l [1, 2]\nagain: *l\n",
    "scalar: &s text\nagain: *s\n",
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
    "=: value\n",
    "? [a, b]\n: unhashable\n",
    "set: !!set {a, b}\n",
    "omap: !!omap [{a: 1}, {b: 2}]\n",
    "dup: 1\ndup: 2\n",
    "---\n---\na: 1\n---\n- not a mapping\n---\n",
    "text: |\n  line\n  more\nfolded: >-\n  folded\n  text\nquoted: \"tab\\there\"\n",
    "a: [1, {b: [2, {c: 3}]}]\n",
    "1: int key\n2.5: float key\ntrue: bool key\n~: null key\n",
    "custom: !thing value\n",
    "a: b: c\n",  # a syntax error
    "script: cmd && other *\n",
]


@pytest.mark.parametrize("text", CORNERS)
def test_corner_cases_agree_with_pyyaml(text: str) -> None:
    assert agrees(text)


def test_the_plain_path_takes_the_common_cases_itself() -> None:
    for text in (CORNERS[0], CORNERS[1], CORNERS[2], CORNERS[7], CORNERS[13], CORNERS[15], CORNERS[17]):
        assert plain_documents(text) is not None, text
    for declined in (CORNERS[3], CORNERS[4], CORNERS[5], CORNERS[6], CORNERS[8], CORNERS[9], CORNERS[10]):
        assert plain_documents(declined) is None, declined


def test_every_overlay_build_and_tracked_yaml_file_agrees() -> None:
    texts = [build_overlay(REPO_ROOT / "overlays" / path.name) for path in sorted((REPO_ROOT / "overlays").iterdir())]
    files = subprocess.run(["git", "-C", str(REPO_ROOT), "ls-files", "*.yaml", "*.yml"], capture_output=True,
                           text=True, check=True).stdout.split()
    for name in files:
        path = REPO_ROOT / name
        if path.is_file() and "/templates/" not in name:  # chart templates are Go templates, not YAML
            texts.append(path.read_text(encoding="utf-8"))
    assert len(texts) > 300
    taken = 0
    for text in texts:
        assert agrees(text)
        taken += plain_documents(text) is not None
    assert taken > 0.9 * len(texts)


def test_load_objects_keeps_pyyaml_sharing_and_errors(tmp_path: Path) -> None:
    shared = load_objects("base: &b {x: 1}\nuse: *b\n")
    assert shared[0]["base"] is shared[0]["use"]  # PyYAML's way: an alias is the same object
    with pytest.raises(yaml.YAMLError):
        load_objects("? [a, b]\n: unhashable\n")
    assert tmp_path.is_dir()
