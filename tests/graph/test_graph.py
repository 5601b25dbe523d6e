"""`rosgit graph`: every flow the NetworkPolicies allow is an edge, components sit in their tier, published
endpoints point at the workloads behind them; SVG comes from the pinned Graphviz, and the README's picture is
current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.errors import UsageError
from rosgit.graph import build_graph, render_graph
from rosgit.graph import render as graph_render
from rosgit.lint.network import reachability
from rosgit.lint.targets import OverlayTarget, resolve_targets
from rosgit.tools import find_program
from tests.conftest import REPO_ROOT, missing_under_ci_fails, run_rosgit

README_SVG = REPO_ROOT / "docs/graph/openshift-minimal.svg"


def target(overlay: str) -> OverlayTarget:
    (found,) = resolve_targets(load_catalog(REPO_ROOT / "rosgit.yaml"), REPO_ROOT, [overlay])
    return found


@pytest.mark.parametrize("overlay", ["openshift-minimal", "prod"])
def test_every_allowed_flow_is_an_edge_and_every_component_is_in_its_tier(overlay: str) -> None:
    found = target(overlay)
    objects = build_objects(found.path)
    graph = build_graph(objects, found.context, found.name)
    members = {name: node.id for node in graph.nodes for name in node.label.split("\n")}
    edges = {(e.source, e.target) for e in graph.edges if not e.published}
    allowed = reachability(objects, found.context).allowed
    assert allowed
    for source, destination, number, _ in allowed:
        assert (members[source], members[destination]) in edges, (source, destination, number)
    assert len(edges) == len({(members[s], members[d]) for s, d, _, _ in allowed})
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    tier_of = {name: node.tier for node in graph.nodes for name in node.label.split("\n")}
    for component in catalog.components_for(found.context.platform or ""):
        if component.name in tier_of:
            assert tier_of[component.name] == component.group, component.name
    # the Route (OpenShift) or the Ingress paths (Kubernetes) lead to the identity gateway alone, and it to the APIs
    published = {e.target for e in graph.edges if e.published}
    assert published == {members["gateway"]}
    assert {(members["gateway"], members[api]) for api in ("koku-api-reads", "rosocp-api")} <= edges


def test_mermaid_groups_tiers_and_labels_ports() -> None:
    result = run_rosgit("graph", "openshift-minimal", "-o", "mermaid")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("flowchart LR\n")
    for tier in ("ros", "koku", "trino", "infrastructure", "published endpoints", "outside the namespace"):
        assert f'["{tier}"]' in text
    assert re.search(r"^  rosocp_processor -->\|8080\| kruize$", text, re.M)
    assert re.search(r"^  published_\d+ -.->\|http\| gateway$", text, re.M)
    assert re.search(r"^  gateway -->\|8000\| rosocp_api$", text, re.M)
    assert text.count("subgraph") == text.count("  end\n")


def test_dot_is_deterministic_and_quotes_names() -> None:
    first = run_rosgit("graph", "minimal", "-o", "dot").stdout
    assert first == run_rosgit("graph", "minimal", "-o", "dot").stdout
    assert first.startswith('digraph "minimal" {') and '"cluster_koku"' in first


def test_svg_without_graphviz_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_render, "find_program", lambda name: None)
    monkeypatch.setattr(graph_render, "find_tool", lambda name: None)
    found = target("minimal")
    graph = build_graph(build_objects(found.path), found.context, found.name)
    with pytest.raises(UsageError, match=r"SVG needs Graphviz's dot, which is not installed: graphviz .* --kind deb"):
        render_graph(graph, "svg")


def _graphviz_installed() -> None:
    """The README's picture is drawn by the pinned Debian package, not whatever `dot` a machine has."""
    if find_program("graphviz") is None:
        missing_under_ci_fails("graphviz (deb) is not installed (run scripts/install-tools.sh --kind deb)")


@pytest.mark.tools
def test_the_readme_picture_is_what_the_pinned_graphviz_draws_now() -> None:
    _graphviz_installed()
    result = run_rosgit("graph", "openshift-minimal", "-o", "svg")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<?xml") and "<svg" in result.stdout
    assert result.stdout == README_SVG.read_text(encoding="utf-8"), (
        "regenerate: rosgit graph openshift-minimal -o svg --out docs/graph/openshift-minimal.svg"
    )
    assert "docs/graph/openshift-minimal.svg" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_unknown_overlay_and_format_are_one_line(tmp_path: Path) -> None:
    assert "no overlay 'nope'" in run_rosgit("graph", "nope").stderr
    bad = run_rosgit("graph", "minimal", "-o", "png")
    assert bad.returncode == 2 and "choose one of mermaid, dot, svg" in bad.stderr
