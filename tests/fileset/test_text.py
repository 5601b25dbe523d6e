"""The block emitter behind `to_yaml` writes PyYAML's bytes, including the corners the generated tree only
sometimes reaches: shared containers (anchors), multi-line and quoted scalars, odd keys, tuples."""

from __future__ import annotations

import datetime
import json
import random
from typing import Any

import pytest

from rosgit.fileset import text

SHARED_LIST = [1, {"a": "b"}]
SHARED_MAP = {"x": 1, "y": [2]}
SHARED_EMPTY: list[Any] = []

CASES: list[Any] = [
    {"a": SHARED_LIST, "b": SHARED_LIST, "c": {"d": SHARED_LIST, "e": [SHARED_MAP, SHARED_MAP]}},
    [SHARED_MAP, SHARED_MAP, [SHARED_MAP], {"m": SHARED_MAP}],
    [SHARED_LIST, [SHARED_LIST, SHARED_LIST]],
    [[1, [2, [3, {}]]], [[], ()], {"t": (1, (2, 3)), "e": (), "f": {}, "g": []}],
    {"a": SHARED_EMPTY, "b": SHARED_EMPTY},
    {"script": "set -e\nexec run \\\n  --flag\n", "trailing": "x\n\n", "lead": " x\ny", "space": "a\nb "},
    {"tab": "a\tb\nc", "cr": "a\r\nb", "nested": {"deep": {"text": "l1\n\nl2\n"}}, "items": ["l1\nl2", "x"]},
    {"": 1, "null": None, 7: True, 1.5: -0.0, None: "yes", "on": "0x1", "1e3": "é ü \u2028 \x85 x"},
    {"k" * 200: 1, "quote'd": "it's", "colon: key": "- dash", "#": "# hash", "&a": "*b", "{": "[", "%": "@"},
    {"big": 10**30, "inf": float("inf"), "nan": float("nan"), "neg": -3, "bools": [True, False]},
    {"long": "word " * 30000},
    {"date": datetime.date(2024, 1, 1), "set": {1, 2}, ("tuple", "key"): 1},
    [None, "", " ", "~", "2024-01-01", "1_000", "0o17", "+1", ".5", "yes", "No", "=", "<<"],
]


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_to_yaml_writes_pyyaml_bytes(data: Any) -> None:
    assert text.to_yaml(data) == text.reference_yaml(data)


def test_ordinary_objects_are_written_without_pyyaml_walking_them() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"a": "b"}}}
    obj["data"] = {"script": "#!/bin/sh\necho hi\n", "list": [{"k": SHARED_LIST}, {"k": SHARED_LIST}]}
    assert text.emit_block_yaml(obj) == text.reference_yaml(obj)


def test_what_the_emitter_leaves_to_pyyaml_still_fails_as_pyyaml_does() -> None:
    with pytest.raises(text.yaml.representer.RepresenterError):
        text.to_yaml({"a": [object()]})


JSON_CASES: list[Any] = [
    {},
    [],
    {"a": [], "b": {}, "c": [1, 2.5, float("inf"), -0.0, True, False, None, 10**40]},
    {"text": 'é \u2028 😀 " \\ \n \t \x00', "nested": [[[]], [{}], {"t": (1, (2,))}], "$ref": "#/x"},
    {1: "int key", None: "null key"},
    ["plain", 5, None],
    "scalar",
]


@pytest.mark.parametrize("data", JSON_CASES, ids=range(len(JSON_CASES)))
def test_indented_json_writes_json_dumps_bytes(data: Any) -> None:
    assert text.indented_json(data) == json.dumps(data, indent=2)


def test_indented_json_fails_as_json_does() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        text.indented_json({"a": [object()]})


def test_the_header_is_looked_for_in_the_first_two_lines_however_long_they_are() -> None:
    """is_generated splits only the start of a long text; the answer is the whole text's first two lines'."""
    mark = text.HEADER_MARK
    chance = random.Random(5)
    separators = ["\n", "\r\n", "\r", "\x0b", "\u2028", ""]
    for _ in range(3000):
        pieces = [
            chance.choice(["x" * chance.choice([0, 1, 10, 4090, 4100]), mark, "# " + mark])
            + chance.choice(separators)
            for _ in range(chance.randint(0, 4))
        ]
        written = "".join(pieces)
        expected = any(mark in line for line in written.splitlines()[:2])
        assert text.is_generated(written) == expected, repr(written[:80])
