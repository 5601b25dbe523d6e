"""Known perpetual-OutOfSync sources are absent from every built overlay, and detected when present."""

from __future__ import annotations

from typing import Any

import pytest

from rosgit.argocd.drift import drift_problems

Obj = dict[str, Any]


@pytest.mark.parametrize(
    "overlay", ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]
)
def test_built_overlays_have_no_drift_source(built: dict[str, list[Obj]], overlay: str) -> None:
    assert drift_problems(built[overlay]) == []
    assert any(o["kind"] == "StatefulSet" and o["spec"].get("volumeClaimTemplates") for o in built[overlay])


def test_drift_sources_are_detected() -> None:
    statefulset = {
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "ns"},
        "spec": {"volumeClaimTemplates": [{"metadata": {"name": "data"}}]},
    }
    secret = {"kind": "Secret", "metadata": {"name": "s"}, "data": {"a": "Yg=="}}
    problems = drift_problems([statefulset, secret])
    assert [where for where, _ in problems] == ["StatefulSet/ns/db", "Secret//s"]
    assert "volumeClaimTemplates[data]" in problems[0][1]
