"""Differential property test for the engine: hypothesis draws objects *and* kustomizations (namespace,
prefixes, labels, annotations, images, replicas, strategic-merge and JSON 6902 patches with odd values);
the builtin engine must print exactly what the real kustomize prints, or both must fail."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rosgit.errors import RosgitError
from tests.conftest import require_real_tool

NAMES = st.sampled_from(["web", "api", "worker", "db"])
ODD = st.one_of(
    st.sampled_from(
        ["yes", "0755", "1.0", "a: b", "#x", "", " lead", "trail ", "é😀", "multi\nline\n", "~", "null"]
    ),
    st.text(st.sampled_from([*"abz09 :#'\"-_.", "é", "\t"]), max_size=10),
    st.lists(st.sampled_from(["lorem", "ipsum", "a:", "x" * 30]), min_size=8, max_size=20).map(" ".join),
)
IMAGES = st.sampled_from(["nginx:1.25", "quay.io/org/app:2", "redis", "busybox@sha256:" + "a" * 64])


def _deployment(name: str, image: str, env_value: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": image,
                            "env": [{"name": "A", "value": env_value}],
                            "ports": [{"containerPort": 8080, "name": "http"}],
                        },
                        {"name": "sidecar", "image": "busybox:1"},
                    ],
                    "volumes": [{"name": "cfg", "configMap": {"name": "settings"}}],
                },
            },
        },
    }


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, Any], list[Any]]:
    names = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    objects = [_deployment(n, draw(IMAGES), draw(ODD), draw(st.integers(0, 3))) for n in names]
    objects.append(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"k": draw(ODD)}}
    )
    objects.append(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": names[0]},
            "spec": {"selector": {"app": names[0]}, "ports": [{"port": 80, "targetPort": "http"}]},
        }
    )
    kustomization: dict[str, Any] = {"resources": ["resources.yaml"]}
    if draw(st.booleans()):
        kustomization["namespace"] = draw(st.sampled_from(["ns-a", "team-b"]))
    if draw(st.booleans()):
        kustomization["namePrefix"] = "p-"
    if draw(st.booleans()):
        kustomization["labels"] = [
            {"pairs": {"tier": draw(st.sampled_from(["x", "y"]))}, "includeSelectors": draw(st.booleans())}
        ]
    if draw(st.booleans()):
        kustomization["commonAnnotations"] = {"note": draw(ODD)}
    if draw(st.booleans()):
        kustomization["images"] = [
            {"name": "nginx", "newTag": "1.27"},
            {"name": "redis", "newName": "valkey/valkey"},
        ]
    if draw(st.booleans()):
        kustomization["replicas"] = [{"name": names[0], "count": draw(st.integers(1, 5))}]
    if draw(st.booleans()):
        kustomization["configMapGenerator"] = [
            {
                "name": "settings",
                "behavior": "merge",
                "literals": [f"extra={draw(st.sampled_from(['1', 'on', 'x y']))}"],
            }
        ]
    patches: list[Any] = []
    for name in draw(st.lists(st.sampled_from(names), max_size=2, unique=True)):
        kind = draw(st.sampled_from(["env", "delete-sidecar", "replicas", "json"]))
        if kind == "json":
            ops = [
                {"op": "replace", "path": "/spec/replicas", "value": draw(st.integers(0, 4))},
                {"op": "add", "path": "/metadata/annotations", "value": {"patched": draw(ODD)}},
            ]
            patches.append({"target": {"kind": "Deployment", "name": name}, "patch": yaml.safe_dump(ops)})
            continue
        container: dict[str, Any] = {"name": "main"}
        spec: dict[str, Any] = {}
        if kind == "env":
            container["env"] = [{"name": "A", "value": draw(ODD)}, {"name": "B", "value": draw(ODD)}]
            spec["template"] = {"spec": {"containers": [container]}}
        elif kind == "delete-sidecar":
            spec["template"] = {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}
        else:
            spec["replicas"] = draw(st.integers(0, 9))
        patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}
        patches.append({"patch": yaml.safe_dump(patch)})
    if patches:
        kustomization["patches"] = patches
    return objects, kustomization, patches


@pytest.mark.tools
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_random_kustomizations_build_like_real_kustomize(
    tree: tuple[list[dict[str, Any]], dict[str, Any], list[Any]],
) -> None:
    from rosgit.kustomize import build_text

    objects, kustomization, _ = tree
    kustomize = require_real_tool("kustomize")
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "resources.yaml").write_text(
            yaml.safe_dump_all(objects, allow_unicode=True), encoding="utf-8"
        )
        (root / "kustomization.yaml").write_text(
            yaml.safe_dump(kustomization, allow_unicode=True), encoding="utf-8"
        )
        real = subprocess.run(
            [str(kustomize), "build", str(root)], capture_output=True, text=True, check=False
        )
        if real.returncode != 0:
            with pytest.raises(RosgitError):
                build_text(root)
            return
        assert build_text(root) == real.stdout
