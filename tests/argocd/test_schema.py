"""The strict CRD-schema validator: unknown fields rejected, int-or-string and nullable understood."""

from __future__ import annotations

from rosgit.argocd.schema import schema_errors, strict_schema


def test_strict_schema_conversion() -> None:
    schema = strict_schema(
        {
            "type": "object",
            "properties": {
                "port": {"x-kubernetes-int-or-string": True},
                "maybe": {"type": "string", "nullable": True},
                "free": {
                    "type": "object",
                    "properties": {"a": {}},
                    "x-kubernetes-preserve-unknown-fields": True,
                },
            },
        }
    )
    assert schema["additionalProperties"] is False
    assert schema["properties"]["port"] == {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert schema["properties"]["maybe"]["type"] == ["string", "null"]
    assert "additionalProperties" not in schema["properties"]["free"]


def test_appproject_errors() -> None:
    project = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": "p"},
        "spec": {"sourceRepos": ["r"], "clusterResourceWhitelist": [{"kind": "Namespace"}]},
    }
    assert any("'group' is a required property" in e for e in schema_errors(project))
    project["spec"]["clusterResourceWhitelist"] = [{"group": "", "kind": "Namespace", "name": "ns"}]
    assert schema_errors(project) == []


def test_unknown_kind_and_version() -> None:
    assert schema_errors({"apiVersion": "v1", "kind": "Pod"})[0].startswith("no vendored CRD schema")
    assert "no served version" in schema_errors({"apiVersion": "argoproj.io/v1", "kind": "Application"})[0]
