"""The Strimzi objects validate against the schema of the release serving the catalog's apiVersion:
kafka.strimzi.io/v1beta2 (Strimzi 0.48.0 = AMQ Streams 3.1, the vendored `-v1beta2` CRDs) or
kafka.strimzi.io/v1 (Strimzi 1.2.0, which serves nothing else)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.generate.tree import manifest_files
from rosgit.validate import report_findings, validate_documents
from tests.conftest import REPO_ROOT, require_real_tool

STRIMZI_KINDS = {"Kafka", "KafkaNodePool", "KafkaTopic"}
CATALOG_TEXT = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")


def _overlays_for(tmp_path: Path, api_version: str) -> Path:
    text = CATALOG_TEXT.replace("apiVersion: kafka.strimzi.io/v1beta2", f"apiVersion: {api_version}", 1)
    # Strimzi 1.1+ supports no Kafka 4.1.0 (kafka-versions.yaml); 4.2.0 is supported from 0.51 on
    if api_version.endswith("/v1"):
        text = text.replace('      version: "4.1.0"', '      version: "4.2.0"', 1)
    catalog_path = tmp_path / "rosgit.yaml"
    catalog_path.write_text(text, encoding="utf-8")
    for path, content in manifest_files(load_catalog(catalog_path)).items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return tmp_path / "overlays"


def _strimzi(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] in STRIMZI_KINDS]


@pytest.mark.parametrize("validator", ["kubeconform", "builtin"])
@pytest.mark.parametrize("api_version", ["kafka.strimzi.io/v1beta2", "kafka.strimzi.io/v1"])
def test_strimzi_objects_validate_at_the_chosen_api_version(
    tmp_path: Path, api_version: str, validator: str
) -> None:
    if validator == "kubeconform":
        require_real_tool("kubeconform")
    overlays = _overlays_for(tmp_path, api_version)
    for overlay in ("openshift-minimal", "openshift-dev", "openshift-prod"):
        objects = _strimzi(build_objects(overlays / overlay))
        assert {o["apiVersion"] for o in objects} == {api_version}
        report = validate_documents(objects, source=overlay, validator=validator)
        assert [f.line() for f in report_findings(report)] == []
        counts = report.counts()
        assert counts["valid"] == len(objects) and counts["skipped"] == 0, counts


@pytest.mark.parametrize("validator", ["kubeconform", "builtin"])
@pytest.mark.parametrize("api_version", ["kafka.strimzi.io/v1beta2", "kafka.strimzi.io/v1"])
def test_a_wrong_field_is_caught_by_either_versions_schema(
    tmp_path: Path, api_version: str, validator: str
) -> None:
    if validator == "kubeconform":
        require_real_tool("kubeconform")
    objects = _strimzi(build_objects(_overlays_for(tmp_path, api_version) / "openshift-prod"))
    pool = next(o for o in objects if o["kind"] == "KafkaNodePool")
    pool["spec"]["replicas"] = "three"
    report = validate_documents([pool], source="planted", validator=validator)
    assert not report.ok
    assert any("/spec/replicas" in f.line() for f in report_findings(report))
