"""Known causes of perpetual OutOfSync in Argo CD, found in built objects before they reach a cluster."""

from __future__ import annotations

from rosgit.k8s.objects import Obj


def drift_problems(objects: list[Obj]) -> list[tuple[str, str]]:
    """(object, why Argo CD would never see it in sync) for every known drift source."""
    problems: list[tuple[str, str]] = []
    for obj in objects:
        kind, meta = str(obj.get("kind")), obj.get("metadata") or {}
        where = f"{kind}/{meta.get('namespace', '')}/{meta.get('name', '')}"
        if kind == "StatefulSet":
            for claim in (obj.get("spec") or {}).get("volumeClaimTemplates") or []:
                if claim.get("apiVersion") != "v1" or claim.get("kind") != "PersistentVolumeClaim":
                    name = (claim.get("metadata") or {}).get("name")
                    problems.append(
                        (
                            where,
                            f"volumeClaimTemplates[{name}] lacks apiVersion v1 / kind PersistentVolumeClaim, "
                            "which the API server adds",
                        )
                    )
        if kind == "Secret":
            problems.append(
                (where, "a plain Secret in Git: use a SealedSecret (random or edited data drifts)")
            )
    return problems
