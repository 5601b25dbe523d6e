"""The corpus: kubeconform and the builtin validator agree on every resource, and both match the expectation.

kubeconform is the reference: the builtin validator must give the same status and the same field paths.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.validate.core import validate
from rosgit.validate.inputs import read_file
from rosgit.validate.report import ValidationReport
from tests.conftest import require_real_tool
from tests.validate.conftest import corpus_files, expectations, expected_path


def _report(validator: str) -> ValidationReport:
    docs = [doc for path in corpus_files() for doc in read_file(path)]
    return validate(docs, validator=validator)


@pytest.fixture(scope="module")
def reports() -> dict[str, ValidationReport]:
    require_real_tool("kubeconform")
    return {name: _report(name) for name in ("kubeconform", "builtin")}


def test_corpus_is_big_and_mixed() -> None:
    statuses = [status for path in corpus_files() for status in expectations(path)]
    assert statuses.count("valid") >= 25
    assert statuses.count("invalid") >= 15
    assert statuses.count("error") >= 8


def test_validators_agree_on_every_resource(reports: dict[str, ValidationReport]) -> None:
    kube, builtin = reports["kubeconform"].results, reports["builtin"].results
    assert len(kube) == len(builtin)
    for a, b in zip(kube, builtin, strict=True):
        assert (a.location, a.ref) == (b.location, b.ref)
        assert a.status == b.status, f"{a.location} {a.ref}: kubeconform {a.status}, builtin {b.status}"
        assert [e.path for e in a.errors] == [e.path for e in b.errors], a.location


def test_validators_word_common_failures_alike(reports: dict[str, ValidationReport]) -> None:
    """Unknown field, missing field, wrong type and enum are printed identically by both validators."""
    for a, b in zip(reports["kubeconform"].results, reports["builtin"].results, strict=True):
        if a.status == "invalid":
            assert a.detail() == b.detail(), a.location


@pytest.mark.parametrize("validator", ["kubeconform", "builtin"])
def test_every_corpus_file_meets_its_expectation(reports: dict[str, ValidationReport], validator: str) -> None:
    by_source: dict[str, list[str]] = {}
    for result in reports[validator].results:
        by_source.setdefault(result.source, []).append(result.status)
    for path in corpus_files():
        assert by_source.get(str(path), []) == expectations(path), path.name


@pytest.mark.parametrize("validator", ["kubeconform", "builtin"])
def test_invalid_resources_name_the_field(reports: dict[str, ValidationReport], validator: str) -> None:
    for result in reports[validator].results:
        wanted = expected_path(Path(result.source))
        if result.status == "invalid":
            assert wanted is not None, f"{result.source} needs a '# path:' header"
            assert wanted in [e.path for e in result.errors], (result.source, result.detail())
