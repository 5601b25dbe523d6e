"""A small Git repository of kustomize overlays, committed twice, for `rosgit diff`."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path
from typing import Any

import yaml

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app.kubernetes.io/name: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app.kubernetes.io/name: web}}
  template:
    metadata: {labels: {app.kubernetes.io/name: web}}
    spec:
      containers:
      - name: web
        image: quay.io/example/web:1.0
        env:
        - {name: MODE, value: slow}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: 200m, memory: 256Mi}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app.kubernetes.io/name: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
"""
CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: web-settings}
data: {level: info}
"""


def overlay(namespace: str, extra: str = "") -> str:
    return f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: {namespace}\n" \
        f"resources:\n- ../../base/web\n{extra}"


FIRST = {
    "rosgit.yaml": "project: {name: demo, namespace: demo}\n",
    "base/web/kustomization.yaml": "resources:\n- deployment.yaml\n- service.yaml\n",
    "base/web/deployment.yaml": DEPLOYMENT,
    "base/web/service.yaml": SERVICE,
    "overlays/dev/kustomization.yaml": overlay("demo-dev"),
    "overlays/prod/kustomization.yaml": overlay("demo-prod", "replicas:\n- {name: web, count: 2}\n"),
    "overlays/old/kustomization.yaml": overlay("demo-old"),
}

SECOND = {
    **FIRST,
    # every overlay: a new ConfigMap, an env value changed, a variable added
    "base/web/kustomization.yaml": "resources:\n- deployment.yaml\n- service.yaml\n- config.yaml\n",
    "base/web/config.yaml": CONFIG,
    "base/web/deployment.yaml": DEPLOYMENT.replace(
        "value: slow}", "value: fast}\n        - {name: EXTRA, value: 'on'}"
    ),
    # dev: a new image tag and more memory
    "overlays/dev/kustomization.yaml": overlay(
        "demo-dev",
        "images:\n- {name: quay.io/example/web, newTag: '1.1'}\npatches:\n- target: {kind: Deployment, name: web}\n"
        "  patch: |\n    - {op: replace, path: /spec/template/spec/containers/0/resources/limits/memory, value: 1Gi}\n",
    ),
    # prod: three replicas, no Service
    "overlays/prod/kustomization.yaml": overlay("demo-prod", "replicas:\n- {name: web, count: 3}\n").replace(
        "- ../../base/web\n", "- ../../base/web\npatches:\n- patch: |\n    $patch: delete\n    apiVersion: v1\n"
        "    kind: Service\n    metadata: {name: web}\n"
    ),
    # a new overlay; overlays/old is gone
    "overlays/new/kustomization.yaml": overlay("demo-new"),
}
del SECOND["overlays/old/kustomization.yaml"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
        env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
             "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(repo), "PATH": "/usr/bin:/bin"},
    ).stdout.strip()


def write_tree(repo: Path, files: dict[str, str]) -> None:
    for existing in sorted(repo.rglob("*"), reverse=True):
        if ".git" not in existing.parts and existing.is_file():
            existing.unlink()
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    write_tree(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def make_repo(repo: Path) -> tuple[str, str]:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    return commit(repo, FIRST, "first"), commit(repo, SECOND, "second")


def kustomize_at(repo: Path, commit_id: str, kustomize: Path, scratch: Path) -> dict[str, list[dict[str, Any]]]:
    """Every overlay as the real `kustomize build` renders it at `commit_id`."""
    tree = scratch / commit_id
    tree.mkdir(parents=True)
    archive = scratch / f"{commit_id}.tar"
    git(repo, "archive", "-o", str(archive), commit_id)
    with tarfile.open(archive) as bundle:
        bundle.extractall(tree, filter="data")
    built = {}
    for directory in sorted((tree / "overlays").iterdir()):
        text = subprocess.run(
            [str(kustomize), "build", str(directory)], check=True, capture_output=True, text=True
        ).stdout
        built[f"overlays/{directory.name}"] = [doc for doc in yaml.safe_load_all(text) if doc]
    return built
