"""The repository's own overlays build byte-for-byte like the pinned real kustomize."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, require_real_tool

OVERLAYS = ("minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod")


@pytest.mark.tools
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_matches_real_kustomize(overlay: str) -> None:
    from rosgit.kustomize import build_text

    path = REPO_ROOT / "overlays" / overlay
    if not (path / "kustomization.yaml").is_file():
        pytest.fail(f"overlays/{overlay} is missing; run `rosgit generate`")
    kustomize = require_real_tool("kustomize")
    real = subprocess.run([str(kustomize), "build", str(path)], capture_output=True, text=True, check=False)
    assert real.returncode == 0, real.stderr
    assert build_text(Path(path)) == real.stdout
