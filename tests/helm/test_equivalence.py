"""The chart renders exactly the overlays' objects, for every overlay, with Helm v4 and Helm v3; a catalog
change the chart does not follow is caught and named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rosgit.catalog import Catalog, load_catalog
from rosgit.generate import tree
from rosgit.helm.equivalence import check_equivalence
from tests.conftest import REPO_ROOT, require_real_tool

OVERLAYS = ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]
# Helm v4 against the real kustomize (what Argo CD runs); Helm v3 against rosgit's builtin engine,
# which other tests hold byte-equal to kustomize.
PAIRS = [("helm", "kustomize"), ("helm3", "builtin")]


@pytest.mark.tools
@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize(("binary", "engine"), PAIRS)
def test_committed_chart_equals_overlay(catalog: Catalog, overlay: str, binary: str, engine: str) -> None:
    require_real_tool(binary)
    if engine == "kustomize":
        require_real_tool("kustomize")
    findings = check_equivalence(REPO_ROOT, catalog, helm=binary, engine=engine, overlays=[overlay])
    assert findings == [], "\n".join(f.line() for f in findings)


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
    for produce in (tree._bases, tree._platforms, tree._overlays):
        for rel, text in produce(catalog).items():
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
    root = _repo_copy(tmp_path)
    text = (root / "rosgit.yaml").read_text()
    assert text.count(old) == 1
    (root / "rosgit.yaml").write_text(text.replace(old, new))
    catalog = _regenerate_all_but_chart(root)
    findings = check_equivalence(root, catalog, overlays=[overlay])
    assert findings, "a stale chart must not pass"
    hit = [f for f in findings if f.object == obj]
    assert hit and field in hit[0].message, "\n".join(f.line() for f in findings)
    assert all(f.severity == "error" for f in findings)
