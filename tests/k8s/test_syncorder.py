"""One sync-order model: lint (ROS701-704) and the Argo CD stage (ROS530) give the same verdicts on the same
objects, and `rosgit check` reports each ordering defect once."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.argocd.order import order_findings
from rosgit.check.command import run_check
from rosgit.check.model import STAGES
from rosgit.k8s.argo import HOOK, SYNC_WAVE
from rosgit.k8s.labels import COMPONENT
from rosgit.k8s.syncorder import annotation_problems, position_of, sync_violations
from rosgit.lint.context import LintContext
from rosgit.lint.rules import RULES
from tests.check.repo_copy import copy_repo, plant
from tests.lint.factory import container, deployment, obj

Obj = dict[str, Any]
CTX = LintContext(source="test")
ORDER_IDS = ("ROS701", "ROS702", "ROS703", "ROS704")


def waved(o: Obj, wave: str, hook: str | None = None) -> Obj:
    o["metadata"].setdefault("annotations", {})[SYNC_WAVE] = wave
    if hook:
        o["metadata"]["annotations"][HOOK] = hook
    return o


def database(name: str, wave: str) -> list[Obj]:
    db = waved(deployment(name, kind="StatefulSet"), wave)
    db["metadata"]["labels"] = {COMPONENT: "database"}
    service = obj("Service", name, spec={"selector": {"app.kubernetes.io/name": name}})
    return [db, service]


def client(name: str, wave: str, kind: str = "Deployment", hook: str | None = None) -> Obj:
    env = [{"name": "DB_HOST", "value": "db.shop.svc"}]
    return waved(deployment(name, container(env=env), kind=kind), wave, hook)


def reader(wave: str) -> Obj:
    return waved(deployment("api", container(envFrom=[{"configMapRef": {"name": "cfg"}}])), wave)


def config(wave: str) -> Obj:
    return waved(obj("ConfigMap", "cfg"), wave)


def sealed(wave: str) -> Obj:
    return waved(obj("SealedSecret", "s", "bitnami.com/v1alpha1", spec={"encryptedData": {"k": "x"}}), wave)


def secret_reader(wave: str) -> Obj:
    env = [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]
    return waved(deployment("worker", container(env=env)), wave)


def healthy_stack() -> list[Obj]:
    return [*database("db", "-10"), client("migrate", "0", "Job", "Sync"), client("app", "10")]


# (case, objects, the (rule id, object) verdicts both reporters must give)
CASES: list[tuple[str, Callable[[], list[Obj]], list[tuple[str, str]]]] = [
    (
        "same-wave ConfigMap and Deployment: kind order applies the ConfigMap first",
        lambda: [config("0"), reader("0")],
        [],
    ),
    (
        "wave-10 ConfigMap read by a wave-0 Deployment",
        lambda: [config("10"), reader("0")],
        [("ROS701", "Deployment/shop/api")],
    ),
    (
        "a wave 'ten' is one annotation defect, never judged as wave 0",
        lambda: [config("ten"), reader("-5")],
        [("ROS704", "ConfigMap/shop/cfg")],
    ),
    (
        "a reader with an unreadable wave is not judged either",
        lambda: [config("10"), reader(" 5")],
        [("ROS704", "Deployment/shop/api")],
    ),
    (
        "a hook naming no phase never runs",
        lambda: [config("10"), waved(reader("0"), "0", "Presync")],
        [("ROS704", "Deployment/shop/api")],
    ),
    (
        "same-wave SealedSecret: its Secret is not there yet",
        lambda: [sealed("0"), secret_reader("0")],
        [("ROS701", "Deployment/shop/worker")],
    ),
    ("earlier SealedSecret", lambda: [sealed("-1"), secret_reader("0")], []),
    ("a healthy database, migration and app", healthy_stack, []),
    (
        "a database in the migration's wave",
        lambda: [*database("db", "0"), client("migrate", "0", "Job", "Sync"), client("app", "10")],
        [("ROS702", "Job/shop/migrate")],
    ),
    (
        "an app in the migration's wave",
        lambda: [*database("db", "-10"), client("migrate", "0", "Job", "Sync"), client("app", "0")],
        [("ROS703", "Deployment/shop/app")],
    ),
    (
        "an app before its database",
        lambda: [*database("db", "-10"), client("migrate", "0", "Job", "Sync"), client("app", "-10")],
        [("ROS702", "Deployment/shop/app"), ("ROS703", "Deployment/shop/app")],
    ),
]


def _lint(objects: list[Obj]) -> list[tuple[str, str, str]]:
    found = []
    for rule in RULES:
        if set(rule.ids) & set(ORDER_IDS):
            found += [(f.id, f.object, f.message) for f in rule.function(copy.deepcopy(objects), CTX)]
    return sorted(found)


@pytest.mark.parametrize(("name", "make", "expected"), CASES, ids=[c[0] for c in CASES])
def test_lint_and_the_argocd_stage_give_the_same_verdicts(
    name: str, make: Callable[[], list[Obj]], expected: list[tuple[str, str]]
) -> None:
    objects = make()
    lint = _lint(objects)
    argocd = sorted(
        (f.object, f.message) for f in order_findings([(f"{i}.yaml", o) for i, o in enumerate(objects)])
    )
    assert sorted((rule_id, subject) for rule_id, subject, _ in lint) == sorted(expected)
    assert sorted((subject, message) for _, subject, message in lint) == argocd
    assert all(f.id == "ROS530" for f in order_findings([("x.yaml", o) for o in objects]))


def test_a_non_integer_wave_says_so_and_nothing_about_wave_0() -> None:
    messages = [v.message for v in sync_violations([config("ten"), reader("-5")])]
    assert messages == ["sync-wave 'ten' is not an integer"]


@pytest.mark.parametrize(
    ("wave", "ok"),
    [("0", True), ("-10", True), ("+5", True), ("ten", False), (" 5", False), ("1_0", False), ("", False)],
)
def test_waves_are_read_like_go_atoi(wave: str, ok: bool) -> None:
    cm = config(wave)
    assert (position_of(cm) is not None) is ok
    assert (annotation_problems(cm) == []) is ok


def test_off_sync_hooks_have_no_position() -> None:
    for hook in ("Skip", "SyncFail", "PreDelete", "PostDelete", "PreSync,Skip"):
        assert position_of(waved(obj("Job", "j"), "0", hook)) is None, hook
    assert position_of(waved(obj("Job", "j"), "3", "PostSync,PreSync")).barrier == (0, 3)  # type: ignore[union-attr]


def only(*stages: str) -> list[str]:
    return [",".join(s for s in STAGES if s not in stages)]


def test_rosgit_check_reports_a_late_configmap_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy_repo(tmp_path)
    plant(repo / "base/trino-worker/kustomization.yaml", "sync-wave: '-20'", "sync-wave: '10'")
    plant(repo / "base/trino-worker/deployment.yaml", "sync-wave: '10'", "sync-wave: '0'")
    code = run_check(
        repo / "rosgit.yaml", output="json", overlays=["minimal"], skip=only("build", "lint", "argocd")
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    about_config = [
        (f["id"], f["stage"], f["object"])
        for f in report["findings"]
        if "trino-worker-config" in f["message"]
    ]
    assert about_config == [("ROS701", "lint", "Deployment/ros-ocp/trino-worker")]
    assert [f for f in report["findings"] if f["id"] == "ROS530"] == []
    # the Argo CD stage did run (and saw the same broken overlay), so the silence above means something
    assert {s["status"] for s in report["stages"] if s["stage"] == "argocd"} == {"ok"}
