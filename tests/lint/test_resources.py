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


def _production_context() -> LintContext:
    from rosgit.catalog import load_catalog
    from tests.conftest import REPO_ROOT

    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    return LintContext(catalog, "openshift", "shop", "overlays/openshift-prod")


def test_a_tag_only_pin_warns_in_a_production_overlay() -> None:
    from rosgit.lint.resources import check_digest_pins

    tagged = deployment("a", container("a", image="quay.io/x/y:1.0"))
    digested = deployment("b", container("b", image="quay.io/x/y@sha256:" + "0" * 64))
    findings = check_digest_pins([tagged, digested], _production_context())
    assert [(f.id, f.severity, f.object) for f in findings] == [("ROS303", "warning", "Deployment/shop/a")]
    # not in an overlay the catalog does not mark production
    development = LintContext(_production_context().catalog, "openshift", "shop", "overlays/openshift-dev")
    assert check_digest_pins([tagged], development) == []


def test_the_catalogs_reasoned_acknowledgement_silences_the_tag_pin_warning() -> None:
    from rosgit.lint.resources import check_digest_pins

    tagged = deployment("a", container("a", image="quay.io/x/y:1.0"))
    tagged["metadata"]["annotations"] = {"checkov.io/skip1": "CKV_K8S_43=no digest is published for this tag"}
    assert check_digest_pins([tagged], _production_context()) == []


def test_a_request_above_its_limit_is_an_error() -> None:
    # the API server refuses such a pod (requests must be <= limits), whatever produced the overlay
    from rosgit.lint.resources import check_requests_within_limits

    within = container("ok", resources={"requests": {"cpu": "500m", "memory": "1Gi"},
                                        "limits": {"cpu": "1", "memory": "1024Mi"}})
    above = container("greedy", resources={"requests": {"cpu": "1500m", "memory": "2Gi"},
                                           "limits": {"cpu": "1", "memory": "1Gi"}})
    findings = check_requests_within_limits([deployment("api", within, above)], CTX)
    assert [(f.id, f.severity, f.object) for f in findings] == [("ROS304", "error", "Deployment/shop/api")] * 2
    assert "container greedy: cpu request 1500m is above its limit 1" in findings[0].message
    assert "memory request 2Gi is above its limit 1Gi" in findings[1].message
