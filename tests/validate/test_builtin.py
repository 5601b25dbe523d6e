"""The builtin validator's wording follows kubeconform's for the common failures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rosgit.validate.builtin import json_type, pointer, quote, validate_object


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "size"],
        "properties": {
            "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
            "size": {"type": ["integer", "null"], "minimum": 1},
            "mode": {"enum": ["on", "off"]},
            "port": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "tags": {"type": "array", "maxItems": 1},
        },
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("obj", "errors"),
    [
        ({"name": "a", "size": 1}, []),
        ({"name": "a"}, [("", "missing property 'size'")]),
        ({}, [("", "missing properties 'name', 'size'")]),
        (
            {"name": "a", "size": 1, "colour": 1, "shape": 2},
            [("", "additional properties 'colour', 'shape' not allowed")],
        ),
        ({"name": "a", "size": "1"}, [("/size", "got string, want null or integer")]),
        ({"name": "a", "size": 0}, [("/size", "minimum: got 0, want 1")]),
        ({"name": "a", "size": 1, "mode": "auto"}, [("/mode", "value must be one of 'on', 'off'")]),
        ({"name": "a", "size": 1, "port": 1.5}, [("/port", "oneOf failed, none matched")]),
        ({"name": "a", "size": 1, "labels": {"x/y": 1}}, [("/labels/x~1y", "got number, want string")]),
        ({"name": "A1", "size": 1}, [("/name", "'A1' does not match pattern '^[a-z]+$'")]),
        ({"name": "abcdef", "size": 1}, [("/name", "maxLength: got 6, want 5")]),
        ({"name": "a", "size": 1, "tags": [1, 2]}, [("/tags", "maxItems: got 2, want 1")]),
    ],
)
def test_messages(schema_file: Path, obj: dict[str, Any], errors: list[tuple[str, str]]) -> None:
    assert [(e.path, e.message) for e in validate_object(obj, schema_file)] == errors


def test_helpers() -> None:
    assert pointer(["a", 0, "b/c", "d~e"]) == "/a/0/b~1c/d~0e"
    assert [json_type(v) for v in (None, True, 1, 1.5, "s", [], {})] == [
        "null", "boolean", "number", "number", "string", "array", "object",
    ]
    assert quote("it's \"x\"\n") == "'it\\'s \"x\"\\n'"
