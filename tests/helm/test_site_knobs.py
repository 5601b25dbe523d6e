"""The chart carries the site knobs (docs/site-knobs.md) as the overlays do: with every knob set at every
level (tests/site_knobs.py), the proof finds every overlay equal to the chart under both pinned helms, and the
knobs' values are in what the real helm renders, the same as in what the real kustomize builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.build import build_objects
from rosgit.catalog import Catalog
from rosgit.helm.equivalence import check_equivalence, overlay_values, provided_stand_ins, render_chart
from rosgit.k8s.objects import load_objects
from tests.conftest import require_real_tool
from tests.site_knobs import write_site_repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Catalog]:
    root = tmp_path_factory.mktemp("site-knobs-chart")
    return root, write_site_repo(root)


@pytest.mark.tools
@pytest.mark.parametrize("helm", ["helm", "helm3"])
def test_every_overlay_equals_the_chart_with_every_knob_set(repo: tuple[Path, Catalog], helm: str) -> None:
    require_real_tool(helm)
    require_real_tool("kustomize")
    root, catalog = repo
    findings = check_equivalence(root, catalog, helm=helm, engine="kustomize")
    assert findings == [], "\n".join(f.line() for f in findings)


@pytest.mark.tools
def test_the_knobs_values_are_in_both_renderings(repo: tuple[Path, Catalog]) -> None:
    require_real_tool("helm")
    require_real_tool("kustomize")
    root, catalog = repo
    for name in ("prod", "openshift-prod", "openshift-minimal"):
        overlay = catalog.overlay(name)
        assert overlay is not None
        chart_dir = root / "charts" / catalog.project.name
        rendered = render_chart(
            chart_dir, catalog.namespace_of(overlay), overlay_values(chart_dir, overlay),
            release=catalog.project.name, settings=provided_stand_ins(catalog, overlay),
        )
        sides = [
            {(o["kind"], o["metadata"]["name"]): o for o in objects}
            for objects in (load_objects(rendered), build_objects(root / "overlays" / name, engine="kustomize"))
        ]
        for side in sides:
            pod = side["StatefulSet", "ros-db"]["spec"]["template"]
            assert pod["spec"]["nodeSelector"] == {"node-role.kubernetes.io/infra": ""}
            assert pod["metadata"]["labels"]["example.com/tier"] == "data"
            assert pod["metadata"]["annotations"]["example.com/owner"] == "platform-team"
            assert pod["spec"]["imagePullSecrets"] == [{"name": "registry-pull"}]
            api = side["Deployment", "koku-api-reads"]["spec"]["template"]["spec"]
            assert api["imagePullSecrets"] == [{"name": "api-pull"}]
            assert "nodeAffinity" in api["affinity"]
        chart, built = sides
        for key in (("StatefulSet", "ros-db"), ("Deployment", "koku-api-reads"), ("Deployment", "rosocp-api")):
            for field in ("nodeSelector", "tolerations", "affinity", "imagePullSecrets"):
                assert chart[key]["spec"]["template"]["spec"].get(field) == built[key]["spec"]["template"][
                    "spec"
                ].get(field), (name, key, field)
        claim = "volumeClaimTemplates"
        assert chart["StatefulSet", "ros-db"]["spec"][claim] == built["StatefulSet", "ros-db"]["spec"][claim]
        if name.startswith("openshift"):
            assert chart["Route", "gateway"]["spec"]["host"] == built["Route", "gateway"]["spec"]["host"]
        else:
            assert chart["Ingress", "ros-ocp"]["spec"]["tls"] == built["Ingress", "ros-ocp"]["spec"]["tls"]
