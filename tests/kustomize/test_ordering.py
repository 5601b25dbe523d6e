"""kustomize's legacy output order, checked against the real pinned kustomize."""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from rosgit.kustomize.ordering import DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST, legacy_sort
from rosgit.kustomize.yamlio import dump_documents, load_resource_documents
from tests.conftest import require_real_tool

KINDS = [*DEFAULT_ORDER_FIRST, *DEFAULT_ORDER_LAST, "Pod", "Job", "Ingress", "Foo", "foo", "A", "DaemonSet"]
API_VERSIONS = ["v1", "v2", "apps/v1", "batch/v1", "example.com/v1", "example.com/v1beta1", "a/v1", "z.io/v2"]
NAMESPACES = [None, "default", "a", "a-b", "b", "z"]
NAMES = ["a", "a-b", "a.b", "b", "A", "z", "x1", "x10", "x2"]


def ident(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = obj["metadata"]
    return obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"]


def random_objects(seed: int, count: int, kinds: list[str]) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    seen: set[tuple[str, str, str]] = set()
    objs: list[dict[str, Any]] = []
    while len(objs) < count:
        obj: dict[str, Any] = {"apiVersion": rng.choice(API_VERSIONS), "kind": rng.choice(kinds),
                               "metadata": {"name": rng.choice(NAMES)}}
        namespace = rng.choice(NAMESPACES)
        if namespace:
            obj["metadata"]["namespace"] = namespace
        # kustomize treats some namespace spellings as the same id; keep ids unique without them.
        key = (obj["apiVersion"], obj["kind"], obj["metadata"]["name"])
        if key not in seen:
            seen.add(key)
            objs.append(obj)
    return objs


def real_order(objs: list[dict[str, Any]], kustomization: str) -> list[tuple[str, str, str, str]]:
    kustomize = require_real_tool("kustomize")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "all.yaml").write_text("\n---\n".join(json.dumps(o) for o in objs) + "\n", encoding="utf-8")
        (root / "kustomization.yaml").write_text(kustomization, encoding="utf-8")
        real = subprocess.run([str(kustomize), "build", str(root)], capture_output=True, text=True, check=False)
    assert real.returncode == 0, real.stderr
    return [ident(o) for o in load_resource_documents(real.stdout, "output")]


@pytest.mark.tools
@pytest.mark.parametrize("seed", range(6))
def test_default_order_matches_real_kustomize(seed: int) -> None:
    kinds = KINDS + ["Namespace"] * (8 if seed % 2 else 0)
    objs = random_objects(seed, 45, kinds)
    assert [ident(o) for o in legacy_sort(objs)] == real_order(objs, "resources: [all.yaml]\n")


@pytest.mark.tools
@pytest.mark.parametrize(
    ("options", "first", "last"),
    [
        ("orderFirst: [Pod, Service]", ["Pod", "Service"], []),
        ("orderLast: [Pod, Service]", [], ["Pod", "Service"]),
        ("orderFirst: [Pod, Service]\n    orderLast: [Service, Role]", ["Pod", "Service"], ["Service", "Role"]),
        ("{}", [], []),
    ],
)
def test_custom_legacy_lists_match_real_kustomize(options: str, first: list[str], last: list[str]) -> None:
    objs = random_objects(99, 40, KINDS)
    kustomization = (
        "resources: [all.yaml]\nsortOptions:\n  order: legacy\n  legacySortOptions:\n    " + options + "\n"
        if options != "{}"
        else "resources: [all.yaml]\nsortOptions:\n  order: legacy\n  legacySortOptions: {}\n"
    )
    assert [ident(o) for o in legacy_sort(objs, first, last)] == real_order(objs, kustomization)


def test_known_order() -> None:
    objs = [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}},
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}},
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
         "metadata": {"name": "v"}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "b"}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "a"}},
        {"apiVersion": "example.com/v1", "kind": "Namespace", "metadata": {"name": "custom"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "core"}},
    ]
    assert [(o["kind"], o["metadata"]["name"], o["metadata"].get("namespace")) for o in legacy_sort(objs)] == [
        ("Namespace", "core", None),
        ("Namespace", "custom", None),
        ("Service", "s", "a"),
        ("Service", "s", "b"),
        ("Service", "s", None),
        ("Job", "j", None),
        ("Pod", "p", None),
        ("ValidatingWebhookConfiguration", "v", None),
    ]


def test_sort_does_not_touch_objects() -> None:
    objs = random_objects(3, 10, KINDS)
    before = dump_documents(objs)
    legacy_sort(objs)
    assert dump_documents(objs) == before
