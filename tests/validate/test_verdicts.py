"""Verdicts remembered per object (rosgit.validate.verdicts): a run sends the validator only what it has not
judged before, and its report is the report a run without the memo gives."""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rosgit import cache
from rosgit.validate import kubeconform, validate_documents
from rosgit.validate.report import ValidationReport
from rosgit.validate.verdicts import Verdict, VerdictMemo
from tests.conftest import require_real_tool


def _deployment(name: str, namespace: str = "team-a", replicas: Any = 1) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
        },
    }


def _config_map(name: str, value: str, namespace: str = "team-a") -> dict[str, Any]:
    metadata = {"name": name, "namespace": namespace}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": {"k": value}}


@pytest.fixture
def memo_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The result caches on, in this test's directory (the schema cache stays the session's)."""
    monkeypatch.delenv("ROSGIT_NO_CACHE", raising=False)
    results = tmp_path / "results"
    monkeypatch.setattr(cache, "results_dir", lambda: results)
    yield results


Judged = list[str]


def _recording(monkeypatch: pytest.MonkeyPatch, validator: str) -> Judged:
    """The names of the objects the validator is given, run after run."""
    judged: Judged = []
    if validator == "kubeconform":
        real_run = kubeconform.run

        def run(
            binary: Path, texts: list[str], locations: list[str], *, objects: list[Any] | None = None
        ) -> list[kubeconform.KubeconformResult]:
            import json

            judged.extend(json.loads(text)["metadata"]["name"] for text in texts)
            return real_run(binary, texts, locations, objects=objects)

        monkeypatch.setattr(kubeconform, "run", run)
    else:
        from rosgit.validate import builtin

        real_validate = builtin.validate_object

        def validate_object(obj: dict[str, Any], schema: Path) -> list[Any]:
            judged.append(obj["metadata"]["name"])
            return real_validate(obj, schema)

        monkeypatch.setattr(builtin, "validate_object", validate_object)
    return judged


@pytest.fixture(params=["builtin", "kubeconform"])
def validator(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "kubeconform":
        require_real_tool("kubeconform")
    return name


def _unmemoized(docs: list[dict[str, Any]], validator: str, monkeypatch: pytest.MonkeyPatch) -> ValidationReport:
    with monkeypatch.context() as m:
        m.setenv("ROSGIT_NO_CACHE", "1")
        return validate_documents(copy.deepcopy(docs), source="s", validator=validator)


def _run(docs: list[dict[str, Any]], validator: str) -> ValidationReport:
    return validate_documents(copy.deepcopy(docs), source="s", validator=validator)


def test_only_objects_not_judged_before_reach_the_validator(
    memo_on: Path, validator: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = [_deployment("d"), _config_map("a", "1"), _config_map("b", "2")]
    second = [_deployment("d"), _config_map("a", "changed"), _config_map("b", "2"), _config_map("new", "3")]
    expected = [_unmemoized(docs, validator, monkeypatch) for docs in (first, second)]
    judged = _recording(monkeypatch, validator)
    assert _run(first, validator) == expected[0]
    assert sorted(judged) == ["a", "b", "d"]

    judged.clear()
    assert _run(second, validator) == expected[1]
    assert sorted(judged) == ["a", "new"]


def test_a_namespace_edit_reuses_valid_verdicts_but_judges_invalid_objects_again(
    memo_on: Path, validator: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = [_deployment("good"), _deployment("bad", replicas="three")]
    after = [_deployment("good", namespace="team-b"), _deployment("bad", namespace="team-b", replicas="three")]
    expected = _unmemoized(after, validator, monkeypatch)
    judged = _recording(monkeypatch, validator)
    assert [r.status for r in _run(before, validator).results] == ["valid", "invalid"]

    judged.clear()
    report = _run(after, validator)
    assert judged == ["bad"]
    assert report == expected
    assert [r.namespace for r in report.results] == ["team-b", "team-b"]


def test_a_namespace_that_is_no_dns_label_is_judged_again(
    memo_on: Path, validator: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = [_deployment("d", namespace="Team_B")]
    expected = _unmemoized(odd, validator, monkeypatch)
    judged = _recording(monkeypatch, validator)
    _run([_deployment("d")], validator)
    judged.clear()
    assert _run(odd, validator) == expected
    assert judged == ["d"]


def test_validators_do_not_share_verdicts(memo_on: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_real_tool("kubeconform")
    judged = _recording(monkeypatch, "kubeconform")
    _run([_deployment("d")], "builtin")
    _run([_deployment("d")], "kubeconform")
    assert judged == ["d"]


def test_nothing_is_remembered_with_caches_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROSGIT_NO_CACHE", "1")
    judged = _recording(monkeypatch, "builtin")
    _run([_deployment("d")], "builtin")
    _run([_deployment("d")], "builtin")
    assert judged == ["d", "d"]
    assert VerdictMemo.open("builtin", "x", ()) is None


def _aged_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


def _memo(memo_on: Path) -> VerdictMemo:
    memo = VerdictMemo.open("builtin", "tool", ())
    assert memo is not None
    return memo


def test_a_verdict_is_kept_under_the_schema_bytes_and_the_exact_text(memo_on: Path, tmp_path: Path) -> None:
    schema = _aged_file(tmp_path / "schema.json", '{"type": "object"}')
    obj = _config_map("a", "1")
    memo = _memo(memo_on)
    keys = memo.keys('{"a": 1}', obj, schema)
    assert keys is not None and keys.loose is not None
    memo.keep(keys, Verdict("valid"))
    memo.commit()

    later = _memo(memo_on)
    assert later.recall(keys) == Verdict("valid")
    other_text = later.keys('{"a": 2}', _config_map("a", "2"), schema)
    assert other_text is not None and later.recall(other_text) is None
    _aged_file(schema, '{"type": "object", "required": ["data"]}')
    edited_schema = _memo(memo_on).keys('{"a": 1}', obj, schema)
    assert edited_schema is not None and edited_schema.exact != keys.exact
    assert _memo(memo_on).recall(edited_schema) is None


def test_errors_are_never_kept_and_a_schema_written_during_the_run_keeps_nothing(
    memo_on: Path, tmp_path: Path
) -> None:
    schema = _aged_file(tmp_path / "schema.json", "{}")
    memo = _memo(memo_on)
    keys = memo.keys("{}", {}, schema)
    assert keys is not None and keys.loose is None  # no namespace: only the exact text
    memo.keep(keys, Verdict("error", "kubeconform timed out"))
    memo.commit()
    assert _memo(memo_on).recall(keys) is None

    fresh = tmp_path / "fresh.json"
    fresh.write_text("{}", encoding="utf-8")  # modified now: may change while the validator reads it
    memo = _memo(memo_on)
    fresh_keys = memo.keys("{}", {}, fresh)
    assert fresh_keys is not None
    memo.keep(fresh_keys, Verdict("valid"))
    memo.commit()
    assert _memo(memo_on).recall(fresh_keys) is None


def test_the_memo_keeps_this_runs_verdicts_and_drops_the_oldest_others(
    memo_on: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("rosgit.validate.verdicts.LIMIT", 3)
    schema = _aged_file(tmp_path / "schema.json", "{}")

    def run(texts: list[str], recall: Callable[[VerdictMemo], None] = lambda _memo: None) -> None:
        memo = _memo(memo_on)
        recall(memo)
        for text in texts:
            keys = memo.keys(text, {}, schema)
            assert keys is not None
            memo.keep(keys, Verdict("valid"))
        memo.commit()

    run(["1", "2", "3"])
    run(["4", "5"])
    assert len(_memo(memo_on).pool.stored) == 5  # three older ones at most, and this run's two
    memo = _memo(memo_on)
    remembered = [t for t in "12345" if (k := memo.keys(t, {}, schema)) is not None and memo.recall(k)]
    assert remembered == ["1", "2", "3", "4", "5"]
    run(["6", "7"])
    memo = _memo(memo_on)
    remembered = [t for t in "1234567" if (k := memo.keys(t, {}, schema)) is not None and memo.recall(k)]
    assert remembered == ["3", "4", "5", "6", "7"]
