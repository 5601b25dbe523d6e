"""chart_files: the chart as data, deterministic, owned by the generator, and readable."""

from __future__ import annotations

import dataclasses

import yaml

from rosgit.catalog import Catalog
from rosgit.fileset.text import is_generated
from rosgit.helm.chart import chart_files, chart_tree
from tests.conftest import REPO_ROOT


def test_chart_files_are_deterministic_and_carry_the_header(catalog: Catalog) -> None:
    files = chart_files(catalog)
    assert files == chart_files(catalog)
    assert all(is_generated(text) for text in files.values())
    chart = yaml.safe_load(files["Chart.yaml"])
    assert (chart["apiVersion"], chart["name"], chart["version"]) == ("v2", "ros-ocp", catalog.chart.version)
    for name in ("values.yaml", "values-minimal.yaml", "values-dev.yaml", "values-prod.yaml"):
        assert name in files
    assert "values-openshift.yaml" in files and "templates/NOTES.txt" in files


def test_committed_chart_is_the_generated_one(catalog: Catalog) -> None:
    for rel, text in chart_tree(catalog).items():
        assert (REPO_ROOT / rel).read_text(encoding="utf-8") == text, rel


def test_one_template_per_component_reading_its_values_section(catalog: Catalog) -> None:
    files = chart_files(catalog)
    reads = files["templates/koku/koku-api-reads.yaml"]
    assert "{{- $v := .Values.koku.api.reads }}" in reads
    assert "replicas: {{ $v.replicas }}" in reads
    assert "{{- toYaml $v.resources | nindent 10 }}" in reads
    assert "sync-wave" not in reads
    helpers = files["templates/_helpers.tpl"]
    for helper in (
        "ros-ocp.labels",
        "ros-ocp.selectorLabels",
        "ros-ocp.podSecurityContext",
        "ros-ocp.hashedName",
    ):
        assert f'define "{helper}"' in helpers


def test_disabled_components_are_in_the_chart_but_off(catalog: Catalog) -> None:
    # the catalog runs every component in some analytics mode: switch one off to see it kept in the chart
    components = [
        dataclasses.replace(c, enabled=False) if c.name == "koku-worker-subs-extraction" else c
        for c in catalog.components
    ]
    files = chart_files(dataclasses.replace(catalog, components=components))
    assert "templates/koku/koku-worker-subs-extraction.yaml" in files
    values = yaml.safe_load(files["values.yaml"])
    assert values["koku"]["celery"]["workers"]["subsExtraction"]["enabled"] is False


def test_components_of_one_analytics_mode_are_switched_by_global_analytics(catalog: Catalog) -> None:
    files = chart_files(catalog)
    assert 'eq .Values.global.analytics "trino"' in files["templates/trino/trino-coordinator.yaml"]
    assert 'eq .Values.global.analytics "postgresql"' in files["templates/ros/rosocp-housekeeper.yaml"]
    assert yaml.safe_load(files["values.yaml"])["global"]["analytics"] == "trino"
