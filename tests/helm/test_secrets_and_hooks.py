"""Secrets survive upgrades (lookup first, random only when absent) or come from existingSecret; Jobs are
post-install/post-upgrade hooks ordered like the overlays' waves, never pre-install."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helm.conftest import helm

pytestmark = pytest.mark.tools


def _render(chart: Path, *args: str, binary: str = "helm") -> list[dict[str, Any]]:
    proc = helm(binary, "template", "ros-ocp", str(chart), "-n", "ns", *args)
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


def _by(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


@pytest.fixture
def fake_lookup_chart(chart_dir: Path, tmp_path: Path) -> Path:
    """The chart with `lookup` answered from values (`helm template` has no cluster to ask)."""
    chart = tmp_path / "ros-ocp"
    shutil.copytree(chart_dir, chart)
    (chart / "values.schema.json").unlink()
    path = chart / "templates" / "secrets.yaml"
    text, count = re.subn(
        r'\(lookup "v1" "Secret" \.Release\.Namespace ("[^"]+")\)',
        r"(index .Values.live \1 | default dict)",
        path.read_text(),
    )
    assert count >= 5
    path.write_text(text)
    return chart


def test_live_secret_values_are_kept_and_missing_keys_generated(
    fake_lookup_chart: Path, tmp_path: Path
) -> None:
    kept = base64.b64encode(b"existing-password").decode()
    live = {"live": {"koku-db-credentials": {"data": {"password": kept}}}}
    values = tmp_path / "live.yaml"
    values.write_text(yaml.safe_dump(live))
    secret = _by(_render(fake_lookup_chart, "-f", str(values)), "Secret")["koku-db-credentials"]
    assert secret["data"]["password"] == kept
    admin = base64.b64decode(secret["data"]["admin-password"]).decode()
    assert re.fullmatch(r"[A-Za-z0-9]{32}", admin)


def test_without_a_live_secret_values_are_random(chart_dir: Path) -> None:
    first = _by(_render(chart_dir), "Secret")
    second = _by(_render(chart_dir), "Secret")
    assert first.keys() == second.keys()
    assert (
        first["koku-db-credentials"]["data"]["password"] != second["koku-db-credentials"]["data"]["password"]
    )
    access = base64.b64decode(first["object-storage-credentials"]["data"]["access-key"]).decode()
    assert re.fullmatch(r"[A-Z0-9]{20}", access)
    assert first["koku-db-credentials"]["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_existing_secret_replaces_the_generated_one(chart_dir: Path) -> None:
    objects = _render(chart_dir, "--set", "secrets.kokuDbCredentials.existingSecret=my-koku-db")
    assert "koku-db-credentials" not in _by(objects, "Secret")
    api = _by(objects, "Deployment")["koku-api-reads"]
    refs = {
        e["valueFrom"]["secretKeyRef"]["name"]
        for e in api["spec"]["template"]["spec"]["containers"][0]["env"]
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    assert "my-koku-db" in refs and "koku-db-credentials" not in refs
    assert "koku-django-secret" in refs


def test_jobs_are_post_install_hooks_after_setup(chart_dir: Path) -> None:
    objects = _render(chart_dir)
    jobs = _by(objects, "Job")
    assert set(jobs) == {"kafka-topics", "minio-buckets", "ros-db-migrate", "koku-migrate"}
    weights = {}
    for name, job in jobs.items():
        annotations = job["metadata"]["annotations"]
        assert annotations["helm.sh/hook"] == "post-install,post-upgrade"
        assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation"
        weights[name] = int(annotations["helm.sh/hook-weight"])
        waits = [c["name"] for c in job["spec"]["template"]["spec"].get("initContainers", [])]
        assert waits and all(w.startswith("wait-for-") for w in waits)
    assert weights["kafka-topics"] < weights["koku-migrate"]
    assert weights["minio-buckets"] < weights["ros-db-migrate"]
    for obj in objects:
        hook = (obj["metadata"].get("annotations") or {}).get("helm.sh/hook", "")
        assert "pre-install" not in hook
        if obj["kind"] in ("StatefulSet", "Deployment", "Secret", "ConfigMap"):
            assert not hook, obj["metadata"]["name"]


@pytest.mark.parametrize(
    ("setting", "binary"),
    [("trino.vars.trinoWorkerHeap=3G", "helm"), ("trino.vars.trinoQueryMaxMemory=<&>é", "helm3")],
)
def test_config_map_hash_follows_values_like_kustomize(chart_dir: Path, setting: str, binary: str) -> None:
    from rosgit.kustomize.hashing import name_suffix_hash

    objects = _render(chart_dir, "--set-string", setting, binary=binary)
    configs = [
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("trino-worker")
    ]
    [config] = configs
    assert setting.split("=", 1)[1] in "".join(config["data"].values())
    assert config["metadata"]["name"] == f"trino-worker-config-{name_suffix_hash(config)}"
    worker = _by(objects, "Deployment")["trino-worker"]
    volumes = {v["name"]: v for v in worker["spec"]["template"]["spec"]["volumes"]}
    assert volumes["config"]["configMap"]["name"] == config["metadata"]["name"]


@pytest.mark.parametrize("mode", ["org-admin", "rbac"])
def test_authorization_config_is_hashed_and_referenced_like_kustomize(chart_dir: Path, mode: str) -> None:
    """A mode change renames the ConfigMap `authorization` in Koku's and ROS's env, so it rolls them."""
    from rosgit.kustomize.hashing import name_suffix_hash

    objects = _render(chart_dir, "--set-string", f"global.authorization.mode={mode}")
    [config] = [
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("authorization")
    ]
    assert config["metadata"]["name"] == f"authorization-{name_suffix_hash(config)}"
    refs = {
        ref["name"]
        for name in ("koku-api-reads", "rosocp-api")
        for var in _by(objects, "Deployment")[name]["spec"]["template"]["spec"]["containers"][0]["env"]
        if (ref := (var.get("valueFrom") or {}).get("configMapKeyRef")) and ref["name"].startswith("authorization")
    }
    assert refs == {config["metadata"]["name"]}
