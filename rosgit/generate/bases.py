"""One Kustomize base per component, at the catalog's base profile and platform-neutral."""

from __future__ import annotations

from typing import Any

from rosgit.catalog.model import Catalog, Component
from rosgit.catalog.profiles import ResolvedProfile
from rosgit.fileset.text import text_file, yaml_file
from rosgit.generate.workloads import (
    config_key,
    persistent_volume_claims,
    render_config_file,
    service,
    service_account,
    workload,
)
from rosgit.k8s import labels as L
from rosgit.k8s.argo import WAVE_CONFIG, wave_annotation

KUSTOMIZATION_API = "kustomize.config.k8s.io/v1beta1"


def base_files(catalog: Catalog, component: Component, profile: ResolvedProfile) -> dict[str, str]:
    prefix = f"base/{component.name}"
    files: dict[str, str] = {}
    resources: list[str] = []

    def add(filename: str, *objects: dict[str, Any]) -> None:
        files[f"{prefix}/{filename}"] = yaml_file(*objects)
        resources.append(filename)

    account = service_account(catalog, component)
    if account is not None:
        add("serviceaccount.yaml", account)
    claims = persistent_volume_claims(catalog, component, profile)
    if claims:
        add("persistentvolumeclaims.yaml", *claims)
    svc = service(catalog, component)
    if svc is not None:
        add("service.yaml", svc)
    add(f"{component.kind.lower()}.yaml", workload(catalog, component, profile))

    kustomization: dict[str, Any] = {
        "apiVersion": KUSTOMIZATION_API,
        "kind": "Kustomization",
        "resources": resources,
    }
    if component.config is not None:
        entries = []
        for path in sorted(component.config.files):
            local = f"config/{path}"
            files[f"{prefix}/{local}"] = text_file(render_config_file(component, path, profile))
            entries.append(f"{config_key(path)}={local}")
        kustomization["configMapGenerator"] = [
            {
                "name": component.config.name,
                "files": entries,
                "options": {
                    "labels": L.component_labels(catalog, component),
                    "annotations": wave_annotation(WAVE_CONFIG),
                },
            }
        ]
    files[f"{prefix}/kustomization.yaml"] = yaml_file(kustomization)
    return files
