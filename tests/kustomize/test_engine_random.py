"""Randomised differential test: small generated kustomize trees (bases, overlays, components,
generators, patches, labels, images, replacements, name changes) must build exactly like the real
kustomize, or fail in both. Seeds are fixed, so failures reproduce."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.errors import RosgitError
from tests.conftest import require_real_tool

SEEDS = range(40)


class _Tree:
    def __init__(self, rng: random.Random, root: Path) -> None:
        self.rng = rng
        self.root = root
        self.generated: set[str] = set()

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def workload(self, name: str) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choice(["Deployment", "StatefulSet", "DaemonSet"])
        container = {
            "name": "app",
            "image": rng.choice(["nginx:1", "redis", "busybox@sha256:" + "a" * 64, "quay.io/x/y:2"]),
            "env": [
                {"name": "A", "value": "1"},
                {"name": "CM", "valueFrom": {"configMapKeyRef": {"name": rng.choice(["cfg", "other"]), "key": "k"}}},
            ],
            "envFrom": [{"secretRef": {"name": "sec"}}],
            "volumeMounts": [{"name": "v", "mountPath": "/v"}],
            "ports": [{"containerPort": 80}],
        }
        obj: dict[str, Any] = {
            "apiVersion": "apps/v1",
            "kind": kind,
            "metadata": {"name": name, "labels": {"app": name}},
            "spec": {
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {
                        "serviceAccountName": "sa",
                        "containers": [container],
                        "initContainers": [{"name": "i", "image": "busybox"}],
                        "volumes": [
                            {"name": "v", "configMap": {"name": "cfg"}},
                            {"name": "p", "persistentVolumeClaim": {"claimName": "pvc"}},
                        ],
                    },
                },
            },
        }
        if kind == "StatefulSet":
            obj["spec"]["serviceName"] = name
        return obj

    @staticmethod
    def companions(name: str) -> list[dict[str, Any]]:
        rbac = "rbac.authorization.k8s.io"
        return [
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
             "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}},
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}},
            {"apiVersion": f"{rbac}/v1", "kind": "RoleBinding", "metadata": {"name": "rb"},
             "roleRef": {"apiGroup": rbac, "kind": "Role", "name": "role"},
             "subjects": [{"kind": "ServiceAccount", "name": "sa"}, {"kind": "ServiceAccount", "name": "default"}]},
            {"apiVersion": f"{rbac}/v1", "kind": "Role", "metadata": {"name": "role"},
             "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["cfg"], "verbs": ["get"]}]},
            {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "pvc"},
             "spec": {"accessModes": ["ReadWriteOnce"]}},
        ]  # fmt: skip

    def kustomization(self, directory: Path, resources: list[str], top: bool) -> dict[str, Any]:
        rng = self.rng
        k: dict[str, Any] = {"resources": resources}
        if self.chance(0.5):
            k["namePrefix"] = rng.choice(["a-", "b-", "x-"])
        if self.chance(0.3):
            k["nameSuffix"] = rng.choice(["-s", "-t"])
        if self.chance(0.4):
            k["namespace"] = rng.choice(["ns1", "ns2"])
        if self.chance(0.3):
            k["commonLabels"] = {"team": rng.choice(["t1", "t2"])}
        if self.chance(0.3):
            k["labels"] = [{"pairs": {"lab": "v"}, "includeSelectors": self.chance(0.5),
                            "includeTemplates": self.chance(0.5)}]
        if self.chance(0.3):
            k["commonAnnotations"] = {"note": "nv"}
        if self.chance(0.4):
            field = rng.choice(["newTag", "newName", "digest"])
            value = {"newTag": "v9", "newName": "reg/new", "digest": "sha256:" + "b" * 64}[field]
            k["images"] = [{"name": rng.choice(["nginx", "redis", "busybox", "quay.io/x/y"]), field: value}]
        if self.chance(0.5):
            name = rng.choice(["cfg", "other"])
            generator: dict[str, Any] = {"name": name, "literals": [f"k={rng.randint(0, 9)}"]}
            if name in self.generated:
                generator["behavior"] = rng.choice(["merge", "replace"])
            if top or name not in self.generated:
                k["configMapGenerator"] = [generator]
            self.generated.add(name)
        if self.chance(0.3) and "sec" not in self.generated:
            self.generated.add("sec")
            k["secretGenerator"] = [{"name": "sec", "literals": ["s=1"]}]
        if self.chance(0.4):
            patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
                     "spec": {"template": {"spec": {"containers": [
                         {"name": "app", "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "3"}]},
                         {"name": "side", "image": "s"}]}}}}  # fmt: skip
            k["patches"] = [{"target": {"kind": rng.choice(["Deployment", "StatefulSet|DaemonSet", ".*Set"])},
                             "patch": yaml.safe_dump(patch)}]
        if top and self.chance(0.3):
            k["replicas"] = [{"name": "web", "count": rng.randint(0, 5)}]
        (directory / "kustomization.yaml").write_text(yaml.safe_dump(k), encoding="utf-8")
        return k

    def component(self, index: int) -> str:
        directory = self.root / f"comp{index}"
        directory.mkdir()
        k: dict[str, Any] = {"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component"}
        if self.chance(0.5):
            extra = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"extra{index}"}, "data": {"x": "y"}}
            (directory / "extra.yaml").write_text(yaml.safe_dump(extra), encoding="utf-8")
            k["resources"] = ["extra.yaml"]
        if self.chance(0.5):
            k["commonAnnotations"] = {f"comp{index}": f"yes-{index}"}
        if self.chance(0.5):
            ops = f"- op: add\n  path: /data/c{index}\n  value: v\n"
            k["patches"] = [{"target": {"kind": "ConfigMap"}, "patch": ops}]
        if self.chance(0.4) and "cfg" in self.generated:
            k["configMapGenerator"] = [{"name": "cfg", "behavior": "merge", "literals": [f"c{index}=1"]}]
        if self.chance(0.4):
            k["namePrefix"] = "c-"
        if self.chance(0.3):
            k["replacements"] = [{
                "source": {"kind": "ServiceAccount", "fieldPath": "metadata.name"},
                "targets": [{"select": {"kind": "RoleBinding"}, "fieldPaths": ["metadata.annotations.sa"],
                             "options": {"create": True}}],
            }]  # fmt: skip
        (directory / "kustomization.yaml").write_text(yaml.safe_dump(k), encoding="utf-8")
        return f"comp{index}"

    def build(self) -> None:
        bases = []
        for index, name in enumerate(["web", "api"][: self.rng.randint(1, 2)]):
            directory = self.root / f"base{index}"
            directory.mkdir()
            docs = [self.workload(name)] + (self.companions(name) if self.chance(0.7) else [])
            (directory / "r.yaml").write_text(yaml.safe_dump_all(docs), encoding="utf-8")
            self.kustomization(directory, ["r.yaml"], top=False)
            bases.append(directory.name)
        top = self.kustomization(self.root, bases, top=True)
        if self.chance(0.6):
            top["components"] = [self.component(i) for i in range(self.rng.randint(1, 2))]
            (self.root / "kustomization.yaml").write_text(yaml.safe_dump(top), encoding="utf-8")


@pytest.mark.tools
@pytest.mark.parametrize("seed", SEEDS)
def test_random_tree_builds_like_real_kustomize(seed: int, tmp_path: Path) -> None:
    from rosgit.kustomize import build_text

    _Tree(random.Random(seed), tmp_path).build()
    kustomize = require_real_tool("kustomize")
    real = subprocess.run([str(kustomize), "build", str(tmp_path)], capture_output=True, text=True, check=False)
    if real.returncode != 0:
        with pytest.raises(RosgitError):
            build_text(tmp_path)
        return
    assert build_text(tmp_path) == real.stdout


def _container(rng: random.Random, name: str) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": f"img-{name}"}
    if rng.random() < 0.7:
        envs = rng.sample(["A", "B", "C", "D"], rng.randint(1, 3))
        container["env"] = [{"name": e, "value": str(rng.randint(0, 9))} for e in envs]
    if rng.random() < 0.5:
        container["ports"] = [{"containerPort": p, "name": f"p{p}"} for p in rng.sample([80, 443, 8080], 2)]
    if rng.random() < 0.5:
        container["volumeMounts"] = [{"name": v, "mountPath": f"/{v}"} for v in rng.sample(["a", "b", "c"], 2)]
    if rng.random() < 0.3:
        container["args"] = rng.sample(["x", "y", "z"], 2)
    if rng.random() < 0.3:
        container["resources"] = {"limits": {"cpu": "1"}}
    return container


def _patch_list(rng: random.Random, key: str, items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in rng.sample(items, rng.randint(0, len(items))):
        item = dict(item)
        roll = rng.random()
        if roll < 0.15:
            item = {k: v for k, v in item.items() if k in ("name", "containerPort", "mountPath")}
            item["$patch"] = "delete"
        elif key == "containers":
            item = _container(rng, item["name"])
            if roll < 0.3:
                item["resources"] = {"$patch": "delete"}
            elif roll < 0.45:
                item["resources"] = {"$patch": "replace", "requests": {"memory": "1Gi"}}
            elif roll < 0.55:
                item["env"] = [{"name": "A", "$patch": "delete"}]
        out.append(item)
    if key == "containers" and rng.random() < 0.3:
        out.append(_container(rng, f"new{rng.randint(0, 9)}"))
    if rng.random() < 0.1:
        out.insert(0, {"$patch": "replace"})
    return out


@pytest.mark.tools
@pytest.mark.parametrize("seed", SEEDS)
def test_random_strategic_merge_patch_like_real_kustomize(seed: int, tmp_path: Path) -> None:
    """Strategic-merge patches on a pod template: list merge keys, element order, directives."""
    from rosgit.kustomize import build_text

    rng = random.Random(seed)
    spec: dict[str, Any] = {
        "containers": [_container(rng, n) for n in rng.sample(["app", "side", "log"], rng.randint(1, 3))],
        "volumes": [{"name": v, "emptyDir": {}} for v in rng.sample(["a", "b", "c"], rng.randint(1, 3))],
        "tolerations": [{"key": "k", "operator": "Exists"}],
        "imagePullSecrets": [{"name": n} for n in rng.sample(["s1", "s2"], rng.randint(1, 2))],
        "hostname": "h",
    }
    patch_spec: dict[str, Any] = {
        key: _patch_list(rng, key, value)
        for key, value in spec.items()
        if isinstance(value, list) and rng.random() < 0.7
    }
    if rng.random() < 0.2:
        patch_spec["hostname"] = None
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"template": {"spec": spec}}}  # fmt: skip
    patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
             "spec": {"template": {"spec": patch_spec}}}  # fmt: skip
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(deployment), encoding="utf-8")
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(patch), encoding="utf-8")
    (tmp_path / "kustomization.yaml").write_text("resources:\n- d.yaml\npatches:\n- path: p.yaml\n", encoding="utf-8")
    kustomize = require_real_tool("kustomize")
    real = subprocess.run([str(kustomize), "build", str(tmp_path)], capture_output=True, text=True, check=False)
    if real.returncode != 0:
        with pytest.raises(RosgitError):
            build_text(tmp_path)
        return
    assert build_text(tmp_path) == real.stdout


def _namespaced_docs(rng: random.Random) -> list[dict[str, Any]]:
    rbac = "rbac.authorization.k8s.io"

    def meta(name: str) -> dict[str, Any]:
        namespace = rng.choice([None, "a", "b", "default"])
        return {"name": name, **({"namespace": namespace} if namespace else {})}

    subject: dict[str, Any] = {"kind": "ServiceAccount", "name": "sa"}
    if rng.random() < 0.5:
        subject["namespace"] = rng.choice(["a", "b", "default", ""])
    docs = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("sa")},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("cm"), "data": {"a": "b"}},
        {"apiVersion": f"{rbac}/v1", "kind": rng.choice(["RoleBinding", "ClusterRoleBinding"]),
         "metadata": meta("rb"),
         "roleRef": {"apiGroup": rbac, "kind": rng.choice(["Role", "ClusterRole"]), "name": "r"},
         "subjects": [subject, {"kind": "ServiceAccount", "name": "default"}]},
        {"apiVersion": f"{rbac}/v1", "kind": rng.choice(["Role", "ClusterRole"]), "metadata": meta("r"),
         "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["cm"], "verbs": ["get"]}]},
        {"apiVersion": "v1", "kind": "Pod", "metadata": meta("p"),
         "spec": {"serviceAccountName": "sa",
                  "containers": [{"name": "c", "image": "i", "envFrom": [{"configMapRef": {"name": "cm"}}]}]}},
    ]  # fmt: skip
    return [d for d in docs if rng.random() < 0.85]


@pytest.mark.tools
@pytest.mark.parametrize("seed", SEEDS)
def test_random_namespaces_and_references_like_real_kustomize(seed: int, tmp_path: Path) -> None:
    """Namespaces set in files and by kustomizations at several levels, with role bindings,
    service accounts and generated config maps referring across them."""
    from rosgit.kustomize import build_text

    rng = random.Random(seed)
    bases = []
    for index in range(rng.randint(1, 2)):
        directory = tmp_path / f"b{index}"
        directory.mkdir()
        (directory / "r.yaml").write_text(yaml.safe_dump_all(_namespaced_docs(rng)), encoding="utf-8")
        k: dict[str, Any] = {"resources": ["r.yaml"]}
        if rng.random() < 0.5:
            k["namespace"] = rng.choice(["a", "b", "c"])
        if rng.random() < 0.5:
            k["namePrefix"] = rng.choice(["x-", "y-"])
        if rng.random() < 0.4:
            k["configMapGenerator"] = [{"name": "cm", "literals": ["k=v"], "behavior": "merge"}]
        (directory / "kustomization.yaml").write_text(yaml.safe_dump(k), encoding="utf-8")
        bases.append(directory.name)
    top: dict[str, Any] = {"resources": bases}
    if rng.random() < 0.5:
        top["namespace"] = rng.choice(["a", "top"])
    if rng.random() < 0.4:
        top["nameSuffix"] = "-s"
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(top), encoding="utf-8")
    kustomize = require_real_tool("kustomize")
    real = subprocess.run([str(kustomize), "build", str(tmp_path)], capture_output=True, text=True, check=False)
    if real.returncode != 0:
        with pytest.raises(RosgitError):
            build_text(tmp_path)
        return
    assert build_text(tmp_path) == real.stdout
