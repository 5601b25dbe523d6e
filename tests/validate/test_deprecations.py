"""Removed and deprecated APIs by name, for a Kubernetes or OpenShift target; the table proven against the
schemas kubernetes-validate ships wherever they reach."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from rosgit.validate.deprecations import API_CHANGES, OPENSHIFT_KUBERNETES, api_verdict, minor_of
from rosgit.validate.schemas import available_kubernetes_versions, ensure_kubernetes_schema
from tests.conftest import run_rosgit

OLD = """\
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: old, namespace: x}
spec: {minAvailable: 1, selector: {matchLabels: {a: b}}}
---
apiVersion: v1
kind: Endpoints
metadata: {name: ep, namespace: x}
subsets: []
---
apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
kind: FlowSchema
metadata: {name: fs}
spec: {priorityLevelConfiguration: {name: x}}
"""


def test_removals_match_the_shipped_schemas() -> None:
    # a row removing an API in a version the schemas cover: present the minor before, absent from then on
    versions = [v.rsplit(".", 1)[0] for v in available_kubernetes_versions()]
    proven = 0
    for change in API_CHANGES:
        if change.removed_in is None or change.removed_in not in versions[1:]:
            continue
        before = versions[versions.index(change.removed_in) - 1]
        for kind in change.kinds:
            assert ensure_kubernetes_schema(f"{before}.0", kind, change.api_version) is not None, (kind, before)
            for version in versions[versions.index(change.removed_in):]:
                assert ensure_kubernetes_schema(f"{version}.0", kind, change.api_version) is None, (kind, version)
            proven += 1
    assert proven >= 7
    # and no API the schemas drop between two covered minors is missing from the table
    assert {(c.api_version, k) for c in API_CHANGES for k in c.kinds} >= {
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler"), ("storage.k8s.io/v1beta1", "CSIStorageCapacity"),
    }


def test_openshift_minors_are_consecutive_kubernetes_minors() -> None:
    pairs = sorted((minor_of(o), minor_of(k)) for o, k in OPENSHIFT_KUBERNETES.items())
    for (o1, k1), (o2, k2) in itertools.pairwise(pairs):
        assert o2[1] - o1[1] == k2[1] - k1[1] == 1
    assert OPENSHIFT_KUBERNETES["4.20"] == "1.33"


@pytest.mark.parametrize(
    ("api", "kind", "version", "removed", "says"),
    [
        ("policy/v1beta1", "PodDisruptionBudget", "1.25", True, "removed in Kubernetes 1.25; use policy/v1"),
        ("policy/v1beta1", "PodDisruptionBudget", "1.22", False, "deprecated since Kubernetes 1.21, removed in 1.25"),
        ("v1", "Endpoints", "1.33", False, "use discovery.k8s.io/v1 EndpointSlice"),
    ],
)
def test_verdicts(api: str, kind: str, version: str, removed: bool, says: str) -> None:
    verdict = api_verdict(api, kind, version)
    assert verdict is not None and verdict.removed is removed and says in verdict.message
    assert api_verdict("policy/v1", "PodDisruptionBudget", version) is None
    assert api_verdict("v1", "Endpoints", "1.32") is None


def test_validate_names_removed_and_deprecated_apis_for_an_openshift_target(tmp_path: Path) -> None:
    source = tmp_path / "old.yaml"
    source.write_text(OLD, encoding="utf-8")
    result = run_rosgit("validate", str(source), "--openshift-version", "4.20", "--validator", "builtin")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{source}:1 - PodDisruptionBudget/old failed validation: removed API: policy/v1beta1 " \
        "PodDisruptionBudget was removed in Kubernetes 1.25; use policy/v1" in lines
    assert any("FlowSchema/fs failed validation: removed API: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema was "
               "removed in Kubernetes 1.32" in line for line in lines)
    assert any("Endpoints/ep uses a deprecated API: v1 Endpoints is deprecated since Kubernetes 1.33" in line
               for line in lines)
    assert "could not find schema" not in result.stdout
    older = run_rosgit("validate", str(source), "--openshift-version", "4.18", "--validator", "builtin")
    assert "Endpoints" not in older.stdout and "FlowSchema is deprecated since Kubernetes 1.29" in older.stdout
    both = run_rosgit("validate", str(source), "--openshift-version", "4.20", "--kubernetes-version", "1.33")
    assert both.returncode == 2 and both.stderr.count("\n") == 1
    unknown = run_rosgit("validate", str(source), "--openshift-version", "4.99")
    assert unknown.returncode == 2 and "known: 4.12" in unknown.stderr
