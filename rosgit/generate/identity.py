"""The ConfigMap `authorization`: what an overlay's authorization mode sets in the backends (Koku's
ENHANCED_ORG_ADMIN, ROS's RBAC_ENABLE), read by their env from this one place per overlay."""

from __future__ import annotations

from rosgit.catalog.model import AuthorizationMode, Catalog
from rosgit.k8s import labels as L
from rosgit.k8s.argo import WAVE_CONFIG, wave_annotation
from rosgit.k8s.objects import Obj

AUTHORIZATION_CONFIG = "authorization"
# key -> value per mode. org-admin: Koku treats every org admin as allowed everything without asking RBAC
# (ENHANCED_ORG_ADMIN, runtime-facts.md §2 fact 30) and the gateway makes every user one; ROS applies no RBAC
# filter. rbac: Koku and ROS ask insights-rbac (facts 13-16).
AUTHORIZATION_DATA: dict[str, dict[AuthorizationMode, str]] = {
    "koku-enhanced-org-admin": {"org-admin": "True", "rbac": "False"},
    "ros-rbac-enable": {"org-admin": "false", "rbac": "true"},
}


def authorization_config(catalog: Catalog, mode: AuthorizationMode | None) -> Obj | None:
    if catalog.identity is None or mode is None:
        return None
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": AUTHORIZATION_CONFIG,
            "labels": {**L.project_labels(catalog), L.COMPONENT: "authorization"},
            "annotations": wave_annotation(WAVE_CONFIG),
        },
        "data": {key: values[mode] for key, values in AUTHORIZATION_DATA.items()},
    }
