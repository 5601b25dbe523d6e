"""An upgrade rehearsed on a running rehearsal: a catalog change in the pushed tree, the tree regenerated (the
sealed files kept, as `rosgit generate` keeps them), committed and pushed, the Application refreshed and synced;
then which workloads rolled, which hooks re-ran and what was pruned, against what the change should do."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.k8s.meta import annotations_of, as_map, name_of
from rosgit.k8s.objects import Obj
from rosgit.rehearsal import objects as O
from rosgit.rehearsal import verdict as V
from rosgit.rehearsal.engine import Rehearsal
from rosgit.rehearsal.repository import commit_and_push, overridden_argocd
from rosgit.repo.tree import render_tree
from rosgit.secrets.files import is_sealed_file

ROLLING = ("Deployment", "StatefulSet")


@dataclass
class Upgrade:
    commit: str = ""
    expected_rolls: set[str] = field(default_factory=set)  # "Kind/name" whose pod template the change changed
    rolled: set[str] = field(default_factory=set)  # whose live pod template changed
    hooks_rerun: set[str] = field(default_factory=set)
    hooks: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)  # objects of the new tree not live after the sync
    problems: list[V.Problem] = field(default_factory=list)
    seconds: float = 0.0


def _template_hash(obj: Obj) -> str:
    template = as_map(as_map(obj.get("spec")).get("template"))
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()


def _templates(objects: list[Obj]) -> dict[str, str]:
    return {f"{o.get('kind')}/{name_of(o)}": _template_hash(o) for o in objects if o.get("kind") in ROLLING}


def _live_templates(run: Rehearsal) -> dict[str, str]:
    live = run.cluster.get_json(["get", "deployment.apps,statefulset.apps", "-n", run.namespace]).get("items", [])
    # what the API server defaulted is the same before and after; the template Argo CD applied is what changed
    return {f"{o.get('kind')}/{name_of(o)}": str(as_map(o.get("metadata")).get("generation")) for o in live}


def regenerate(run: Rehearsal, change: Callable[[Path], None]) -> None:
    """Apply `change` to the pushed tree's catalog and regenerate the tree as `rosgit generate` would (with
    argocd/ for the daemon's URL), keeping every sealed file."""
    catalog_path = run.copy / run.catalog_name
    change(catalog_path)
    catalog = load_catalog(catalog_path)
    _, argocd = overridden_argocd(catalog, run.url)
    for rel, text in {**render_tree(catalog), **argocd}.items():
        target = run.copy / rel
        if target.is_file() and is_sealed_file(target):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def rehearse_upgrade(run: Rehearsal, change: Callable[[Path], None], timeout: float = 300) -> Upgrade:
    result = Upgrade()
    overlay_dir = run.copy / "overlays" / run.overlay.name
    before_objects = build_objects(overlay_dir)
    before_live = _live_templates(run)
    before_uids = {key: set(uids) for key, uids in run.job_uids.items()}
    regenerate(run, change)
    after_objects = build_objects(overlay_dir)
    old, new = _templates(before_objects), _templates(after_objects)
    result.expected_rolls = {key for key, digest in new.items() if old.get(key) not in (None, digest)}
    result.hooks = {f"{run.namespace}/{name_of(o)}" for o in after_objects
                    if o.get("kind") == "Job" and "argocd.argoproj.io/hook" in annotations_of(o)}
    result.commit = commit_and_push(run.copy, run.cluster.root / "git" / run.url.rsplit("/", 1)[1],
                                    f"rosgit rehearse {run.overlay.name}: upgrade")
    started = time.monotonic()
    app = f"{load_catalog(run.copy / run.catalog_name).project.name}-{run.overlay.name}"
    run.cluster.kubectl(["annotate", "applications.argoproj.io", app, "-n", O.ARGOCD_NAMESPACE, "--overwrite",
                         "argocd.argoproj.io/refresh=normal"])

    def synced() -> bool:
        snap = run.snapshot()
        run.stand_in(snap)
        mine = next((a for a in snap.applications if name_of(a) == app), {})
        status = as_map(mine.get("status"))
        operation = as_map(status.get("operationState"))
        return (as_map(status.get("sync")).get("revision") == result.commit
                and as_map(as_map(operation.get("syncResult"))).get("revision") == result.commit
                and operation.get("phase") == "Succeeded" and not V.application_problems(snap))
    run.cluster.wait_for(f"Application {app} Synced/Healthy at {result.commit[:12]}", synced, timeout)
    result.seconds = time.monotonic() - started
    after_live = _live_templates(run)
    result.rolled = {key for key, generation in after_live.items() if before_live.get(key) not in (None, generation)}
    result.hooks_rerun = {key for key in result.hooks if run.job_uids.get(key, set()) - before_uids.get(key, set())}
    snap = run.snapshot()
    for obj in after_objects:
        if V.live_object(snap, obj, run.namespace) is not None:
            continue
        result.missing.append(f"{obj.get('kind')}/{name_of(obj)}")
    return result
