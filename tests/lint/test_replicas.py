from __future__ import annotations

import pytest

from rosgit.catalog import load_catalog
from rosgit.lint.context import LintContext
from rosgit.lint.replicas import check_disruption_budgets, check_singletons
from tests.conftest import REPO_ROOT
from tests.lint.factory import deployment, obj


@pytest.fixture(scope="module")
def context() -> LintContext:
    return LintContext(load_catalog(REPO_ROOT / "rosgit.yaml"), "kubernetes", "shop", "test")


def test_celery_beat_runs_exactly_one_replica(context: LintContext) -> None:
    beat = deployment("koku-celery-beat", replicas=2, strategy={"type": "Recreate"})
    assert [(f.id, f.object) for f in check_singletons([beat], context)] == [
        ("ROS801", "Deployment/shop/koku-celery-beat")
    ]
    beat["spec"]["replicas"] = 1
    assert check_singletons([beat], context) == []
    assert check_singletons([deployment("koku-api-reads", replicas=3)], context) == []


def test_singleton_rolling_update_and_autoscaler(context: LintContext) -> None:
    beat = deployment("koku-celery-beat", replicas=1)
    hpa = obj("HorizontalPodAutoscaler", "beat", "autoscaling/v2",
              spec={"scaleTargetRef": {"kind": "Deployment", "name": "koku-celery-beat"}, "maxReplicas": 3})
    assert sorted(f.id for f in check_singletons([beat, hpa], context)) == ["ROS801", "ROS802"]


def test_disruption_budgets_must_allow_an_eviction(context: LintContext) -> None:
    api = deployment("api", replicas=2)
    selector = {"matchLabels": {"app.kubernetes.io/name": "api"}}
    fine = obj("PodDisruptionBudget", "api", "policy/v1", spec={"selector": selector, "maxUnavailable": 1})
    stuck = obj("PodDisruptionBudget", "api", "policy/v1", spec={"selector": selector, "minAvailable": 2})
    orphan = obj("PodDisruptionBudget", "x", "policy/v1", spec={"selector": {"matchLabels": {"a": "b"}}})
    assert check_disruption_budgets([api, fine], context) == []
    assert [(f.id, f.severity) for f in check_disruption_budgets([api, stuck], context)] == [("ROS803", "error")]
    assert [(f.id, f.severity) for f in check_disruption_budgets([api, orphan], context)] == [("ROS803", "warning")]
