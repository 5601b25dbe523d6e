"""check_argocd: the Argo CD objects validate against the CRDs, every source path builds, and breakage is found."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.argocd.check import check_argocd
from rosgit.argocd.conformance import schema_errors
from rosgit.catalog.model import Catalog
from rosgit.findings import Finding
from tests.argocd.conftest import argocd_objects

Obj = dict[str, Any]


@pytest.fixture(scope="module")
def findings(generated: Path, catalog: Catalog) -> list[Finding]:
    """Builds come from the real kustomize, as Argo CD renders them."""
    return check_argocd(generated, catalog, engine="kustomize")


def test_every_application_builds_and_nothing_is_wrong(findings: list[Finding]) -> None:
    assert [f.line() for f in findings] == []


def test_all_argocd_objects_validate_against_the_crds(generated: Path) -> None:
    objects = argocd_objects(generated)
    assert {obj["kind"] for _, obj in objects} == {"AppProject", "Application", "ApplicationSet"}
    for path, obj in objects:
        assert schema_errors(obj) == [], path


def test_sealed_secret_stubs_validate(generated: Path) -> None:
    for path in sorted(generated.glob("overlays/*/sealed-secrets/*.yaml")):
        assert schema_errors(yaml.safe_load(path.read_text())) == [], path


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda o: o["spec"].update(bogus=1), "'bogus' was unexpected"),
        (lambda o: o["spec"]["syncPolicy"].update(automated="yes"), "is not of type 'object'"),
        (lambda o: o["spec"]["syncPolicy"]["retry"].update(limit="five"), "is not of type 'integer'"),
        (lambda o: o["spec"].pop("destination"), "'destination' is a required property"),
    ],
)
def test_schema_rejects_what_argo_cd_would(generated: Path, mutate: Any, fragment: str) -> None:
    app = next(o for _, o in argocd_objects(generated) if o["kind"] == "Application")
    broken = copy.deepcopy(app)
    mutate(broken)
    assert any(fragment in error for error in schema_errors(broken))


@pytest.fixture
def tree(tmp_path: Path, generated: Path) -> Path:
    shutil.copytree(generated, tmp_path / "repo")
    return tmp_path / "repo"


def _edit(path: Path, change: Any) -> None:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    for doc in docs:
        change(doc)
    path.write_text(yaml.safe_dump_all(docs))


def test_missing_source_path(tree: Path, catalog: Catalog) -> None:
    shutil.rmtree(tree / "overlays" / "dev")
    ids = {(f.id, f.object) for f in check_argocd(tree, catalog)}
    assert ("ROS523", "Application/argocd/ros-ocp-dev") in ids


def test_overlay_that_does_not_build(tree: Path, catalog: Catalog) -> None:
    (tree / "overlays" / "minimal" / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    found = [f for f in check_argocd(tree, catalog) if f.object == "Application/argocd/ros-ocp-minimal"]
    assert [f.id for f in found] == ["ROS524"]


def test_kind_not_whitelisted(tree: Path, catalog: Catalog) -> None:
    def drop_routes(doc: Obj) -> None:
        rules = doc["spec"]["namespaceResourceWhitelist"]
        doc["spec"]["namespaceResourceWhitelist"] = [r for r in rules if r["kind"] != "Route"]

    _edit(tree / "argocd" / "projects.yaml", drop_routes)
    denied = {f.object for f in check_argocd(tree, catalog) if f.id == "ROS526"}
    assert denied == {
        f"Application/argocd/ros-ocp-{o.name}" for o in catalog.overlays if o.platform == "openshift"
    }


def test_unused_whitelisted_kind(tree: Path, catalog: Catalog) -> None:
    _edit(
        tree / "argocd" / "projects.yaml",
        lambda doc: doc["spec"]["namespaceResourceWhitelist"].append({"group": "", "kind": "Pod"}),
    )
    assert any(f.id == "ROS527" and "core/Pod" in f.message for f in check_argocd(tree, catalog))


def test_colliding_destinations(tree: Path, catalog: Catalog) -> None:
    _edit(
        tree / "argocd" / "applications" / "dev.yaml",
        lambda doc: doc["spec"]["destination"].update(namespace="ros-ocp"),
    )
    found = [f for f in check_argocd(tree, catalog) if f.id == "ROS529"]
    assert len(found) == 1 and found[0].severity == "error"
    assert {"ros-ocp-dev", "ros-ocp-minimal"} <= set(
        re.findall(r"ros-ocp-[a-z]+", found[0].object + " " + found[0].message)
    )


def test_kubeconform_agrees(generated: Path) -> None:
    """The pinned kubeconform (strict, vendored Argo CD CRD schemas) accepts every Argo CD object too."""
    from rosgit.validate import validate_documents
    from tests.conftest import require_real_tool

    require_real_tool("kubeconform")
    docs = [obj for _, obj in argocd_objects(generated)]
    report = validate_documents(docs, source="argocd", validator="kubeconform")
    assert [(r.kind, r.name, r.status, r.message) for r in report.results if r.status != "valid"] == []
    assert len(report.results) == len(docs)


def test_app_of_apps_includes_only_applications_of_known_projects(tree: Path, catalog: Catalog) -> None:
    """The root's directory source promises Applications of projects in argocd/; both halves are checked."""
    _edit(tree / "argocd" / "applications" / "dev.yaml", lambda doc: doc["spec"].update(project="nowhere"))
    (tree / "argocd" / "applications" / "prod.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stray, namespace: argocd}\n"
    )
    found = {
        (f.id, f.object, f.message)
        for f in check_argocd(tree, catalog)
        if f.object.startswith("Application/argocd/ros-ocp-root")
    }
    assert (
        "ROS525",
        "Application/argocd/ros-ocp-root-kubernetes",
        "included file argocd/applications/dev.yaml: Application ros-ocp-dev names project 'nowhere', "
        "which is not in argocd/",
    ) in found
    assert (
        "ROS523",
        "Application/argocd/ros-ocp-root-kubernetes",
        "included file argocd/applications/prod.yaml holds ConfigMap/stray, not an Application",
    ) in found
