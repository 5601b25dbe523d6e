from __future__ import annotations

import pytest

from rosgit.lint.context import LintContext
from rosgit.lint.resources import check_container_resources, check_images, image_problem
from tests.lint.factory import container, deployment

CTX = LintContext(source="test")


def test_every_container_including_init_needs_requests_and_limits() -> None:
    init = container("wait", resources={"requests": {"cpu": "1m", "memory": "1Mi"}})
    findings = check_container_resources([deployment("api", container(), pod={"initContainers": [init]})], CTX)
    assert [(f.id, f.object) for f in findings] == [("ROS301", "Deployment/shop/api")]
    assert "container wait has no limits.cpu, limits.memory" in findings[0].message


@pytest.mark.parametrize(
    ("image", "bad"),
    [
        ("quay.io/x/app:1.0", False),
        ("quay.io/x/app@sha256:abc", False),
        ("localhost:5000/app:2", False),
        ("quay.io/x/app", True),
        ("localhost:5000/app", True),
        ("quay.io/x/app:latest", True),
        ("", True),
    ],
)
def test_image_pinning(image: str, bad: bool) -> None:
    assert (image_problem(image) is not None) == bad


def test_latest_image_is_reported_on_the_workload() -> None:
    cron = deployment("job", container(image="busybox"), kind="CronJob")
    cron["spec"] = {"jobTemplate": {"spec": {"template": cron["spec"]["template"]}}}
    assert [(f.id, f.object) for f in check_images([cron], CTX)] == [("ROS302", "CronJob/shop/job")]
