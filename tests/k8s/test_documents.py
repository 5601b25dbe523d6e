"""A stream read document by document (`document_texts`, `load_objects_reusing`) gives what reading it whole
gives, parsing only the documents it has not seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.build import builtin_build
from rosgit.cache import text_digest
from rosgit.k8s import objects
from rosgit.k8s.objects import document_texts, load_objects, load_objects_reusing, namespace_free
from tests.check.repo_copy import copy_repo
from tests.conftest import REPO_ROOT

STREAMS = {
    "no leading marker": "a: 1\n---\nb: 2\n",
    "leading marker": "---\na: 1\n---\nb: 2\n",
    "marker with content": "--- |\n  text\n--- {b: 2}\n",
    "marker then comment": "--- # first\na: 1\n---\t\nb: 2\n",
    "dashes inside a block scalar": "data:\n  s: |\n    ---\n    x\n---\nb: 2\n",
    "four dashes are no marker": "a: |\n  x\n----: 1\n",
    "empty documents": "---\n---\na: 1\n---\n",
    "document end marker": "a: 1\n...\n---\nb: 2\n",
    "a directive before a document": "a: 1\n---\n%YAML 1.1\n---\nb: 2\n",
    "crlf": "a: 1\r\n---\r\nb: 2\r\n",
    "a list and a scalar document": "- x\n---\nplain\n---\nk: v\n",
}


def _whole_and_pieces(text: str) -> tuple[object, object]:
    try:
        whole: object = load_objects(text)
    except Exception as err:  # the same failure either way
        whole = type(err).__name__
    pieces = load_objects_reusing(text, {}, text_digest)[0]
    return whole, pieces


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_the_pieces_join_back_and_read_as_the_whole_stream(name: str) -> None:
    text = STREAMS[name]
    assert "".join(document_texts(text)) == text
    whole, pieces = _whole_and_pieces(text)
    assert pieces == whole


def test_each_piece_holds_one_document() -> None:
    assert document_texts(STREAMS["dashes inside a block scalar"]) == ["data:\n  s: |\n    ---\n    x\n", "---\nb: 2\n"]
    assert document_texts("---\na: 1\n") == ["---\na: 1\n"]
    assert document_texts("") == []


def _overlay_texts() -> dict[str, str]:
    names = sorted(p.name for p in (REPO_ROOT / "overlays").iterdir() if p.is_dir())
    return {name: builtin_build(REPO_ROOT / "overlays" / name) for name in names}


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = objects.load_objects

    def load(text: str, *, source: str = "<yaml>") -> list[objects.Obj]:
        parsed.append(text)
        return real(text, source=source)

    monkeypatch.setattr(objects, "load_objects", load)
    return parsed


def test_every_overlay_reads_as_its_whole_text_and_an_edit_parses_only_the_changed_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _overlay_texts()
    assert texts
    for name, text in texts.items():
        whole = load_objects(text)
        first, documents = load_objects_reusing(text, {}, text_digest)
        assert first == whole, name
        assert len({id(found) for found in documents.values()}) == len(document_texts(text))

        edited = text.replace("app.kubernetes.io/part-of:", "app.kubernetes.io/part-of-x:", 1)
        assert edited != text
        parsed = _counting(monkeypatch)
        again, _ = load_objects_reusing(edited, documents, text_digest)
        monkeypatch.undo()
        assert again == load_objects(edited), name
        assert len(parsed) == 1 and "part-of-x" in parsed[0], name


def test_a_document_repeated_in_the_stream_gives_objects_of_their_own() -> None:
    text = "a: {b: 1}\n---\na: {b: 1}\n"
    _, documents = load_objects_reusing(text, {}, text_digest)
    first, second = load_objects_reusing(text, documents, text_digest)[0]
    assert first == second and first is not second
    assert first["a"] is not second["a"]


def test_a_piece_that_does_not_read_alone_reads_the_whole_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    text = STREAMS["a directive before a document"]
    parsed = _counting(monkeypatch)
    assert load_objects_reusing(text, {}, text_digest) == (load_objects(text), {})
    assert text in parsed


DOCUMENT = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: team-a\ndata:\n  k: v\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("two namespace lines", DOCUMENT.replace("  name: c\n", "  namespace: b\n  name: c\n")),
        ("under spec", DOCUMENT.replace("metadata:\n  name: c\n  namespace: team-a\n", "metadata:\n  name: c\n")
         + "spec:\n  namespace: team-a\n"),
        ("inside a block scalar", "kind: ConfigMap\nmetadata:\n  name: c\ndata: |\n  namespace: team-a\n"),
        ("quoted", DOCUMENT.replace("namespace: team-a", 'namespace: "team-a"')),
        ("a number", DOCUMENT.replace("namespace: team-a", "namespace: 123")),
        ("a boolean", DOCUMENT.replace("namespace: team-a", "namespace: yes")),
        ("no DNS label", DOCUMENT.replace("namespace: team-a", "namespace: Team_A")),
        ("a comment above", DOCUMENT.replace("  name: c\n", "# x\n  name: c\n")),
        ("crlf", DOCUMENT.replace("\n", "\r\n")),
        ("flow metadata", "kind: ConfigMap\nmetadata: {name: c,\n  namespace: team-a}\n"),
    ],
)
def test_only_a_plain_namespace_line_of_metadata_is_cut_out(name: str, text: str) -> None:
    assert namespace_free(text) is None, name


def test_a_namespace_edit_reuses_every_document_that_differs_in_that_line_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert namespace_free(DOCUMENT) == (DOCUMENT.replace("team-a", ""), "team-a")
    _, documents = load_objects_reusing(DOCUMENT, {}, text_digest)
    moved = DOCUMENT.replace("team-a", "team-b")
    parsed = _counting(monkeypatch)
    objects, _ = load_objects_reusing(moved + "---\n" + moved, documents, text_digest)
    assert objects == load_objects(moved) * 2
    assert objects[0]["metadata"]["namespace"] == "team-b"
    assert objects[0] is not objects[1]  # the second one parsed: an earlier document is taken once
    assert parsed == ["---\n" + moved]


def test_every_overlay_after_a_namespace_edit_reads_as_its_whole_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real edit: the kustomization's namespace, built again (names and references change too)."""
    (tmp_path / "repo").mkdir()
    repo = copy_repo(tmp_path / "repo")
    for name, text in _overlay_texts().items():
        kustomization = repo / "overlays" / name / "kustomization.yaml"
        original = kustomization.read_text(encoding="utf-8")
        namespace = next(line for line in original.splitlines() if line.startswith("namespace: "))
        kustomization.write_text(original.replace(namespace, f"{namespace}-moved"), encoding="utf-8")
        edited = builtin_build(repo / "overlays" / name)
        _, documents = load_objects_reusing(text, {}, text_digest)
        parsed = _counting(monkeypatch)
        again, _ = load_objects_reusing(edited, documents, text_digest)
        monkeypatch.undo()
        assert again == load_objects(edited), name
        assert len(parsed) < len(document_texts(edited)) / 5, name
