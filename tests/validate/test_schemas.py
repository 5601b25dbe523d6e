"""Schema naming, Kubernetes standalone conversion, CRD conversion and the cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rosgit.errors import UsageError
from rosgit.k8s.openapi import convert_openapi_schema, vendored_crd_files
from rosgit.validate.schemas import (
    crd_schema_relpath,
    crd_schemas,
    ensure_kubernetes_schema,
    ensure_vendored_group,
    kind_suffix,
    kubernetes_schema_name,
    normalize_kubernetes_version,
    schema_set,
    vendored_cache_dir,
)


@pytest.mark.parametrize(
    ("api_version", "suffix"),
    [("v1", "-v1"), ("apps/v1", "-apps-v1"), ("rbac.authorization.k8s.io/v1", "-rbac-v1"),
     ("networking.k8s.io/v1", "-networking-v1"), ("Policy/V1", "-policy-v1")],
)
def test_kind_suffix_matches_kubeconform(api_version: str, suffix: str) -> None:
    assert kind_suffix(api_version) == suffix


def test_file_names() -> None:
    hpa = kubernetes_schema_name("HorizontalPodAutoscaler", "autoscaling/v2")
    assert hpa == "horizontalpodautoscaler-autoscaling-v2.json"
    monitor = crd_schema_relpath("ServiceMonitor", "monitoring.coreos.com/v1")
    assert monitor == "monitoring.coreos.com/servicemonitor_v1.json"


@pytest.mark.parametrize(("given", "wanted"), [(None, "1.33.0"), ("1.33", "1.33.0"), ("v1.30", "1.30.0"),
                                               ("1.31.7", "1.31.0"), ("1.37.0", "1.37.0")])
def test_kubernetes_version_normalised(given: str | None, wanted: str) -> None:
    assert normalize_kubernetes_version(given) == wanted


@pytest.mark.parametrize("bad", ["1.7", "latest", "2", "1.99"])
def test_unknown_kubernetes_version_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError, match=r"no Kubernetes schemas for version .*; available: 1\.25, "):
        normalize_kubernetes_version(bad)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


@pytest.mark.parametrize(("kind", "api_version"), [("Deployment", "apps/v1"), ("CustomResourceDefinition",
                                                   "apiextensions.k8s.io/v1"), ("Pod", "v1")])
def test_standalone_kubernetes_schema_is_self_contained(kind: str, api_version: str) -> None:
    path = ensure_kubernetes_schema("1.33.0", kind, api_version)
    assert path is not None and path.name == kubernetes_schema_name(kind, api_version)
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    refs = _refs(schema)
    assert refs and all(ref.startswith("#/$defs/") for ref in refs)
    assert {ref.removeprefix("#/$defs/") for ref in refs} <= set(schema["$defs"])
    assert schema["additionalProperties"] is False  # the strict flavour


def test_not_a_kind_has_no_schema() -> None:
    # kubernetes-validate ships affinity-v1.json for the Affinity *type*; it is not a kind.
    assert ensure_kubernetes_schema("1.33.0", "Affinity", "v1") is None
    assert ensure_kubernetes_schema("1.33.0", "Definitions", "_") is None
    assert ensure_kubernetes_schema("1.33.0", "Deployment", "apps/v1beta9") is None


def test_conversion_is_deterministic_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROSGIT_CACHE_DIR", str(tmp_path / "a"))
    first = ensure_kubernetes_schema("1.33.0", "Service", "v1")
    monkeypatch.setenv("ROSGIT_CACHE_DIR", str(tmp_path / "b"))
    second = ensure_kubernetes_schema("1.33.0", "Service", "v1")
    assert first is not None and second is not None and first != second
    assert first.read_bytes() == second.read_bytes()
    assert not list(first.parent.glob(".*.tmp"))  # atomic writes leave no temporaries


def test_convert_openapi_closes_objects_except_root_and_preserved() -> None:
    converted = convert_openapi_schema({
        "type": "object",
        "properties": {
            "spec": {"type": "object", "properties": {"a": {"type": "string"}}},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"b": {}}},
            "port": {"format": "int-or-string"},
            "maybe": {"type": "string", "nullable": True, "enum": ["x"]},
            "odd": {"type": "object", "properties": {"properties": {"type": "object", "properties": {}}}},
            "checked": {"type": "integer", "minimum": 1, "exclusiveMinimum": True, "anyOf": None},
            "either": {"type": "object", "properties": {"c": {}}, "anyOf": [{"properties": {"c": {"minLength": 1}}}]},
        },
    })
    assert "additionalProperties" not in converted  # root stays open, like openapi2jsonschema
    props = converted["properties"]
    assert props["spec"]["additionalProperties"] is False
    assert "additionalProperties" not in props["free"]
    assert props["port"] == {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    assert props["maybe"]["type"] == ["string", "null"] and props["maybe"]["enum"] == ["x", None]
    # A field named "properties" is a field, not the keyword.
    assert props["odd"]["properties"]["properties"]["additionalProperties"] is False
    assert props["checked"]["exclusiveMinimum"] == 1 and "minimum" not in props["checked"]
    assert "anyOf" not in props["checked"]
    assert "additionalProperties" not in props["either"]["anyOf"][0]
    jsonschema.Draft202012Validator.check_schema(converted)


def test_crd_without_schema_is_a_usage_error() -> None:
    crd = {"kind": "CustomResourceDefinition", "spec": {"group": "x.io", "names": {"kind": "X"},
                                                         "versions": [{"name": "v1"}]}}
    with pytest.raises(UsageError, match=r"^f\.yaml \(X\.x\.io\): CustomResourceDefinition has no openAPIV3Schema"):
        crd_schemas(crd, location="f.yaml")
    with pytest.raises(UsageError, match="not a CustomResourceDefinition"):
        crd_schemas({"kind": "ConfigMap"}, location="f.yaml")


def test_v1beta1_crd_with_top_level_validation() -> None:
    crd = {"kind": "CustomResourceDefinition", "spec": {
        "group": "old.io", "names": {"kind": "Thing"}, "version": "v1beta1",
        "validation": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object"}}}}}}
    [converted] = crd_schemas(crd, location="old.yaml")
    assert converted.relpath == "old.io/thing_v1beta1.json"


def test_every_vendored_crd_is_converted_into_the_cache() -> None:
    for group in sorted({path.name.split("_", 1)[0] for path in vendored_crd_files()}):
        ensure_vendored_group(group)
    directory = vendored_cache_dir()
    found = {str(p.relative_to(directory)) for p in directory.rglob("*.json")}
    assert found >= {
        "argoproj.io/application_v1alpha1.json", "argoproj.io/applicationset_v1alpha1.json",
        "argoproj.io/appproject_v1alpha1.json", "bitnami.com/sealedsecret_v1alpha1.json",
        "monitoring.coreos.com/servicemonitor_v1.json", "monitoring.coreos.com/podmonitor_v1.json",
        "route.openshift.io/route_v1.json", "kafka.strimzi.io/kafka_v1.json", "kafka.strimzi.io/kafkatopic_v1.json",
    }
    # Meta-validating the megabyte Argo CD schemas is slow; the corpus proves kubeconform compiles those.
    for path in directory.rglob("*.json"):
        if not path.parent.name.startswith("argoproj"):
            jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def test_schema_set_search_order(tmp_path: Path) -> None:
    (tmp_path / "rosgit.yaml").write_text("", encoding="utf-8")
    local = tmp_path / "schemas" / "crds" / "argoproj.io"
    local.mkdir(parents=True)
    (local / "application_v1alpha1.json").write_text('{"type": "object"}\n', encoding="utf-8")
    found = schema_set("1.33", project_root=tmp_path)
    assert found.locate("Application", "argoproj.io/v1alpha1") == local / "application_v1alpha1.json"
    assert found.locate("AppProject", "argoproj.io/v1alpha1").parent.name == "argoproj.io"  # type: ignore[union-attr]
    locations = found.kubeconform_locations()
    assert locations[0].startswith(str(tmp_path)) and len(locations) == 3
    assert all(location.startswith("/") and "http" not in location for location in locations)


@pytest.mark.parametrize(("kind", "api_version"), [("../Deployment", "apps/v1"), ("Deployment", "../../apps/v1"),
                                                   ("Widget", "x/../y/v1"), ("", "v1"), ("Pod", "")])
def test_names_that_are_not_plain_have_no_schema(kind: str, api_version: str) -> None:
    assert schema_set("1.33").locate(kind, api_version) is None
