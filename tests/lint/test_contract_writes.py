"""CON012: a path the program writes, on no volume, that the container's user may not write in the image.

The plants start from the repository's Kubernetes `minimal` overlay (built by the builtin engine), because the
apache/kafka StatefulSet is leaving the OpenShift overlays for Strimzi: running its kafka StatefulSet "on
OpenShift" is the same pod without the fixed user the Kubernetes overlay gives it, judged as OpenShift runs it.
"""

from __future__ import annotations

import copy
import dataclasses
from functools import cache
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.contracts import contracts_for
from rosgit.contracts.model import User, WritableBy
from rosgit.lint.context import LintContext
from rosgit.lint.run_as import may_write, run_as
from rosgit.lint.runner import lint_objects
from rosgit.lint.targets import resolve_targets
from tests.conftest import REPO_ROOT

Obj = dict[str, Any]
KAFKA = "apache/kafka@1eb7644349cb07139d6a3c1ad1986979647cac99"
KOKU = "project-koku/koku@d8055ac2bcc9993e70a748104bb68e52cb06f69d"


@cache
def _built(overlay: str) -> tuple[list[Obj], LintContext]:
    catalog_path = REPO_ROOT / "rosgit.yaml"
    catalog = load_catalog(catalog_path)
    [target] = resolve_targets(catalog, REPO_ROOT, [overlay], contracts_for(catalog, catalog_path))
    return build_objects(target.path), target.context


def _pod(objects: list[Obj], kind: str, name: str) -> dict[str, Any]:
    workload = next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)
    spec = workload["spec"]
    template = spec["template"] if "template" in spec else spec["jobTemplate"]["spec"]["template"]
    pod: dict[str, Any] = template["spec"]
    return pod


def _con012(objects: list[Obj], context: LintContext) -> list[tuple[str, str]]:
    return [(f.object, f.message) for f in lint_objects(objects, context) if f.id == "CON012"]


def _as_on_openshift(objects: list[Obj], kind: str, name: str) -> list[Obj]:
    """The workload without the user and groups the Kubernetes overlay fixes: what restricted-v2 runs."""
    planted = copy.deepcopy(objects)
    pod = _pod(planted, kind, name)
    for key in ("runAsUser", "runAsGroup", "fsGroup"):
        pod["securityContext"].pop(key, None)
    return planted


def test_the_kafka_statefulset_on_openshift_cannot_write_its_config() -> None:
    objects, context = _built("minimal")
    assert _con012(objects, context) == []
    openshift = dataclasses.replace(context, platform="openshift")
    found = _con012(_as_on_openshift(objects, "StatefulSet", "kafka"), openshift)
    config = [m for obj, m in found if obj == "StatefulSet/ros-ocp/kafka" and "path /opt/kafka/config:" in m]
    assert len(config) == 1, found
    [message] = config
    assert message.startswith("container kafka path /opt/kafka/config: "), message
    assert "arbitrary UID" in message and "only the image's USER appuser may write it" in message
    assert f"writes /opt/kafka/config ({KAFKA}:docker/resources/common-scripts/configure:65)" in message
    assert f"source {KAFKA}:docker/jvm/Dockerfile:66-78]" in message
    # the volume it mounts at /var/lib/kafka/data is not judged; no other workload is named
    assert {obj for obj, _ in found} == {"StatefulSet/ros-ocp/kafka"}
    assert not any("/var/lib/kafka/data" in message for _, message in found)


def test_kafka_tools_write_nothing_so_the_topics_job_is_fine_on_openshift() -> None:
    objects, context = _built("minimal")
    openshift = dataclasses.replace(context, platform="openshift")
    assert _con012(_as_on_openshift(objects, "Job", "kafka-topics"), openshift) == []


@pytest.mark.parametrize(
    ("security", "flagged"),
    [
        ({"runAsUser": 1001, "runAsGroup": 1001}, True),  # neither the image's koku (1000) nor group 0
        ({"runAsUser": 1001, "runAsGroup": 0}, False),  # group 0 may write Koku's APP_HOME
        ({"runAsUser": 1001, "runAsGroup": 1001, "fsGroup": 0}, False),  # fsGroup is a supplementary group
        ({"runAsUser": 1001}, False),  # the runtime picks the group: not judged
    ],
    ids=["other-user-other-group", "other-user-group-0", "fsgroup-0", "group-unknown"],
)
def test_koku_run_as_another_user_on_kubernetes(security: dict[str, int], flagged: bool) -> None:
    objects, context = _built("minimal")
    planted = copy.deepcopy(objects)
    pod = _pod(planted, "Deployment", "koku-api-reads")
    for key in ("runAsUser", "runAsGroup", "fsGroup"):
        pod["securityContext"].pop(key, None)
    pod["securityContext"].update(security)
    # app.log where Koku opens it by default, APP_HOME on a writable root (the catalog moves it to /tmp)
    main = pod["containers"][0]
    main["env"] = [var for var in main["env"] if var["name"] != "LOG_DIRECTORY"]
    main["securityContext"]["readOnlyRootFilesystem"] = False
    found = [
        message for obj, message in _con012(planted, context)
        if obj == "Deployment/ros-ocp/koku-api-reads" and "path /opt/koku/koku/app.log:" in message
    ]
    assert len(found) == (1 if flagged else 0), found
    if flagged:
        assert "runAsUser 1001 with group 1001" in found[0] and f"source {KOKU}:Dockerfile:68-70]" in found[0]


@pytest.mark.parametrize("overlay", ["minimal", "dev", "prod"])
def test_the_kubernetes_overlays_give_no_con012(overlay: str) -> None:
    # The OpenShift overlays still run the apache/kafka StatefulSet, which CON012 rightly flags until Strimzi
    # lands there; the planted tests above hold OpenShift to the rule.
    objects, context = _built(overlay)
    assert context.platform == "kubernetes"
    assert _con012(objects, context) == []


OWNER = User(name="app", source="X:Dockerfile:1", uid=1000)


@pytest.mark.parametrize(
    ("platform", "pod", "writable_by", "expected"),
    [
        ("openshift", {}, "owner", False),
        ("openshift", {}, "root-group", True),
        ("openshift", {"runAsGroup": 5}, "root-group", False),
        ("openshift", {"runAsUser": 1000}, "owner", True),
        ("openshift", {}, "anyone", True),
        ("openshift", {}, "unknown", None),
        ("kubernetes", {}, "owner", True),
        ("kubernetes", {"runAsUser": 2000, "runAsGroup": 2000}, "owner", False),
        ("kubernetes", {"runAsUser": 2000, "runAsGroup": 2000, "supplementalGroups": [0]}, "root-group", True),
        ("kubernetes", {"runAsUser": 0}, "owner", None),
    ],
)
def test_who_may_write(platform: str, pod: dict[str, Any], writable_by: WritableBy, expected: bool | None) -> None:
    assert may_write(run_as(platform, {"securityContext": pod}, {}, OWNER), writable_by) is expected
    unknown_owner = dataclasses.replace(OWNER, uid=None)
    if pod.get("runAsUser") not in (None, 0) and writable_by == "owner":
        assert may_write(run_as(platform, {"securityContext": pod}, {}, unknown_owner), writable_by) is None
