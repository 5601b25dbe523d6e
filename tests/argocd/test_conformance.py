"""Argo CD objects against the vendored CRDs: unknown fields rejected (the root too), int-or-string and
nullable understood."""

from __future__ import annotations

from rosgit.argocd.conformance import schema_errors

APPLICATION = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Application",
    "metadata": {"name": "a", "namespace": "argocd"},
    "spec": {
        "project": "default",
        "source": {"repoURL": "r", "path": "p"},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "n"},
    },
}


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


def test_an_unknown_top_level_field_is_rejected() -> None:
    assert schema_errors(APPLICATION) == []
    errors = schema_errors({**APPLICATION, "spce": {}})
    assert len(errors) == 1 and errors[0].startswith("(root): ") and "'spce' was unexpected" in errors[0]


def test_unknown_kind_and_version() -> None:
    assert schema_errors({"apiVersion": "v1", "kind": "Pod"})[0].startswith("no vendored CRD schema")
    assert "no served version" in schema_errors({"apiVersion": "argoproj.io/v1", "kind": "Application"})[0]
