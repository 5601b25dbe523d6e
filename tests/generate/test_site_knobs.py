"""Site knobs (docs/site-knobs.md) reach the overlays, the most specific level winning: the catalog of
tests/site_knobs.py sets every knob at every level, and the overlays are built by the pinned kustomize."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.repo.tree import render_tree
from tests.conftest import require_real_tool
from tests.site_knobs import site_catalog_text, write_site_repo

Objects = dict[tuple[str, str], dict[str, Any]]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site-knobs")
    write_site_repo(root)
    return root


def _built(repo: Path, overlay: str) -> Objects:
    require_real_tool("kustomize")
    objects = build_objects(repo / "overlays" / overlay, engine="kustomize")
    assert objects == build_objects(repo / "overlays" / overlay, engine="builtin")
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


def _pod(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]
    template: dict[str, Any] = (spec["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else spec)["template"]
    return template


@pytest.mark.tools
def test_the_most_specific_level_wins_in_every_overlay(repo: Path) -> None:
    prod, openshift_prod, minimal = (_built(repo, name) for name in ("prod", "openshift-prod", "minimal"))
    database = prod["StatefulSet", "ros-db"]
    pod = _pod(database)
    # the component's nodeSelector and tolerations replace the profile's and the platform's whole
    assert pod["spec"]["nodeSelector"] == {"node-role.kubernetes.io/infra": ""}
    assert [t["key"] for t in pod["spec"]["tolerations"]] == [
        "node-role.kubernetes.io/infra", "node.kubernetes.io/unreachable"
    ]
    assert pod["spec"]["tolerations"][1]["tolerationSeconds"] == 300
    # labels and annotations merge key by key: catalog, platform, profile, component
    for metadata in (database["metadata"], pod["metadata"]):
        assert {k: v for k, v in metadata["labels"].items() if k.startswith("example.com/")} == {
            "example.com/cost-center": "cc-42", "example.com/tier": "data", "example.com/env": "prod",
            "example.com/cloud": "on-prem",
        }
        assert {k: v for k, v in metadata["annotations"].items() if k.startswith("example.com/")} == {
            "example.com/owner": "platform-team", "example.com/backup": "true", "example.com/data": "yes",
        }
    # a claim's volume class picks the profile's StorageClass; the catalog's for the class the profile keeps
    assert database["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast-ssd-db"
    assert prod["PersistentVolumeClaim", "redis-data"]["spec"]["storageClassName"] == "fast-ssd"
    assert minimal["PersistentVolumeClaim", "redis-data"]["spec"]["storageClassName"] == "standard-rwo"
    assert "storageClassName" not in minimal["StatefulSet", "ros-db"]["spec"]["volumeClaimTemplates"][0]["spec"]
    # the catalog's pull secret everywhere, the component's where it sets its own
    assert _pod(prod["Deployment", "rosocp-api"])["spec"]["imagePullSecrets"] == [{"name": "registry-pull"}]
    api = _pod(prod["Deployment", "koku-api-reads"])["spec"]
    assert api["imagePullSecrets"] == [{"name": "api-pull"}]
    # the component's affinity replaces the profile's, and the profile's spreading stays beside it
    assert sorted(api["affinity"]) == ["nodeAffinity", "podAntiAffinity"]
    assert "preferredDuringSchedulingIgnoredDuringExecution" in api["affinity"]["nodeAffinity"]
    assert _pod(prod["Deployment", "rosocp-api"])["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]
    assert _pod(minimal["Deployment", "rosocp-api"])["spec"]["affinity"] == {
        "podAffinity": _pod(minimal["Deployment", "rosocp-api"])["spec"]["affinity"]["podAffinity"]
    }
    # the platform's labels and nodeSelector on OpenShift, the profile's over them
    os_api = _pod(openshift_prod["Deployment", "rosocp-processor"])
    assert os_api["metadata"]["labels"]["example.com/tier"] == "openshift"
    assert os_api["spec"]["nodeSelector"] == {"example.com/pool": "large"}
    assert _pod(_built(repo, "openshift-minimal")["Deployment", "rosocp-processor"])["spec"]["nodeSelector"] == {
        "example.com/pool": "small"
    }


@pytest.mark.tools
def test_the_published_host_and_tls_follow_the_profile_then_the_platform(repo: Path) -> None:
    ingress = _built(repo, "prod")["Ingress", "ros-ocp"]["spec"]
    assert [rule["host"] for rule in ingress["rules"]] == ["ros-prod.example.org"]
    assert ingress["tls"] == [{"hosts": ["ros-prod.example.org"], "secretName": "ros-prod-tls"}]
    dev = _built(repo, "dev")["Ingress", "ros-ocp"]["spec"]
    # the platform's ingressHost over the catalog's host; the catalog's TLS Secret
    assert dev["rules"][0]["host"] == "ros-ocp.example.com"
    assert dev["tls"] == [{"hosts": ["ros-ocp.example.com"], "secretName": "ros-tls"}]
    assert _built(repo, "openshift-prod")["Route", "gateway"]["spec"]["host"] == "ros-prod.example.org"
    route = _built(repo, "openshift-dev")["Route", "gateway"]["spec"]
    assert route["host"] == "ros.apps.example.org" and route["tls"]["termination"] == "edge"


def test_the_knobs_render_deterministically(tmp_path: Path) -> None:
    (tmp_path / "rosgit.yaml").write_text(site_catalog_text(), encoding="utf-8")
    first, second = (render_tree(load_catalog(tmp_path / "rosgit.yaml")) for _ in range(2))
    assert first == second
    assert any("storageClassName: fast-ssd-db" in text for text in first.values())
