"""Each class of contract violation planted in a copy of a real built overlay gives its finding.

The overlay is the repository's own `minimal` (built by the builtin engine), the contracts are the packaged
ones, and each plant is one edit a user could make in the catalog: the finding names the planted object and
field, and the untouched overlay has no such finding.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.contracts import contracts_for
from rosgit.lint.runner import lint_objects
from rosgit.lint.targets import resolve_targets
from tests.conftest import REPO_ROOT

Obj = dict[str, Any]


@cache
def _built() -> tuple[list[Obj], Any]:
    catalog_path = REPO_ROOT / "rosgit.yaml"
    catalog = load_catalog(catalog_path)
    [target] = resolve_targets(catalog, REPO_ROOT, ["minimal"], contracts_for(catalog, catalog_path))
    return build_objects(target.path), target.context


def _workload(objects: list[Obj], name: str, kind: str | None = None) -> Obj:
    return next(
        o
        for o in objects
        if o["metadata"]["name"] == name
        and o["kind"] in ((kind,) if kind else ("Deployment", "StatefulSet", "Job"))
    )


def _main(objects: list[Obj], name: str) -> dict[str, Any]:
    container: dict[str, Any] = _workload(objects, name)["spec"]["template"]["spec"]["containers"][0]
    return container


def drop_required_env(objects: list[Obj]) -> None:
    container = _main(objects, "kruize")
    container["env"] = [e for e in container["env"] if e["name"] != "hibernate_dialect"]


def move_probe_port(objects: list[Obj]) -> None:
    _main(objects, "rosocp-api")["readinessProbe"]["httpGet"]["port"] = 8001


def rename_topic(objects: list[Obj]) -> None:
    container = _main(objects, "kafka-topics")
    container["command"] = [
        re.sub(r"\bhccm\.ros\.events\b", "hccm.ros.event", c) for c in container["command"]
    ]


def remove_bucket(objects: list[Obj]) -> None:
    container = _main(objects, "minio-buckets")
    container["command"] = [c.replace(" ros-data", "") for c in container["command"]]


def drop_queue_worker(objects: list[Obj]) -> None:
    objects.remove(_workload(objects, "koku-worker-summary", "Deployment"))


def drop_extension_init(objects: list[Obj]) -> None:
    database = _workload(objects, "koku-db", "StatefulSet")["spec"]["template"]["spec"]
    database["volumes"] = [v for v in database["volumes"] if "koku-db-start" not in str(v.get("configMap"))]
    database["containers"][0]["volumeMounts"] = [
        m for m in database["containers"][0].get("volumeMounts", []) if m["name"] != "config"
    ]


PLANTS: list[tuple[Callable[[list[Obj]], None], str, str, str]] = [
    # (plant, finding id, object, a fragment of the message naming the field)
    (drop_required_env, "CON001", "Deployment/ros-ocp/kruize", "env hibernate_dialect"),
    (move_probe_port, "CON004", "Deployment/ros-ocp/rosocp-api", "readinessProbe httpGet port 8001"),
    (rename_topic, "CON008", "Deployment/ros-ocp/koku-listener", "topic hccm.ros.events"),  # its first user
    (remove_bucket, "CON009", "Deployment/ros-ocp/koku-listener", "bucket ros-data"),
    (drop_queue_worker, "CON010", "Deployment/ros-ocp/koku-celery-beat", "Celery queue summary"),
    (drop_extension_init, "CON011", "Job/ros-ocp/koku-migrate", "extension pg_stat_statements"),
]


def _matching(objects: list[Obj], finding_id: str, obj: str, fragment: str) -> list[str]:
    _, context = _built()
    return [
        f.line()
        for f in lint_objects(objects, context)
        if f.id == finding_id and f.object == obj and fragment in f.message
    ]


@pytest.mark.parametrize(
    ("plant", "finding_id", "obj", "fragment"), PLANTS, ids=[p[0].__name__ for p in PLANTS]
)
def test_a_planted_violation_gives_its_finding(
    plant: Callable[[list[Obj]], None], finding_id: str, obj: str, fragment: str
) -> None:
    objects, _ = _built()
    assert _matching(objects, finding_id, obj, fragment) == []
    planted = copy.deepcopy(objects)
    plant(planted)
    found = _matching(planted, finding_id, obj, fragment)
    assert len(found) == 1, found
    assert "source " in found[0] and "@" in found[0]  # the contract fact's provenance: owner/repo@commit:path


# Facts of the Koku contract that hold only when ONPREM=False (their `when:`); the minimal overlay's Koku runs in
# analytics trino mode (ONPREM=False), so it is held to them, and the same objects with ONPREM=True are not.
ONPREM_FALSE_ONLY = [
    ("CON008", "topic platform.notifications.ingress"),
    ("CON008", "topic platform.rhsm-subscriptions.service-instance-ingress"),
    ("CON010", "Celery queue subs_extraction"),
    ("CON010", "Celery queue subs_transmission"),
]


def _without_off_prem_provisions(objects: list[Obj]) -> list[Obj]:
    """The overlay minus what it provides for ONPREM=False only: the kafka-topics Job's off-prem topics and the
    SUBS workers, so the facts have something to be judged on."""
    copied = [o for o in copy.deepcopy(objects) if not o["metadata"]["name"].startswith("koku-worker-subs-")]
    container = _main(copied, "kafka-topics")
    for topic in ("platform.notifications.ingress", "platform.rhsm-subscriptions.service-instance-ingress"):
        container["command"] = [re.sub(rf"\s{re.escape(topic)}\b", "", c) for c in container["command"]]
    return copied


def _set_onprem_on_koku(objects: list[Obj], value: str) -> None:
    koku = [o for o in objects if o["kind"] in ("Deployment", "Job") and o["metadata"]["name"].startswith("koku-")
            and "/koku:" in str(o["spec"])]
    assert koku
    for obj in koku:
        for container in obj["spec"]["template"]["spec"]["containers"]:
            env = [e for e in container.get("env", []) if e["name"] != "ONPREM"]
            container["env"] = [*env, {"name": "ONPREM", "value": value}]


def _found(objects: list[Obj], finding_id: str, fragment: str) -> list[str]:
    _, context = _built()
    return [f.line() for f in lint_objects(objects, context) if f.id == finding_id and fragment in f.message]


def test_the_off_prem_koku_gets_what_onprem_false_needs() -> None:
    objects = _built()[0]
    for finding_id, fragment in ONPREM_FALSE_ONLY:
        assert _found(objects, finding_id, fragment) == [], (finding_id, fragment)


@pytest.mark.parametrize("spelling", ["True", "1"])
def test_facts_only_true_when_onprem_is_false_are_held_against_the_off_prem_koku_only(spelling: str) -> None:
    objects = _without_off_prem_provisions(_built()[0])
    for finding_id, fragment in ONPREM_FALSE_ONLY:
        found = _found(objects, finding_id, fragment)
        assert found and all("source " in line for line in found), (finding_id, fragment, found)
    flipped = copy.deepcopy(objects)
    _set_onprem_on_koku(flipped, spelling)
    for finding_id, fragment in ONPREM_FALSE_ONLY:
        assert _found(flipped, finding_id, fragment) == [], (finding_id, fragment)
