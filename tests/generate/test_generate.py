"""`rosgit generate`: determinism, drift detection, ownership of files, all-or-nothing writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.fileset import writer
from rosgit.fileset.text import HEADER_MARK, is_generated
from rosgit.repo.tree import render_tree
from tests.conftest import REPO_ROOT, run_rosgit


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    shutil.copy(REPO_ROOT / "rosgit.yaml", tmp_path / "rosgit.yaml")
    for directory in ("base", "components", "overlays", "argocd", "charts"):
        if (REPO_ROOT / directory).is_dir():
            shutil.copytree(REPO_ROOT / directory, tmp_path / directory)
    return tmp_path


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_check_passes_on_the_committed_tree() -> None:
    result = run_rosgit("generate", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_generating_twice_is_byte_identical(tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "rosgit.yaml", tmp_path / "rosgit.yaml")
    assert run_rosgit("generate", "-c", str(tmp_path / "rosgit.yaml")).returncode == 0
    first = _snapshot(tmp_path)
    assert run_rosgit("generate", "-c", str(tmp_path / "rosgit.yaml")).returncode == 0
    assert _snapshot(tmp_path) == first
    assert len(first) > 100


def test_render_tree_is_pure_and_stable() -> None:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    assert render_tree(catalog) == render_tree(load_catalog(REPO_ROOT / "rosgit.yaml"))


def test_every_generated_file_carries_the_header() -> None:
    tree = render_tree(load_catalog(REPO_ROOT / "rosgit.yaml"))
    unowned = [path for path, text in tree.items() if not is_generated(text)]
    assert unowned == []


def test_editing_a_generated_file_fails_check_with_a_diff(repo_copy: Path) -> None:
    target = repo_copy / "base" / "koku-masu" / "deployment.yaml"
    target.write_text(target.read_text().replace("replicas: 1", "replicas: 5"), encoding="utf-8")

    result = run_rosgit("generate", "--check", "-c", str(repo_copy / "rosgit.yaml"))

    assert result.returncode == 1
    assert "--- a/base/koku-masu/deployment.yaml" in result.stdout
    assert "-  replicas: 5" in result.stdout and "+  replicas: 1" in result.stdout
    assert target.read_text().count("replicas: 5") == 1, "--check must not write"


def test_catalog_change_shows_as_drift_then_generate_fixes_it(repo_copy: Path) -> None:
    catalog = repo_copy / "rosgit.yaml"
    catalog.write_text(
        catalog.read_text().replace("docker.io/trinodb/trino:476", "docker.io/trinodb/trino:477")
    )

    drift = run_rosgit("generate", "--check", "-c", str(catalog))
    assert drift.returncode == 1
    assert "+        image: docker.io/trinodb/trino:477" in drift.stdout

    assert run_rosgit("generate", "-c", str(catalog)).returncode == 0
    assert run_rosgit("generate", "--check", "-c", str(catalog)).returncode == 0


def test_files_without_the_header_are_never_touched(repo_copy: Path) -> None:
    mine = repo_copy / "overlays" / "prod" / "my-patch.yaml"
    mine.write_text("apiVersion: apps/v1\nkind: Deployment\n", encoding="utf-8")
    adopted = repo_copy / "base" / "kruize" / "deployment.yaml"
    adopted.write_text("# my own version now\nkind: Deployment\n", encoding="utf-8")

    result = run_rosgit("generate", "-c", str(repo_copy / "rosgit.yaml"))

    assert result.returncode == 0
    assert mine.read_text() == "apiVersion: apps/v1\nkind: Deployment\n"
    assert adopted.read_text() == "# my own version now\nkind: Deployment\n"
    assert "kept base/kruize/deployment.yaml" in result.stderr


def test_stale_generated_files_are_removed(repo_copy: Path) -> None:
    """Files rosgit wrote are removed, each by name; a header file rosgit never wrote is reported, never deleted
    (issue 15: a user's edited copy of an overlay still carries the header)."""
    catalog = repo_copy / "rosgit.yaml"
    assert run_rosgit("generate", "-c", str(catalog)).returncode == 0  # records what rosgit wrote
    dev = "  - {name: dev, profile: dev, platform: kubernetes, namespace: ros-ocp-dev}\n"
    # the overlay leaves its promotion environment too (an environment naming an unknown overlay is refused)
    retired = catalog.read_text().replace(dev, "")
    retired = retired.replace("overlays: [dev, openshift-dev]", "overlays: [openshift-dev]")
    catalog.write_text(retired, encoding="utf-8")
    stale = repo_copy / "base" / "retired-component" / "deployment.yaml"
    stale.parent.mkdir()
    stale.write_text(f"# {HEADER_MARK} from rosgit.yaml.\nkind: Deployment\n", encoding="utf-8")

    assert run_rosgit("generate", "--check", "-c", str(catalog)).returncode == 1
    result = run_rosgit("generate", "-c", str(catalog))

    assert not (repo_copy / "overlays" / "dev").exists()
    assert "rosgit: deleted overlays/dev/kustomization.yaml\n" in result.stderr
    assert stale.is_file() and "rosgit: kept base/retired-component/deployment.yaml: " in result.stderr
    assert result.returncode == 1
    stale.unlink()
    assert run_rosgit("generate", "--check", "-c", str(catalog)).returncode == 0


def test_a_failure_while_staging_leaves_the_previous_tree_intact(
    repo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = repo_copy / "rosgit.yaml"
    catalog.write_text(
        catalog.read_text().replace("docker.io/trinodb/trino:476", "docker.io/trinodb/trino:477")
    )
    before = _snapshot(repo_copy)
    plan = writer.plan_changes(repo_copy, render_tree(load_catalog(catalog)))
    assert plan.changed

    real_write = Path.write_text
    calls = {"n": 0}

    def flaky_write(self: Path, *args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the run
        return real_write(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", flaky_write)
    with pytest.raises(KeyboardInterrupt):
        writer.apply_plan(repo_copy, plan)
    monkeypatch.undo()

    assert _snapshot(repo_copy) == before
    assert not list(repo_copy.rglob(f"*{writer.STAGING_SUFFIX}"))
