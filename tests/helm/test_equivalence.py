"""The chart renders exactly the overlays' objects, for every overlay, with Helm v4 and Helm v3; a catalog
change the chart does not follow is caught and named."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import Catalog, load_catalog
from rosgit.generate.tree import manifest_files
from rosgit.helm.equivalence import (
    ComparisonInputs,
    check_equivalence,
    object_differences,
    overlay_values,
    provided_stand_ins,
    render_chart,
)
from rosgit.k8s.objects import load_objects
from tests.conftest import REPO_ROOT, require_real_tool

OVERLAYS = ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]


@cache
def _built(overlay: str) -> list[dict[str, Any]]:
    return build_objects(REPO_ROOT / "overlays" / overlay, engine="kustomize")


@pytest.mark.tools
@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("binary", ["helm", "helm3"])
def test_committed_chart_equals_overlay(catalog: Catalog, overlay: str, binary: str) -> None:
    """Helm v4 and v3 against the real kustomize (what Argo CD runs); tests/kustomize holds rosgit's builtin
    engine byte-equal to it, so the default `rosgit helm-diff` (builtin) proves the same."""
    require_real_tool(binary)
    require_real_tool("kustomize")
    spec = catalog.overlay(overlay)
    assert spec is not None
    chart = REPO_ROOT / "charts" / catalog.project.name
    rendered = render_chart(
        chart, catalog.namespace_of(spec), overlay_values(chart, spec), helm=binary, release="ros-ocp",
        settings=provided_stand_ins(catalog, spec),
    )
    objects = load_objects(rendered)
    declared = ComparisonInputs.of(catalog, spec).keys_by_secret()
    findings = [d.finding() for d in object_differences(_built(overlay), objects, declared, overlay)]
    assert findings == [], "\n".join(f.line() for f in findings)
    assert len(objects) == len(_built(overlay)) > 60


@pytest.mark.tools
@pytest.mark.parametrize("binary", ["helm", "helm3"])
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_lint_strict(chart_dir: Path, binary: str, overlay: str, catalog: Catalog) -> None:
    from tests.helm.conftest import helm

    spec = catalog.overlay(overlay)
    assert spec is not None
    args = ["lint", "--strict", str(chart_dir), "-f", str(chart_dir / f"values-{spec.profile}.yaml")]
    if spec.platform == "openshift":
        args += ["-f", str(chart_dir / "values-openshift.yaml")]
    proc = helm(binary, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _repo_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO_ROOT / "rosgit.yaml", root / "rosgit.yaml")
    for top in ("base", "components", "overlays", "charts"):
        shutil.copytree(REPO_ROOT / top, root / top)
    return root


def _regenerate_all_but_chart(root: Path) -> Catalog:
    catalog = load_catalog(root / "rosgit.yaml")
    for rel, text in manifest_files(catalog).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return catalog


@pytest.mark.tools
@pytest.mark.parametrize(
    ("old", "new", "overlay", "obj", "field"),
    [
        (
            "replicas: {koku-api-reads: 2}",
            "replicas: {koku-api-reads: 4}",
            "minimal",
            "Deployment.apps/ros-ocp/koku-api-reads",
            "spec.replicas: overlay 4 != chart 2",
        ),
        (
            '{name: CACHE_TIMEOUT, value: "3600"}',
            '{name: CACHE_TIMEOUT, value: "60"}',
            "openshift-minimal",
            "Deployment.apps/ros-ocp/koku-api-reads",
            "spec.template.spec.containers[name=koku-api-reads].env[name=CACHE_TIMEOUT].value",
        ),
        (
            "trinoWorkerHeap: 6G",
            "trinoWorkerHeap: 7G",
            "prod",
            "Deployment.apps/ros-ocp-prod/trino-worker",
            "spec.template.spec.volumes[name=config].configMap.name",
        ),
    ],
)
def test_catalog_change_without_regenerating_the_chart_fails(
    tmp_path: Path, old: str, new: str, overlay: str, obj: str, field: str
) -> None:
    require_real_tool("helm")
    require_real_tool("kustomize")
    root = _repo_copy(tmp_path)
    text = (root / "rosgit.yaml").read_text()
    assert text.count(old) == 1
    (root / "rosgit.yaml").write_text(text.replace(old, new))
    catalog = _regenerate_all_but_chart(root)
    findings = check_equivalence(root, catalog, engine="kustomize", overlays=[overlay])
    assert findings, "a stale chart must not pass"
    hit = [f for f in findings if f.object == obj]
    assert hit and field in hit[0].message, "\n".join(f.line() for f in findings)
    assert all(f.severity == "error" for f in findings)
    assert {f.source for f in findings} == {f"overlays/{overlay}"}  # `rosgit check` files it under that row


@pytest.mark.tools
def test_profile_changes_are_values_only(tmp_path: Path) -> None:
    """A profile edit changes values-<profile>.yaml and nothing else; the unchanged templates with the new
    values file render the regenerated overlays exactly (replicas, resources, storage, config vars)."""
    from rosgit.helm.chart import chart_files

    require_real_tool("helm")
    require_real_tool("kustomize")
    root = _repo_copy(tmp_path)
    text = (root / "rosgit.yaml").read_text()
    for old, new in [
        (
            "replicas: {koku-api-reads: 3, koku-worker-summary: 2,",
            "replicas: {koku-api-reads: 5, koku-worker-summary: 3,",
        ),
        (
            "koku-listener: {requests: {cpu: 500m, memory: 1Gi}",
            "koku-listener: {requests: {cpu: 750m, memory: 1536Mi}",
        ),
        ("koku-db: {data: 200Gi}", "koku-db: {data: 300Gi}"),
        # 7G: query.max-memory-per-node 4GB plus 30% headroom must fit the heap, the heap the 8Gi limit
        ("trinoCoordinatorHeap: 6G", "trinoCoordinatorHeap: 7G"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (root / "rosgit.yaml").write_text(text)
    original = load_catalog(REPO_ROOT / "rosgit.yaml")
    catalog = _regenerate_all_but_chart(root)
    before, after = chart_files(original), chart_files(catalog)
    assert {p for p in after if after[p] != before[p]} == {"values-prod.yaml"}
    (root / "charts" / "ros-ocp" / "values-prod.yaml").write_text(after["values-prod.yaml"])
    findings = check_equivalence(root, catalog, engine="kustomize", overlays=["prod", "openshift-prod"])
    assert findings == [], "\n".join(f.line() for f in findings)
