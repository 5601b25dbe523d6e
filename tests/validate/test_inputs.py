"""Reading streams into documents: splitting, strict parsing, Lists, line numbers and bad input."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from rosgit.errors import UsageError
from rosgit.validate.inputs import documents_from_objects, parse_stream, read_file, read_inputs, to_json


def test_documents_keep_their_first_line() -> None:
    text = "# leading comment\napiVersion: v1\nkind: A\n---\n\n# c\nkind: B\n--- # trailing\nkind: C\n"
    docs = parse_stream(text, source="f.yaml")
    assert [(d.line, d.obj["kind"]) for d in docs] == [(2, "A"), (7, "B"), (9, "C")]
    assert docs[0].location == "f.yaml:2"


def test_empty_documents_are_dropped() -> None:
    assert parse_stream("---\n# only a comment\n---\n...\n", source="f") == []
    assert parse_stream("", source="f") == []


def test_duplicate_keys_are_an_error_with_both_lines() -> None:
    [doc] = parse_stream("a: 1\nb:\n  c: 1\n  c: 2\n", source="f")
    assert doc.obj is None
    assert (doc.line, doc.error) == (4, "malformed YAML: duplicate key 'c' (first at line 3)")


def test_merge_keys_are_not_duplicates() -> None:
    [doc] = parse_stream("base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n", source="f")
    assert doc.obj["use"] == {"x": 1, "y": 2}


def test_one_malformed_document_does_not_hide_the_others() -> None:
    docs = parse_stream("a: 1\n---\nb: [\n---\nc: 3\n", source="f")
    assert [d.obj for d in docs] == [{"a": 1}, None, {"c": 3}]
    assert docs[1].error is not None and docs[1].error.startswith("malformed YAML: ")


def test_scalars_keep_yaml_1_1_meanings_but_timestamps_stay_strings() -> None:
    [doc] = parse_stream("on: yes\nwhen: 2024-01-02\nn: 010\n", source="f")
    assert doc.obj == {True: True, "when": "2024-01-02", "n": 8}


def test_list_is_expanded_and_an_empty_list_yields_nothing() -> None:
    docs = parse_stream("kind: List\napiVersion: v1\nitems:\n- {kind: A}\n- {kind: B}\n", source="f")
    assert [d.obj for d in docs] == [{"kind": "A"}, {"kind": "B"}]
    assert parse_stream("kind: list\nitems: []\n", source="f") == []
    [bad] = parse_stream("kind: List\nitems: {a: 1}\n", source="f")
    assert bad.error == "List has an `items` that is not a list"


def test_objects_from_the_api_are_numbered() -> None:
    docs = documents_from_objects([{"kind": "A"}, None, {"kind": "List", "items": [{"kind": "B"}]}], source="s")
    assert [(d.line, d.obj["kind"]) for d in docs] == [(1, "A"), (3, "B")]


def test_to_json_refuses_what_json_cannot_hold() -> None:
    assert to_json({"a": [1, "x", None]}) == '{"a": [1, "x", null]}'
    with pytest.raises(ValueError):
        to_json({"a": float("nan")})
    with pytest.raises(TypeError, match="a bytes value has no JSON form"):
        to_json({"a": b"bytes"})
    assert to_json({"when": datetime.date(2024, 1, 2)}) == '{"when": "2024-01-02"}'


def test_unreadable_inputs_are_usage_errors(tmp_path: Path) -> None:
    binary = tmp_path / "x.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(UsageError, match=r"x\.yaml: not a UTF-8 text file"):
        read_file(binary)
    with pytest.raises(UsageError, match="no such file or directory"):
        read_inputs([str(tmp_path / "missing.yaml")])
    with pytest.raises(UsageError, match="nothing to validate"):
        read_inputs([])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match=r"directory has no kustomization\.yaml and no YAML files"):
        read_inputs([str(empty)])


def test_plain_directory_is_walked_in_order(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("kind: B\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yml").write_text("kind: A\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("kind: ignored\n", encoding="utf-8")
    docs, sources = read_inputs([str(tmp_path)])
    assert [d.obj["kind"] for d in docs] == ["B", "A"]
    assert sources == [str(tmp_path / "b.yaml"), str(tmp_path / "sub" / "a.yml")]
    assert {d.scope for d in docs} == {""}
