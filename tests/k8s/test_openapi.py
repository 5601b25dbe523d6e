"""One CRD -> JSON Schema converter: `rosgit validate` and the Argo CD stage of `rosgit check` agree."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rosgit.argocd.conformance import schema_errors
from rosgit.k8s.openapi import convert_openapi_schema, vendored_openapi_schema, version_schemas
from rosgit.validate import validate_documents

Obj = dict[str, Any]

SAMPLE: Obj = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["port"],
            "properties": {
                "port": {"x-kubernetes-int-or-string": True},
                "replicas": {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True},
                "maybe": {"type": "string", "nullable": True},
                "free": {"type": "object", "properties": {"a": {}}, "x-kubernetes-preserve-unknown-fields": True},
            },
        }
    },
}


def _valid(schema: Obj, instance: Obj) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(instance)


@pytest.mark.parametrize(
    ("spec", "ok"),
    [
        ({"port": 8080, "replicas": "3", "maybe": None, "free": {"anything": [1]}}, True),
        ({"port": "http"}, True),
        ({"port": 1.5}, False),
        ({"port": True}, False),
        ({"port": 1, "replicas": [3]}, False),
        ({"port": 1, "maybe": 2}, False),
        ({"port": 1, "bogus": 1}, False),
        ({}, False),
    ],
)
def test_one_conversion_whichever_way_the_root_is_judged(spec: Obj, ok: bool) -> None:
    kubeconform_like = convert_openapi_schema(SAMPLE)
    strict = convert_openapi_schema(SAMPLE, close_root=True)
    assert _valid(kubeconform_like, {"spec": spec}) is ok
    assert _valid(strict, {"spec": spec}) is ok


def test_closing_the_root_is_the_only_difference() -> None:
    open_root = convert_openapi_schema(SAMPLE)
    closed = convert_openapi_schema(SAMPLE, close_root=True)
    assert "additionalProperties" not in open_root
    assert closed.pop("additionalProperties") is False
    assert closed == open_root
    assert _valid(open_root, {"spec": {"port": 1}, "extra": 1})
    assert not _valid(convert_openapi_schema(SAMPLE, close_root=True), {"spec": {"port": 1}, "extra": 1})


def test_the_input_schema_is_left_alone() -> None:
    before = copy.deepcopy(SAMPLE)
    convert_openapi_schema(SAMPLE, close_root=True)
    assert before == SAMPLE


def test_version_schemas_read_v1_and_v1beta1() -> None:
    v1 = {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": SAMPLE}}, {"name": "v2"}, {"schema": {}}]}
    assert version_schemas(v1) == [("v1", SAMPLE)]
    v1beta1 = {"version": "v1beta1", "validation": {"openAPIV3Schema": SAMPLE}}
    assert version_schemas(v1beta1) == [("v1beta1", SAMPLE)]
    shared = {"versions": [{"name": "a"}, {"name": "b"}], "validation": {"openAPIV3Schema": SAMPLE}}
    assert version_schemas(shared) == [("a", SAMPLE), ("b", SAMPLE)]


def test_vendored_schema_lookup() -> None:
    schema = vendored_openapi_schema("argoproj.io", "Application", "v1alpha1")
    assert schema is not None and "spec" in schema["properties"]
    assert vendored_openapi_schema("argoproj.io", "Application", "v9") is None
    assert vendored_openapi_schema("example.com", "Widget", "v1") is None


# ---------------------------------------------------------------------------------------------------------
# The same Application judged by both users of the converter.

APPLICATION: Obj = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Application",
    "metadata": {"name": "demo", "namespace": "argocd"},
    "spec": {
        "project": "default",
        "source": {
            "repoURL": "https://example.com/repo.git",
            "path": "overlays/dev",
            "kustomize": {"replicas": [{"name": "api", "count": 2}]},
        },
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "demo"},
        "syncPolicy": {"retry": {"limit": 3}},
    },
}


def _count(value: Any) -> Callable[[Obj], None]:
    return lambda app: app["spec"]["source"]["kustomize"]["replicas"][0].update(count=value)


MUTATIONS: list[tuple[str, Callable[[Obj], None], bool]] = [
    ("unchanged", lambda app: None, True),
    ("int-or-string as string", _count("2"), True),
    ("int-or-string as float", _count(1.5), False),
    ("unknown nested field", lambda app: app["spec"].update(bogus=1), False),
    ("wrong type", lambda app: app["spec"]["syncPolicy"]["retry"].update(limit="five"), False),
    ("missing required", lambda app: app["spec"].pop("destination"), False),
    ("object where a string is due", lambda app: app["spec"].update(project={"name": "x"}), False),
]


@pytest.fixture(scope="module", autouse=True)
def schema_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        cache = tmp_path_factory.mktemp("rosgit-cache")
        patch.setenv("ROSGIT_CACHE_DIR", str(cache))
        yield cache


@pytest.mark.parametrize(("name", "mutate", "ok"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_validate_and_the_argocd_stage_give_one_verdict(name: str, mutate: Callable[[Obj], None], ok: bool) -> None:
    app = copy.deepcopy(APPLICATION)
    mutate(app)
    report = validate_documents([app], source=name, validator="builtin")
    assert [r.status for r in report.results] == ["valid" if ok else "invalid"]
    assert (schema_errors(app) == []) is ok
