"""`rosgit verify`'s server-side dry run, against the local control plane (no Argo CD): an overlay is accepted
object by object, a planted invalid object is rejected by name with the API server's reason, a pod template
violating the namespace's Pod Security level is named in a warning, and nothing is persisted."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from rosgit.build import build_objects
from rosgit.rehearsal import objects as O
from rosgit.rehearsal.cluster import CONTROL_PLANE, Cluster
from rosgit.rehearsal.engine import VENDORED_CRDS
from rosgit.rehearsal.verify import verify_objects
from rosgit.tools import ProcessResult
from tests.conftest import REPO_ROOT
from tests.rehearsal.conftest import need_programs

pytestmark = pytest.mark.rehearsal


def test_verify_names_each_rejection_and_persists_nothing(tmp_path: Path) -> None:
    need_programs(CONTROL_PLANE)
    objects = build_objects(REPO_ROOT / "overlays" / "minimal")
    bad_service = copy.deepcopy(next(o for o in objects if o["kind"] == "Service"))
    bad_service["metadata"]["name"] = "planted-port"
    bad_service["spec"]["ports"][0]["port"] = 70000
    privileged = copy.deepcopy(next(o for o in objects if o["kind"] == "Deployment"))
    privileged["metadata"]["name"] = "planted-privileged"
    for container in privileged["spec"]["template"]["spec"]["containers"]:
        container["securityContext"] = {"privileged": True}
    with Cluster(tmp_path, gitops=False) as cluster:
        crds = O.crd_objects(VENDORED_CRDS.glob("*.yaml"), {str(o["apiVersion"]) for o in objects})
        cluster.install_crds(crds)
        cluster.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": "ros-ocp", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}])

        def kubectl(args: list[str], stdin: str) -> ProcessResult:
            return cluster.kubectl(args, input_text=stdin, check=False)

        verdict = verify_objects("minimal", [*objects, bad_service, privileged], "ros-ocp", kubectl)
        persisted = cluster.get_json(["get", "deployments,services", "-n", "ros-ocp"])["items"]
    assert verdict.rejected and [subject for subject, _ in verdict.rejected] == ["Service/planted-port"]
    assert "70000" in verdict.rejected[0][1]
    assert any(subject == "Deployment/planted-privileged" and "PodSecurity" in warning
               for subject, warning in verdict.warnings), verdict.warnings
    assert len(verdict.accepted) == len(objects) + 1
    assert persisted == []
