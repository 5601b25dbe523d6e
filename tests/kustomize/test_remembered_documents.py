"""Resource files parsed in an earlier run are not parsed again (rosgit.kustomize.yamlio.resources' pool):
a build is the same text, and only files whose text changed are parsed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rosgit import cache
from rosgit.kustomize import build_text_and_reads
from rosgit.kustomize.yamlio import resources
from tests.check.repo_copy import copy_repo, plant
from tests.conftest import REPO_ROOT

_PARSE = resources._load_resources  # noqa: SLF001 (the parse itself is what is counted)


@pytest.fixture
def caches_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("ROSGIT_NO_CACHE", raising=False)
    monkeypatch.setenv("ROSGIT_CACHE_DIR", str(tmp_path / "cache"))
    yield tmp_path / "cache"


def _new_process(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Forget what this process parsed, as a new run starts; then record every file parsed."""
    monkeypatch.setattr(resources, "_IN_PROCESS", {})
    monkeypatch.setattr(resources, "_POOLS", {})
    parsed: list[str] = []

    def load(text: str, source: str, patch: bool) -> list[dict[str, object]]:
        parsed.append(source)
        return _PARSE(text, source, patch)

    monkeypatch.setattr(resources, "_load_resources", load)
    return parsed


def _build(overlay: Path) -> str:
    return build_text_and_reads(overlay)[0]


def test_a_second_run_parses_no_file_and_builds_the_same_text(
    caches_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = REPO_ROOT / "overlays" / "openshift-minimal"
    first_parsed = _new_process(monkeypatch)
    text = _build(overlay)
    assert first_parsed  # the first run parsed the files

    again = _new_process(monkeypatch)
    assert _build(overlay) == text
    assert again == []


def test_an_edited_file_is_the_only_one_parsed_again(
    caches_on: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "repo").mkdir()
    repo = copy_repo(tmp_path / "repo")
    overlay = repo / "overlays" / "minimal"
    _new_process(monkeypatch)
    _build(overlay)
    deployment = repo / "base" / "rosocp-processor" / "deployment.yaml"
    plant(deployment, "replicas: 1", "replicas: 2")

    parsed = _new_process(monkeypatch)
    edited = _build(overlay)
    assert parsed == ["deployment.yaml"]
    monkeypatch.setenv("ROSGIT_NO_CACHE", "1")
    assert edited == _build(overlay)  # what a run that remembers nothing builds


def test_another_rosgit_parses_everything_and_caches_off_keep_nothing(
    caches_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = REPO_ROOT / "overlays" / "minimal"
    first = _new_process(monkeypatch)
    _build(overlay)
    monkeypatch.setattr(cache, "source_digest", lambda: "another rosgit")
    other = _new_process(monkeypatch)
    _build(overlay)
    assert sorted(other) == sorted(first) != []

    monkeypatch.setenv("ROSGIT_NO_CACHE", "1")
    monkeypatch.setenv("ROSGIT_CACHE_DIR", str(caches_on.parent / "unused"))
    parsed = _new_process(monkeypatch)
    text = _build(overlay)
    assert parsed
    parsed.clear()
    assert _build(overlay) == text
    assert parsed == []  # within the process, each file is still parsed once
    assert not (caches_on.parent / "unused").exists()
