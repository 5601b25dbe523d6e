"""ROS605/ROS606: every client of the service-CA-signed ODF S3 endpoint trusts that CA beside the public ones.

The overlays are the repository's own (builtin engine); a plant is either an edit of a catalog copy (the
generated tree built again) or an edit of the built objects.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.contracts import contracts_for
from rosgit.findings import Finding
from rosgit.generate.tree import manifest_files
from rosgit.lint.context import LintContext
from rosgit.lint.runner import lint_objects
from rosgit.lint.targets import resolve_targets
from tests.conftest import REPO_ROOT

Obj = dict[str, Any]
OPENSHIFT = ["openshift-minimal", "openshift-dev", "openshift-prod"]
KUBERNETES = ["minimal", "dev", "prod"]
TRUST_IDS = {"ROS605", "ROS606"}
CATALOG_PATH = REPO_ROOT / "rosgit.yaml"


@cache
def _target(root: Path, catalog_file: Path, overlay: str) -> tuple[tuple[Obj, ...], LintContext]:
    catalog = load_catalog(catalog_file)
    [target] = resolve_targets(catalog, root, [overlay], contracts_for(catalog, catalog_file))
    return tuple(build_objects(target.path)), target.context


def trust_findings(objects: list[Obj], context: LintContext) -> list[Finding]:
    return lint_objects(objects, context, select=TRUST_IDS)


@pytest.mark.parametrize("overlay", OPENSHIFT + KUBERNETES)
def test_the_repository_overlays_trust_the_service_ca_where_they_call_it(overlay: str) -> None:
    objects, context = _target(REPO_ROOT, CATALOG_PATH, overlay)
    assert [(f.id, f.object) for f in trust_findings(list(objects), context)] == []


def _planted(kind: str, name: str) -> tuple[list[Obj], LintContext, Obj]:
    """A copy of openshift-minimal's objects, its lint context and the pod spec of one workload to edit."""
    built, context = _target(REPO_ROOT, CATALOG_PATH, "openshift-minimal")
    objects = copy.deepcopy(list(built))
    workload = next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)
    spec: Obj = workload["spec"]["template"]["spec"]
    return objects, context, spec


def _planted_tree(tmp_path: Path, old: str, new: str) -> Path:
    text = CATALOG_PATH.read_text()
    assert old in text
    catalog_file = tmp_path / "rosgit.yaml"
    catalog_file.write_text(text.replace(old, new, 1))
    for path, content in manifest_files(load_catalog(catalog_file)).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content)
    return catalog_file


def test_removing_kokus_ca_trust_is_found_on_every_koku_s3_client(tmp_path: Path) -> None:
    catalog_file = _planted_tree(tmp_path, "    caTrust: python\n", "")
    catalog = load_catalog(catalog_file)
    [target] = resolve_targets(catalog, tmp_path, ["openshift-minimal"], contracts_for(catalog, catalog_file))
    findings = trust_findings(build_objects(target.path), target.context)
    flagged = {f.object.rsplit("/", 1)[1] for f in findings if f.id == "ROS605"}
    s3_clients = {
        source
        for rule in catalog.traffic
        if rule.to == "odf-s3"
        for source in rule.source
        if source.startswith("koku-")
    }
    assert s3_clients and flagged == s3_clients
    assert all("caTrust: python" in f.hint for f in findings), [f.hint for f in findings]


def test_a_bundle_of_the_service_ca_alone_replaces_the_public_cas() -> None:
    """What the generator gave Koku before: AWS_CA_BUNDLE on the ConfigMap's own file."""
    objects, context, spec = _planted("Deployment", "koku-api-reads")
    spec.pop("initContainers", None)
    container = spec["containers"][0]
    container["env"] = [e for e in container["env"] if e["name"] not in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE")]
    container["env"].append({"name": "AWS_CA_BUNDLE", "value": "/etc/pki/service-ca/service-ca.crt"})
    container["volumeMounts"].append({"name": "service-ca", "mountPath": "/etc/pki/service-ca", "readOnly": True})
    [finding] = trust_findings(objects, context)
    assert (finding.id, finding.object) == ("ROS606", "Deployment/ros-ocp/koku-api-reads")
    assert "AWS_CA_BUNDLE" in finding.message


def test_a_truststore_not_built_from_the_service_ca_is_no_trust() -> None:
    """A JVM option naming a store on a volume no init step fills from the service CA trusts nothing more."""
    objects, context, spec = _planted("Deployment", "trino-worker")
    spec["initContainers"] = [c for c in spec.get("initContainers", []) if c["name"] != "ca-trust"]
    [finding] = trust_findings(objects, context)
    assert (finding.id, finding.object) == ("ROS605", "Deployment/ros-ocp/trino-worker")
    assert "caTrust: java" in finding.hint


def test_a_go_client_without_its_ca_directory_is_told_to_use_catrust_go() -> None:
    objects, context, spec = _planted("Job", "minio-buckets")
    container = spec["containers"][0]
    container["env"] = [e for e in container["env"] if e["name"] != "SSL_CERT_DIR"]
    [finding] = trust_findings(objects, context)
    assert (finding.id, finding.object) == ("ROS605", "Job/ros-ocp/minio-buckets")
    assert "caTrust: go" in finding.hint
