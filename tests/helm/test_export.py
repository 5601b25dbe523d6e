"""`rosgit export-helm` and `rosgit helm-diff` as a user runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rosgit.catalog import Catalog
from rosgit.errors import UsageError
from rosgit.helm.export import package_bytes, write_chart
from tests.conftest import REPO_ROOT, run_rosgit
from tests.helm.conftest import helm


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_export_twice_is_byte_identical(tmp_path: Path, catalog: Catalog) -> None:
    proc = run_rosgit("export-helm", "--out", str(tmp_path / "a"))
    assert proc.returncode == 0, proc.stderr
    write_chart(catalog, tmp_path / "b")
    write_chart(catalog, tmp_path / "b")  # over an existing chart: replaced whole
    first, second = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert first == second and "ros-ocp/Chart.yaml" in first
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.startswith(".")]


@pytest.mark.tools
def test_package_is_reproducible_and_installable(tmp_path: Path, catalog: Catalog) -> None:
    proc = run_rosgit("export-helm", "--out", str(tmp_path), "--package")
    assert proc.returncode == 0, proc.stderr
    package = tmp_path / f"ros-ocp-{catalog.chart.version}.tgz"
    assert package.read_bytes() == package_bytes(catalog)
    shown = helm("helm", "show", "chart", str(package))
    assert shown.returncode == 0 and f"version: {catalog.chart.version}" in shown.stdout
    rendered = helm("helm", "template", "ros-ocp", str(package))
    assert rendered.returncode == 0, rendered.stderr


def test_export_into_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    proc = run_rosgit("export-helm", "--out", str(target))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.tools
def test_helm_diff_passes_then_names_object_and_field(tmp_path: Path) -> None:
    proc = run_rosgit("helm-diff", "--overlay", "openshift-minimal", "--engine", "kustomize")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    chart = tmp_path / "ros-ocp"
    shutil.copytree(REPO_ROOT / "charts" / "ros-ocp", chart)
    template = chart / "templates" / "infrastructure" / "kafka.yaml"
    template.write_text(template.read_text().replace("value: broker,controller", "value: broker"))
    proc = run_rosgit("helm-diff", "--overlay", "minimal", "--chart", str(chart), "--engine", "kustomize")
    assert proc.returncode == 1
    assert "StatefulSet.apps/ros-ocp/kafka" in proc.stdout
    assert "env[name=KAFKA_PROCESS_ROLES].value" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_helm_diff_unknown_overlay_is_a_usage_error() -> None:
    proc = run_rosgit("helm-diff", "--overlay", "nope")
    assert proc.returncode == 2 and "unknown overlay 'nope'" in proc.stderr


def test_export_keeps_a_directory_with_foreign_files(tmp_path: Path, catalog: Catalog) -> None:
    write_chart(catalog, tmp_path)
    mine = tmp_path / "ros-ocp" / "templates" / "my-extra.yaml"
    mine.write_text("kind: ConfigMap\n")
    with pytest.raises(UsageError, match=r"my-extra\.yaml was not written by rosgit"):
        write_chart(catalog, tmp_path)
    assert mine.read_text() == "kind: ConfigMap\n"
