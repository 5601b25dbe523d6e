"""Choosing the validator, and what is settled before any validator runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit import tools
from rosgit.errors import UsageError
from rosgit.validate.core import choose_validator, validate
from rosgit.validate.inputs import documents_from_objects, parse_stream


def test_auto_falls_back_to_builtin_without_kubeconform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools, "find_tool", lambda name: None)
    assert choose_validator("auto") == ("builtin", None)
    with pytest.raises(UsageError, match=r"kubeconform v0\.7\.0 is not installed"):
        choose_validator("kubeconform")
    docs = documents_from_objects([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}], source="s")
    assert validate(docs).validator == "builtin"


def test_auto_prefers_kubeconform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools, "find_tool", lambda name: Path("/opt/kubeconform"))
    assert choose_validator("auto") == ("kubeconform", Path("/opt/kubeconform"))


def test_unknown_validator() -> None:
    with pytest.raises(UsageError, match="unknown validator 'kubeval'"):
        choose_validator("kubeval")


def test_same_name_in_another_namespace_or_group_is_not_a_duplicate() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: y}\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: x}\n---\n"
        "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: a-}\n"
        "spec: {template: {spec: {containers: [{name: c, image: i}]}}}\n---\n"
        "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: a-}\n"
        "spec: {template: {spec: {containers: [{name: c, image: i}]}}}\n"
    )
    report = validate(parse_stream(text, source="f"), validator="builtin")
    assert [r.status for r in report.results] == ["valid"] * 5
    assert report.results[3].name == "a-*"


def test_a_version_change_is_still_a_duplicate() -> None:
    text = (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
        "spec: {scaleTargetRef: {kind: Deployment, name: d}, maxReplicas: 2}\n---\n"
        "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
        "spec: {scaleTargetRef: {kind: Deployment, name: d}, maxReplicas: 2}\n"
    )
    report = validate(parse_stream(text, source="f"), validator="builtin")
    assert [r.status for r in report.results] == ["valid", "error"]
    assert report.results[1].message == "duplicate object: HorizontalPodAutoscaler/h already defined at f:1"
