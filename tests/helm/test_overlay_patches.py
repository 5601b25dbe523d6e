"""An overlay's own `patches:` (the catalog's documented escape hatch) are applied to the chart side of the
equivalence proof, and reported once as not representable in the chart with the patch's file:line; never as
a chart bug (ROS901) with the hint to regenerate."""

from __future__ import annotations

from pathlib import Path

from rosgit import ids
from rosgit.build import Builds
from rosgit.catalog import load_catalog
from rosgit.helm.equivalence import equivalence_differences
from tests.check.repo_copy import copy_repo, plant
from tests.conftest import require_real_tool, run_rosgit

PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kruize
spec:
  template:
    spec:
      containers:
        - name: kruize
          resources:
            limits: {memory: 3Gi}
"""


def test_overlay_patches_reach_the_chart_side_and_are_named(tmp_path: Path) -> None:
    require_real_tool("helm")
    repo = copy_repo(tmp_path)
    plant(repo / "rosgit.yaml", "namespace: ros-ocp-dev}", "namespace: ros-ocp-dev, patches: [kruize-memory.yaml]}")
    (repo / "overlays/dev/kruize-memory.yaml").write_text(PATCH, encoding="utf-8")
    generated = run_rosgit("generate", "--catalog", str(repo / "rosgit.yaml"), cwd=repo)
    assert generated.returncode == 0, generated.stderr
    built = run_rosgit("build", "dev", cwd=repo)
    assert "memory: 3Gi" in built.stdout, "the overlay carries the patch"

    catalog = load_catalog(repo / "rosgit.yaml")
    differences = equivalence_differences(repo, catalog, overlays=["dev", "minimal"], builds=Builds())
    assert [(d.id, d.object) for d in differences] == [(ids.ROS907, "overlays/dev/kruize-memory.yaml:1")]
    finding = differences[0].finding()
    assert finding.severity == "warning" and "not representable in the chart" in finding.message
    assert "post-renderer" in finding.message
