"""The overlays of a catalog setting every site knob (tests/site_knobs.py) are valid Kubernetes, as the pinned
kubeconform judges them with the real schemas: the knobs reach the objects in the shape the API takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.build import build_objects
from rosgit.validate import report_findings, validate_documents
from tests.conftest import require_real_tool
from tests.site_knobs import write_site_repo


@pytest.mark.tools
def test_every_overlay_with_every_knob_is_valid(tmp_path: Path) -> None:
    require_real_tool("kubeconform")
    catalog = write_site_repo(tmp_path)
    for overlay in catalog.overlays:
        objects = build_objects(tmp_path / "overlays" / overlay.name)
        text = str(objects)
        assert "registry-pull" in text and "node-role.kubernetes.io/infra" in text
        assert "standard-rwo" in text or "fast-ssd" in text
        report = validate_documents(objects, source=f"overlays/{overlay.name}", validator="kubeconform")
        assert [f.line() for f in report_findings(report)] == [], overlay.name
        assert report.ok and report.counts()["skipped"] == 0, overlay.name
