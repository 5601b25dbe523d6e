from __future__ import annotations

import inspect

from rosgit.ids import rules_of
from rosgit.lint import rules
from rosgit.lint.context import LintContext
from rosgit.lint.runner import lint_objects, suppressions
from tests.lint.factory import container, deployment

CTX = LintContext(source="test")


def insecure(name: str, ignore: str | None = None) -> dict:
    d = deployment(name, container(securityContext={}, image="busybox"))
    if ignore is not None:
        d["metadata"]["annotations"] = {"rosgit.io/lint-ignore": ignore}
    return d


def test_findings_are_sorted_unique_and_carry_the_source() -> None:
    findings = lint_objects([insecure("a")], CTX)
    assert [f.id for f in findings] == ["ROS302", "ROS401", "ROS402", "ROS403", "ROS404"]
    assert {f.source for f in findings} == {"test"}


def test_suppression_is_per_object_and_per_id() -> None:
    objects = [insecure("a", "ros302, ROS401"), insecure("b")]
    found = {(f.id, f.object) for f in lint_objects(objects, CTX)}
    assert ("ROS302", "Deployment/shop/a") not in found and ("ROS401", "Deployment/shop/a") not in found
    assert ("ROS402", "Deployment/shop/a") in found and ("ROS302", "Deployment/shop/b") in found
    assert lint_objects([insecure("a", "all")], CTX) == []
    assert suppressions(objects) == {"Deployment/shop/a": {"ROS302", "ROS401"}}


def test_select_runs_only_the_chosen_ids() -> None:
    assert [f.id for f in lint_objects([insecure("a")], CTX, select={"ROS302"})] == ["ROS302"]


def test_every_rule_id_is_described_and_each_rule_only_emits_its_ids() -> None:
    declared = [i for rule in rules.RULES for i in rule.ids]
    assert len(declared) == len(set(declared)) and set(declared) == {rule.id for rule in rules_of("lint")}
    for rule in rules.RULES:
        source = inspect.getsource(inspect.getmodule(rule.function))  # type: ignore[arg-type]
        for rule_id in rule.ids:
            assert rule_id in source
