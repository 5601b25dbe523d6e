"""The sync order of the Argo CD objects under argocd/, as rosgit.k8s.syncorder models it.

The app-of-apps roots sync these files, so their waves and hooks order the Applications; an annotation
Argo CD cannot read there is silently wave 0. The order *inside* each overlay an Application deploys is
the lint stage's, which `rosgit check` runs on every overlay, so it is not reported here again.
"""

from __future__ import annotations

from rosgit import ids
from rosgit.findings import Finding
from rosgit.k8s.objects import Obj
from rosgit.k8s.syncorder import sync_violations


def _name(obj: Obj) -> str:
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind')}/{meta.get('namespace', '')}/{meta.get('name', '')}"


def order_findings(objects: list[tuple[str, Obj]]) -> list[Finding]:
    """One finding per ordering defect among (file, object) pairs, attributed to the object's file."""
    files = {id(obj): rel for rel, obj in objects}
    return [
        Finding(ids.ROS530, "error", _name(v.subject), v.message, source=files[id(v.subject)])
        for v in sync_violations([obj for _, obj in objects])
    ]
