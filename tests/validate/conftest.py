"""Validation tests share one schema cache per test session (per xdist worker), never the user's ~/.cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture(scope="session", autouse=True)
def schema_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Also exported, so the CLI run in a subprocess uses it too."""
    cache = tmp_path_factory.mktemp("rosgit-cache")
    previous = os.environ.get("ROSGIT_CACHE_DIR")
    os.environ["ROSGIT_CACHE_DIR"] = str(cache)
    yield cache
    if previous is None:
        os.environ.pop("ROSGIT_CACHE_DIR", None)
    else:
        os.environ["ROSGIT_CACHE_DIR"] = previous


def expectations(path: Path) -> list[str]:
    """The `# expect: a, b` header of a corpus file: one status per resource, in order."""
    first = path.read_text(encoding="utf-8").splitlines()[0] if path.suffix != ".json" else ""
    if first.startswith("# expect:"):
        return [part.strip() for part in first.removeprefix("# expect:").split(",") if part.strip()]
    return [path.name.split("-", 1)[0]]


def expected_path(path: Path) -> str | None:
    """The `# path: /json/pointer` header: the field an invalid resource must be reported at."""
    for line in path.read_text(encoding="utf-8").splitlines()[:3]:
        if line.startswith("# path:"):
            return line.removeprefix("# path:").strip()
    return None


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".json"))
