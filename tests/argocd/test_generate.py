"""argocd/ generated from the catalog: one Application per overlay, a tight AppProject, roots, ApplicationSets."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.argocd.generate import argocd_files
from rosgit.argocd.kinds import INJECT_CA_BUNDLE, group_of
from rosgit.catalog.model import Catalog, Fleet
from rosgit.errors import UsageError
from rosgit.fileset.text import is_generated
from rosgit.generate.tree import manifest_files

Obj = dict[str, Any]


def _docs(files: dict[str, str], path: str) -> list[Obj]:
    return [doc for doc in yaml.safe_load_all(files[path]) if doc]


@pytest.fixture(scope="module")
def files(catalog: Catalog) -> dict[str, str]:
    return argocd_files(catalog, manifest_files(catalog))


def test_deterministic_and_owned(catalog: Catalog, files: dict[str, str], generated: Path) -> None:
    assert files == {p: (generated / p).read_text() for p in files}  # what `rosgit generate` wrote
    assert sorted(
        p.relative_to(generated).as_posix() for p in (generated / "argocd").rglob("*.yaml")
    ) == sorted(files)
    assert all(path.startswith("argocd/") and is_generated(text) for path, text in files.items())


def test_one_application_per_overlay(catalog: Catalog, generated: Path, files: dict[str, str]) -> None:
    for overlay in catalog.overlays:
        (app,) = _docs(files, f"argocd/applications/{overlay.name}.yaml")
        spec = app["spec"]
        assert spec["source"]["path"] == f"overlays/{overlay.name}"
        assert (generated / spec["source"]["path"] / "kustomization.yaml").is_file()
        assert spec["source"]["repoURL"] == catalog.project.repo_url
        assert spec["source"]["targetRevision"] == catalog.project.target_revision
        assert spec["destination"] == {
            "server": overlay.destination_server or catalog.project.destination_server,
            "namespace": catalog.namespace_of(overlay),
        }
        assert app["metadata"]["namespace"] == catalog.project.argocd_namespace
        assert app["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io"]
        policy = spec["syncPolicy"]
        assert policy["automated"] == {"prune": True, "selfHeal": True}
        assert "CreateNamespace=true" in policy["syncOptions"]
        assert (
            policy["managedNamespaceMetadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        )
        assert policy["retry"]["limit"] == catalog.argocd.retry.limit
        assert policy["retry"]["backoff"]["maxDuration"] == catalog.argocd.retry.max_backoff


def test_sync_options_come_from_the_catalog(catalog: Catalog) -> None:
    manual = dataclasses.replace(catalog, argocd=dataclasses.replace(catalog.argocd, automated=False))
    (app,) = _docs(argocd_files(manual, manifest_files(manual)), "argocd/applications/prod.yaml")
    assert "automated" not in app["spec"]["syncPolicy"]
    cautious = dataclasses.replace(
        catalog, argocd=dataclasses.replace(catalog.argocd, prune=False, self_heal=False)
    )
    (app,) = _docs(argocd_files(cautious, manifest_files(cautious)), "argocd/applications/prod.yaml")
    assert app["spec"]["syncPolicy"]["automated"] == {"prune": False, "selfHeal": False}


def test_ignore_differences_only_for_injected_config_maps(
    catalog: Catalog, built: dict[str, list[Obj]], files: dict[str, str]
) -> None:
    for overlay in catalog.overlays:
        (app,) = _docs(files, f"argocd/applications/{overlay.name}.yaml")
        injected = sorted(
            o["metadata"]["name"]
            for o in built[overlay.name]
            if o["kind"] == "ConfigMap"
            and (o["metadata"].get("annotations") or {}).get(INJECT_CA_BUNDLE) == "true"
        )
        ignored = app["spec"].get("ignoreDifferences", [])
        assert sorted(entry["name"] for entry in ignored) == injected
        for entry in ignored:
            assert entry["kind"] == "ConfigMap" and entry["jsonPointers"] == ["/data/service-ca.crt"]
            assert entry["namespace"] == catalog.namespace_of(overlay)
        respects = "RespectIgnoreDifferences=true" in app["spec"]["syncPolicy"]["syncOptions"]
        assert respects == bool(ignored)
        assert bool(injected) == (overlay.platform == "openshift")


def test_project_whitelists_exactly_the_emitted_kinds(
    catalog: Catalog, built: dict[str, list[Obj]], files: dict[str, str]
) -> None:
    project = next(
        d for d in _docs(files, "argocd/projects.yaml") if d["metadata"]["name"] == catalog.project.name
    )
    emitted = {(group_of(o["apiVersion"]), o["kind"]) for objects in built.values() for o in objects}
    whitelisted = {(r["group"], r["kind"]) for r in project["spec"]["namespaceResourceWhitelist"]}
    assert whitelisted == emitted
    namespaces = {catalog.namespace_of(o) for o in catalog.overlays}
    cluster = project["spec"]["clusterResourceWhitelist"]
    assert {(r["group"], r["kind"]) for r in cluster} == {("", "Namespace")}
    assert {r["name"] for r in cluster} == namespaces
    assert project["spec"]["sourceRepos"] == [catalog.project.repo_url]
    assert {d["namespace"] for d in project["spec"]["destinations"]} == namespaces


def test_roots_include_exactly_their_platform(catalog: Catalog, files: dict[str, str]) -> None:
    apps = sorted(p.rsplit("/", 1)[1] for p in files if p.startswith("argocd/applications/"))
    for platform in ("kubernetes", "openshift"):
        (root,) = _docs(files, f"argocd/root-{platform}.yaml")
        assert root["spec"]["source"]["path"] == "argocd/applications"
        patterns = root["spec"]["source"]["directory"]["include"].strip("{}").split(",")
        chosen = {a for a in apps if any(fnmatch.fnmatch(a, p) for p in patterns)}
        assert chosen == {f"{o.name}.yaml" for o in catalog.overlays if o.platform == platform}
    bootstrap = next(
        d for d in _docs(files, "argocd/projects.yaml") if d["metadata"]["name"].endswith("-bootstrap")
    )
    assert bootstrap["spec"]["namespaceResourceWhitelist"] == [
        {"group": "argoproj.io", "kind": "Application"}
    ]
    assert bootstrap["spec"]["clusterResourceWhitelist"] == []


def _lookup(expression: str, key: str) -> str:
    pairs = re.findall(r'"([^"]*)" "([^"]*)"', expression)
    return dict(pairs).get(key, "")


def test_directory_appset_yields_each_platform_overlay(
    catalog: Catalog, generated: Path, files: dict[str, str]
) -> None:
    """Evaluates the git directory generator over the real overlays/ tree, as the controller would."""
    for platform in ("kubernetes", "openshift"):
        (appset,) = _docs(files, f"argocd/applicationsets/overlays-{platform}.yaml")
        (generator,) = appset["spec"]["generators"]
        rules = generator["git"]["directories"]
        found = set()
        for directory in sorted((generated / "overlays").iterdir()):
            rel = directory.relative_to(generated).as_posix()
            matches = [r for r in rules if fnmatch.fnmatch(rel, r["path"])]
            if matches and not any(r.get("exclude") for r in matches):
                found.add(directory.name)
        assert found == {o.name for o in catalog.overlays if o.platform == platform}
        destination = appset["spec"]["template"]["spec"]["destination"]
        for overlay in catalog.overlays:
            if overlay.platform == platform:
                assert _lookup(destination["namespace"], overlay.name) == catalog.namespace_of(overlay)
                assert _lookup(destination["server"], overlay.name) == catalog.project.destination_server
        assert appset["spec"]["syncPolicy"] == {"preserveResourcesOnDeletion": True}


def test_fleet_appset(catalog: Catalog, files: dict[str, str]) -> None:
    (appset,) = _docs(files, "argocd/applicationsets/fleet.yaml")
    fleet = catalog.argocd.fleet
    assert fleet is not None
    (generator,) = appset["spec"]["generators"]
    assert generator["clusters"]["selector"]["matchLabels"] == fleet.cluster_labels
    template = appset["spec"]["template"]["spec"]
    # one sealed set per cluster certificate: each cluster's directory (`rosgit seal --cluster NAME`)
    assert template["source"]["path"] == f"clusters/{fleet.overlay}/{{{{ .name }}}}"
    assert template["destination"]["server"] == "{{ .server }}"
    no_fleet = dataclasses.replace(catalog, argocd=dataclasses.replace(catalog.argocd, fleet=None))
    assert "argocd/applicationsets/fleet.yaml" not in argocd_files(no_fleet, manifest_files(no_fleet))


def test_fleet_of_an_unknown_overlay(catalog: Catalog) -> None:
    broken = dataclasses.replace(
        catalog,
        argocd=dataclasses.replace(catalog.argocd, fleet=Fleet(overlay="staging", cluster_labels={"a": "b"})),
    )
    with pytest.raises(UsageError, match="unknown overlay 'staging'"):
        argocd_files(broken, manifest_files(broken))
