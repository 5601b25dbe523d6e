from __future__ import annotations

from rosgit.lint.context import LintContext
from rosgit.lint.security import check_pod_security
from tests.lint.factory import container, deployment

CTX = LintContext(source="test")


def found(*objects: dict, context: LintContext = CTX) -> list[str]:
    return sorted(f.id for f in check_pod_security(list(objects), context))


def test_a_restricted_pod_passes() -> None:
    assert found(deployment("api")) == []


def test_each_restricted_control() -> None:
    assert found(deployment("a", container(securityContext={}))) == ["ROS401", "ROS402", "ROS403", "ROS404"]
    privileged = container()
    privileged["securityContext"]["privileged"] = True
    assert found(deployment("a", privileged)) == ["ROS405"]
    root = container()
    root["securityContext"]["runAsUser"] = 0
    assert found(deployment("a", root)) == ["ROS401"]
    caps = container()
    caps["securityContext"]["capabilities"]["add"] = ["NET_BIND_SERVICE", "SYS_ADMIN"]
    assert found(deployment("a", caps)) == ["ROS403"]


def test_pod_level_settings_count_for_every_container() -> None:
    bare = container()
    del bare["securityContext"]["runAsNonRoot"], bare["securityContext"]["seccompProfile"]
    pod = {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}}
    assert found(deployment("a", bare, pod=pod)) == []
    assert found(deployment("a", bare)) == ["ROS401", "ROS404"]


def test_host_access_and_volume_types() -> None:
    pod = {
        "hostNetwork": True,
        "volumes": [{"name": "h", "hostPath": {"path": "/"}}, {"name": "n", "nfs": {"server": "x", "path": "/"}}],
    }
    ported = container(ports=[{"containerPort": 80, "hostPort": 80}])
    assert found(deployment("a", ported, pod=pod)) == ["ROS406", "ROS406", "ROS406", "ROS407"]


def test_fixed_uids_only_matter_on_openshift() -> None:
    fixed = container()
    fixed["securityContext"]["runAsUser"] = 1000
    pod = deployment("db", fixed, pod={"securityContext": {"fsGroup": 26}})
    assert found(pod) == []
    assert found(pod, context=LintContext(platform="openshift")) == ["ROS408", "ROS408"]


def test_init_containers_are_checked_too() -> None:
    init = container("wait", securityContext={"runAsNonRoot": True})
    assert found(deployment("a", pod={"initContainers": [init]})) == ["ROS402", "ROS403", "ROS404"]
