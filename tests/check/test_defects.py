"""Each defect class planted in a copy of the repository is caught by the right stage, with a stable id,
the exact object, and a failing exit code. Only the relevant stage runs, to keep these fast."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rosgit.check.command import run_check
from rosgit.check.model import STAGES
from tests.check.repo_copy import copy_repo, plant


def only(*stages: str) -> list[str]:
    return [",".join(s for s in STAGES if s not in stages)]


def check_json(root: Path, capsys: pytest.CaptureFixture[str], overlay: str, *stages: str) -> tuple[int, dict]:
    code = run_check(root / "rosgit.yaml", output="json", overlays=[overlay], skip=only("build", *stages))
    return code, json.loads(capsys.readouterr().out)


def found(report: dict, finding_id: str) -> list[tuple[str, str]]:
    return [(f["object"], f["stage"]) for f in report["findings"] if f["id"] == finding_id]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path)


def test_unknown_field_typo_is_a_validation_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plant(repo / "base/kruize/deployment.yaml", "  replicas: 1\n", "  replcas: 1\n")
    code, report = check_json(repo, capsys, "minimal", "validate")
    assert code == 1
    assert found(report, "VAL001") == [("Deployment/ros-ocp/kruize", "validate")]
    assert "replcas" in report["findings"][0]["message"]


def test_wrong_type_is_a_validation_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plant(repo / "base/kruize/deployment.yaml", "  replicas: 1\n", "  replicas: one\n")
    code, report = check_json(repo, capsys, "minimal", "validate")
    assert code == 1
    assert found(report, "VAL001") == [("Deployment/ros-ocp/kruize", "validate")]
    assert "/spec/replicas" in report["findings"][0]["message"]


def test_dangling_secret_key(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plant(repo / "base/kruize/deployment.yaml", "key: kruize-password", "key: kruize-pasword")
    code, report = check_json(repo, capsys, "minimal", "lint")
    assert code == 1
    assert found(report, "ROS102") == [("Deployment/ros-ocp/kruize", "lint")]
    assert "kruize-pasword" in report["findings"][0]["message"]


def test_selector_matching_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    service = repo / "base/kruize/service.yaml"
    text = service.read_text()
    head, selector = text.split("  selector:\n", 1)
    service.write_text(head + "  selector:\n" + selector.replace("name: kruize", "name: kruise", 1))
    code, report = check_json(repo, capsys, "minimal", "lint")
    assert code == 1
    assert found(report, "ROS201") == [("Service/ros-ocp/kruize", "lint")]


def test_required_flow_blocked(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # kruize may no longer reach its database: drop it from the egress policy's peers.
    policies = repo / "components/openshift/network-policies.yaml"
    docs = policies.read_text().split("\n---\n")
    index = next(i for i, d in enumerate(docs) if "name: allow-egress-from-kruize\n" in d)
    docs[index] = docs[index].replace("app.kubernetes.io/name: ros-db", "app.kubernetes.io/name: ros-db-gone")
    policies.write_text("\n---\n".join(docs))
    code, report = check_json(repo, capsys, "openshift-minimal", "lint")
    assert code == 1
    blocked = [f for f in report["findings"] if f["id"] == "ROS601"]
    assert [(f["object"], f["stage"]) for f in blocked] == [("Deployment/ros-ocp/kruize", "lint")]
    assert "kruize -> ros-db:5432/TCP" in blocked[0]["message"]
    assert "egress from kruize is denied" in blocked[0]["message"]


def test_extra_flow_open(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An ingress rule with no `from` lets every pod (and every namespace) reach Kafka: on OpenShift the
    # Strimzi broker pods, whose replication port only the operator's pods may use.
    policies = repo / "components/openshift/network-policies.yaml"
    text = policies.read_text()
    policies.write_text(
        text
        + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: open-kafka\n"
        "spec:\n  podSelector:\n    matchLabels:\n      strimzi.io/cluster: ros-kafka\n"
        "      strimzi.io/broker-role: 'true'\n"
        "  policyTypes: [Ingress]\n  ingress:\n  - ports:\n    - port: 9091\n"
    )
    kustomization = repo / "components/openshift/kustomization.yaml"
    assert "network-policies.yaml" in kustomization.read_text()
    code, report = check_json(repo, capsys, "openshift-minimal", "lint")
    assert code == 1
    extra = [f for f in report["findings"] if f["id"] == "ROS602"]
    assert {f["object"] for f in extra} == {"KafkaNodePool/ros-ocp/brokers"}
    # Ingress is open on 9091, but every pod of the namespace is still egress-isolated: only peers outside
    # it (the externals, DNS included) can use the hole; the cluster operator's use of it is in the matrix.
    flows = {f["message"].split(" is open")[0].removeprefix("flow ") for f in extra}
    peers = ("dns", "kube-apiserver", "monitoring", "odf-s3", "router")
    assert flows == {f"{peer} -> kafka:9091/TCP" for peer in peers}
    assert all("NetworkPolicy/ros-ocp/open-kafka" in f["message"] for f in extra)


def test_privileged_container(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plant(
        repo / "base/kruize/deployment.yaml",
        "          allowPrivilegeEscalation: false\n",
        "          allowPrivilegeEscalation: false\n          privileged: true\n",
    )
    code, report = check_json(repo, capsys, "minimal", "lint")
    assert code == 1
    assert found(report, "ROS405") == [("Deployment/ros-ocp/kruize", "lint")]


def test_missing_limits(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    limits = "          limits:\n            cpu: '1'\n            memory: 2Gi\n"
    plant(repo / "base/kruize/deployment.yaml", limits, "")
    code, report = check_json(repo, capsys, "minimal", "lint")
    assert code == 1
    assert found(report, "ROS301") == [("Deployment/ros-ocp/kruize", "lint")]
    assert "limits.cpu, limits.memory" in report["findings"][0]["message"]


def test_typo_in_argocd_application(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plant(repo / "argocd/applications/minimal.yaml", "  destination:\n", "  destinaton:\n")
    code = run_check(repo / "rosgit.yaml", output="json", overlays=["minimal"], skip=only("argocd"))
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    objects = {(f["id"], f["object"]) for f in report["findings"] if f["severity"] == "error"}
    assert ("ROS521", "Application/argocd/ros-ocp-minimal") in objects


def test_suppression_annotation_silences_one_object(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deployment = repo / "base/kruize/deployment.yaml"
    plant(deployment, "          allowPrivilegeEscalation: false\n",
          "          allowPrivilegeEscalation: false\n          privileged: true\n")
    plant(deployment, "  annotations:\n    argocd.argoproj.io/sync-wave: '10'\n",
          "  annotations:\n    rosgit.io/lint-ignore: ROS405, ROS999\n    argocd.argoproj.io/sync-wave: '10'\n")
    code, report = check_json(repo, capsys, "minimal", "lint")
    assert found(report, "ROS405") == []
    assert code == 0
