"""NOTES.txt and README.md say how Jobs are ordered and where secrets come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.catalog import Catalog
from rosgit.helm.docs import notes_text, readme_text
from tests.helm.conftest import helm


def test_readme_lists_every_secret_and_its_setting(catalog: Catalog) -> None:
    readme = readme_text(catalog)
    for secret in catalog.secrets:
        assert f"`{secret.name}`" in readme
    assert "secrets.kokuDbCredentials.existingSecret" in readme
    assert "post-install/post-upgrade" in readme and "pre-install hook would run before" in readme


@pytest.mark.tools
def test_notes_render_for_openshift(chart_dir: Path, catalog: Catalog) -> None:
    assert "lookup" not in notes_text(catalog)
    proc = helm(
        "helm",
        "install",
        "--dry-run=client",
        "ros-ocp",
        str(chart_dir),
        "-n",
        "demo",
        "-f",
        str(chart_dir / "values-openshift.yaml"),
        # as an installer does on OpenShift: the ODF account's keys are the platform's, never generated
        "--set",
        "secrets.objectStorageCredentials.existingSecret=odf-s3-account",
    )
    assert proc.returncode == 0, proc.stderr
    notes = proc.stdout.split("NOTES:", 1)[1]
    assert "namespace demo (platform: OpenShift)" in notes
    assert "existingSecret" in notes
