"""API-server-like pruning of nulls and defaulting before CRD validation."""

from __future__ import annotations

from typing import Any

from rosgit.validate.defaults import apply_defaults

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "policy": {"type": "string", "default": "None"},
                "opt": {"type": "string", "nullable": True},
                "items": {"type": "array", "items": {"type": "object", "properties": {"w": {"default": 1}}}},
                "map": {"type": "object", "additionalProperties": {"type": "object",
                                                                    "properties": {"on": {"default": True}}}},
            },
            "anyOf": [{"properties": {"never": {"default": "x"}}}],
        }
    },
}


def test_defaults_fill_absent_fields_only() -> None:
    obj = {"spec": {"items": [{}, {"w": 5}], "map": {"a": {}}}}
    assert apply_defaults(obj, SCHEMA) == {
        "spec": {"policy": "None", "items": [{"w": 1}, {"w": 5}], "map": {"a": {"on": True}}}
    }
    assert obj == {"spec": {"items": [{}, {"w": 5}], "map": {"a": {}}}}  # the input is not changed


def test_nulls_pruned_unless_nullable() -> None:
    assert apply_defaults({"spec": {"policy": None, "opt": None}}, SCHEMA) == {
        "spec": {"policy": "None", "opt": None}
    }


def test_absent_parents_are_not_created() -> None:
    assert apply_defaults({}, SCHEMA) == {}
