"""Every overlay in the repository validates, with kubeconform and with the builtin validator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.validate import report_findings, validate_documents
from tests.conftest import REPO_ROOT, require_real_tool, run_rosgit

OVERLAYS = ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]
# Kinds the generated tree must carry schemas for; a missing schema would otherwise pass as "skipped".
EXPECTED_KINDS = {"Deployment", "Service", "ConfigMap", "SealedSecret"}
OPENSHIFT_KINDS = {"Route", "ServiceMonitor", "NetworkPolicy", "Kafka", "KafkaNodePool", "KafkaTopic"}


class _Builds(dict[str, list[dict[str, Any]]]):
    """Overlays built on first use: under xdist a worker builds only the overlays its tests need."""

    def __missing__(self, name: str) -> list[dict[str, Any]]:
        # The pinned kustomize renders the overlays so these tests judge validation, not the builtin engine.
        require_real_tool("kustomize")
        objects = build_objects(REPO_ROOT / "overlays" / name, engine="kustomize")
        self[name] = objects
        return objects


@pytest.fixture(scope="module")
def built() -> dict[str, list[dict[str, Any]]]:
    return _Builds()


@pytest.mark.parametrize("validator", ["kubeconform", "builtin"])
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_is_valid(built: dict[str, list[dict[str, Any]]], overlay: str, validator: str) -> None:
    if validator == "kubeconform":
        require_real_tool("kubeconform")
    report = validate_documents(built[overlay], source=f"overlays/{overlay}", validator=validator)
    assert report.validator == validator
    assert [f.line() for f in report_findings(report)] == []
    assert report.ok
    counts = report.counts()
    assert counts["valid"] == len(built[overlay]) and counts["skipped"] == 0
    kinds = {result.kind for result in report.results}
    assert kinds >= EXPECTED_KINDS
    if overlay.startswith("openshift"):
        assert kinds >= OPENSHIFT_KINDS


def test_cli_validates_overlays_built_with_the_builtin_engine() -> None:
    """Each overlay is its own scope: the same object in two overlays is not a duplicate."""
    require_real_tool("kubeconform")
    args = [str(Path("overlays") / name) for name in ("minimal", "openshift-prod")]
    proc = run_rosgit("validate", *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("Summary: ")
    assert " found in 2 files - Valid: " in proc.stdout and "Invalid: 0, Errors: 0, Skipped: 0" in proc.stdout


def test_a_broken_overlay_object_is_reported(built: dict[str, list[dict[str, Any]]]) -> None:
    """The same pipeline catches a typo planted in a real overlay object."""
    objects = [dict(obj) for obj in built["openshift-minimal"]]
    route_index = next(i for i, obj in enumerate(objects) if obj["kind"] == "Route")
    route = objects[route_index]
    objects[route_index] = {**route, "spec": {**route["spec"], "tsl": {"termination": "edge"}}}
    for validator in ("kubeconform", "builtin"):
        report = validate_documents(objects, source="planted", validator=validator)
        findings = report_findings(report)
        assert len(findings) == 1
        assert findings[0].id == "VAL001"
        assert findings[0].object == f"Route/{route['metadata']['namespace']}/{route['metadata']['name']}"
        assert findings[0].message == "/spec: additional properties 'tsl' not allowed"


@pytest.mark.parametrize("validator", ["kubeconform", "builtin"])
def test_argocd_directory_is_valid(validator: str) -> None:
    """The generated Argo CD Applications, ApplicationSets and AppProjects match the vendored Argo CD CRDs."""
    if validator == "kubeconform":
        require_real_tool("kubeconform")
    from rosgit.validate.core import validate
    from rosgit.validate.inputs import read_inputs

    directory = REPO_ROOT / "argocd"
    if not directory.is_dir():
        pytest.skip("argocd/ has not been generated in this tree yet")
    docs, _sources = read_inputs([str(directory)])
    report = validate(docs, validator=validator)
    assert [result.detail() for result in report.results if result.status != "valid"] == []
    assert {"Application", "AppProject"} <= {result.kind for result in report.results}
