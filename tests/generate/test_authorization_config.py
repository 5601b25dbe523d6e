"""The ConfigMap `authorization` is hashed like the gateway's: a mode change renames it, and the new name is
what Koku's and ROS's pods reference, so the change rolls them (kustomize configMapGenerator, name suffix hash)."""

from __future__ import annotations

from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.kustomize.hashing import name_suffix_hash
from tests.conftest import REPO_ROOT

Obj = dict[str, Any]


def _authorization_refs(objects: list[Obj]) -> set[str]:
    names = set()
    for obj in objects:
        if obj["kind"] != "Deployment":
            continue
        for container in obj["spec"]["template"]["spec"]["containers"]:
            for var in container.get("env") or []:
                ref = (var.get("valueFrom") or {}).get("configMapKeyRef") or {}
                if str(ref.get("name", "")).startswith("authorization"):
                    names.add(ref["name"])
    return names


@pytest.mark.parametrize("overlay", ["minimal", "openshift-prod"])
def test_the_pods_reference_the_hashed_authorization_config(overlay: str) -> None:
    objects = build_objects(REPO_ROOT / "overlays" / overlay)
    [config] = [o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("authorization")]
    assert config["metadata"]["name"] == f"authorization-{name_suffix_hash(config)}"
    assert _authorization_refs(objects) == {config["metadata"]["name"]}


def test_a_mode_change_changes_the_name_the_pods_reference() -> None:
    from rosgit.catalog import load_catalog
    from rosgit.generate.identity import authorization_config

    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    names = {
        mode: f"authorization-{name_suffix_hash(obj)}"
        for mode in ("org-admin", "rbac")
        if (obj := authorization_config(catalog, mode)) is not None
    }
    assert len(set(names.values())) == 2
