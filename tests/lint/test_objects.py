from __future__ import annotations

import pytest

from rosgit.lint.objects import map_selector_matches, pod_templates, ref, selector_matches
from tests.lint.factory import container, deployment, obj

LABELS = {"app": "web", "tier": "front"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ({}, True),
        ({"matchLabels": {"app": "web"}}, True),
        ({"matchLabels": {"app": "db"}}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "x"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, True),
        ({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "Bogus"}]}, False),
        ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
    ],
)
def test_label_selector_semantics(selector: dict, matches: bool) -> None:
    assert selector_matches(selector, LABELS) is matches


def test_absent_selector_matches_nothing_and_map_selectors() -> None:
    assert selector_matches(None, LABELS) is False
    assert map_selector_matches({"app": "web"}, LABELS)
    assert not map_selector_matches({"app": "web", "x": "y"}, LABELS)


def test_pod_templates_of_every_workload_kind() -> None:
    cron = obj("CronJob", "c", "batch/v1", spec={"jobTemplate": {"spec": {"template": {
        "metadata": {"labels": {"app.kubernetes.io/name": "c"}}, "spec": {"containers": [container()]}}}}})
    pod = obj("Pod", "p", spec={"containers": [container()]})
    templates = pod_templates([deployment("d", replicas=3), cron, pod, obj("Service", "s")])
    assert [(t.kind, t.workload, t.replicas) for t in templates] == [
        ("Deployment", "d", 3), ("CronJob", "c", None), ("Pod", "p", None)
    ]
    assert deployment("d")["spec"].get("replicas") is None and pod_templates([deployment("d")])[0].replicas == 1


def test_refs() -> None:
    assert ref(obj("Service", "s")) == "Service/shop/s"
    assert ref({"kind": "Namespace", "metadata": {"name": "x"}}) == "Namespace/x"
