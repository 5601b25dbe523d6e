"""The releasable chart: version and appVersion from the catalog (semver), the version increment check against
the merge-base, a reproducible package, and a real OCI push/pull round trip (CNCF distribution registry on
127.0.0.1 inside a network namespace)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.check.stages import chart_bump_findings
from rosgit.conformance.sandbox import Sandbox
from rosgit.helm.export import package_bytes
from tests.catalog.refusal import assert_generate_refuses
from tests.check.repo_copy import copy_repo
from tests.conftest import REPO_ROOT, require_real_tool, run_rosgit

CATALOG = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
# the catalog's own release; the tests move it up and down from there
_RELEASE = re.search(r"^chart:\n  version: (\S+)\n  appVersion: (\S+)\n", CATALOG, re.MULTILINE)
assert _RELEASE is not None
VERSION, APP_VERSION = _RELEASE.groups()
RELEASE = f"chart:\n  version: {VERSION}\n  appVersion: {APP_VERSION}\n"
_MAJOR, _MINOR, _PATCH = (int(part) for part in VERSION.split("."))
HIGHER = f"{_MAJOR}.{_MINOR}.{_PATCH + 1}"


def released(version: str, app_version: str = APP_VERSION) -> str:
    assert RELEASE in CATALOG
    return CATALOG.replace(RELEASE, f"chart:\n  version: {version}\n  appVersion: {app_version}\n")


@pytest.mark.parametrize(
    ("version", "app_version", "marker", "reason"),
    [
        ("'2.0'", "2.0.0", "version: '2.0'", r"chart\.version: '2\.0' is not a semantic version"),
        ("2.0.0", "v2", "appVersion: v2", r"chart\.appVersion: 'v2' is not a semantic version"),
        ("02.1.0", "2.0.0", "version: 02.1.0", r"not a semantic version"),
    ],
)
def test_a_version_that_is_not_semver_is_refused_at_its_line(
    tmp_path: Path, version: str, app_version: str, marker: str, reason: str
) -> None:
    assert_generate_refuses(tmp_path, released(version, app_version), marker, reason)


def test_chart_yaml_and_the_package_name_follow_the_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "rosgit.yaml"
    catalog.write_text(released("2.1.0-rc.1", "2.1.0"), encoding="utf-8")
    result = run_rosgit("export-helm", "--catalog", str(catalog), "--out", str(tmp_path / "a"), "--package")
    assert result.returncode == 0, result.stderr
    again = run_rosgit("export-helm", "--catalog", str(catalog), "--out", str(tmp_path / "b"), "--package")
    assert again.returncode == 0, again.stderr
    first, second = (tmp_path / d / "ros-ocp-2.1.0-rc.1.tgz" for d in ("a", "b"))
    assert first.read_bytes() == second.read_bytes()
    chart = run_rosgit("export-helm", "--catalog", str(catalog), "--out", str(tmp_path / "c"))
    assert chart.returncode == 0, chart.stderr
    text = (tmp_path / "c" / "ros-ocp" / "Chart.yaml").read_text()
    assert "version: 2.1.0-rc.1\n" in text and "appVersion: 2.1.0\n" in text


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(repo), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def _committed_copy(tmp_path: Path, branch: str) -> Path:
    """The repository's tree committed on `branch` of a new Git repository."""
    repo = tmp_path / "repo"
    repo.mkdir()
    copy_repo(repo)
    _git(repo, "init", "-q", "-b", branch)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", f"the tree on {branch}")
    return repo


def test_a_chart_change_needs_a_higher_version_than_the_merge_base(tmp_path: Path) -> None:
    repo = _committed_copy(tmp_path, "main")
    _git(repo, "checkout", "-q", "-b", "feature")
    catalog_path = repo / "rosgit.yaml"

    def regenerate(text: str) -> list[str]:
        catalog_path.write_text(text, encoding="utf-8")
        assert run_rosgit("generate", "--catalog", str(catalog_path)).returncode == 0
        return [f.message for f in chart_bump_findings(repo, load_catalog(catalog_path))]

    assert regenerate(CATALOG) == []  # nothing changed
    bigger = CATALOG.replace("replicas: {koku-api-reads: 3,", "replicas: {koku-api-reads: 4,")
    assert bigger != CATALOG
    (message,) = regenerate(bigger)
    assert "values-prod.yaml" in message and f"its version is {VERSION} (was {VERSION})" in message
    lower, higher = (RELEASE.replace(f"version: {VERSION}\n", f"version: {v}\n", 1) for v in ("1.9.9", HIGHER))
    assert len(regenerate(bigger.replace(RELEASE, lower))) == 1
    assert regenerate(bigger.replace(RELEASE, higher)) == []
    # a version bump alone is no content change, and outside a Git checkout there is nothing to compare with
    assert regenerate(CATALOG.replace(RELEASE, higher)) == []
    shutil.rmtree(repo / ".git")
    assert regenerate(bigger) == []


def test_without_a_main_branch_the_check_compares_with_head_and_says_so(tmp_path: Path) -> None:
    """A CI clone of the pull request's branch alone: the bump is still checked against HEAD (what the
    commit changes), and an info finding says the merge-base was not found."""
    repo = _committed_copy(tmp_path, "feature")
    catalog_path = repo / "rosgit.yaml"

    def findings() -> list[tuple[str, str]]:
        return [(f.id, f.severity) for f in chart_bump_findings(repo, load_catalog(catalog_path))]

    assert findings() == [("ROS908", "info")]
    catalog_path.write_text(CATALOG.replace("replicas: {koku-api-reads: 3,", "replicas: {koku-api-reads: 4,"))
    assert run_rosgit("generate", "--catalog", str(catalog_path)).returncode == 0
    assert findings() == [("ROS906", "error"), ("ROS908", "info")]
    _git(repo, "branch", "main")  # the merge-base is found: HEAD itself, and the edit is still unreleased
    assert findings() == [("ROS906", "error")]


REGISTRY_CONFIG = """\
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {root}
http:
  addr: 127.0.0.1:5000
"""


@pytest.mark.tools
def test_oci_push_then_pull_gives_back_the_same_bytes(tmp_path: Path) -> None:
    registry = require_real_tool("registry")
    helm = require_real_tool("helm")
    (tmp_path / "data").mkdir()
    config = tmp_path / "registry.yml"
    config.write_text(REGISTRY_CONFIG.format(root=tmp_path / "data"), encoding="utf-8")
    helm_home = {
        "HELM_CONFIG_HOME": str(tmp_path / "helm/config"), "HELM_CACHE_HOME": str(tmp_path / "helm/cache"),
        "HELM_DATA_HOME": str(tmp_path / "helm/data"), "HELM_REGISTRY_CONFIG": str(tmp_path / "helm/registry.json"),
    }
    with Sandbox(tmp_path / "sandbox", []) as sandbox:
        # tracing off: the registry's OpenTelemetry exporter would otherwise try a collector
        env = sandbox.environment({"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"})
        server = sandbox.spawn("registry", [str(registry), "serve", str(config)], env)
        sandbox.wait_port("127.0.0.1", 5000, 30.0, server)
        rosgit_env = sandbox.environment(
            {**helm_home, "PYTHONPATH": str(REPO_ROOT), "ROSGIT_TOOLS_BIN": str(helm.parent)}
        )
        pushed = sandbox.run(
            [sys.executable, "-m", "rosgit", "export-helm", "--catalog", str(REPO_ROOT / "rosgit.yaml"),
             "--out", str(tmp_path / "dist"), "--push", "oci://127.0.0.1:5000/charts", "--plain-http"],
            rosgit_env, timeout=120.0, cwd=REPO_ROOT,
        )
        assert pushed.returncode == 0, pushed.stderr
        assert f"pushed ros-ocp-{VERSION}.tgz to oci://127.0.0.1:5000/charts" in pushed.stderr
        (tmp_path / "pulled").mkdir()
        pulled = sandbox.run(
            [str(helm), "pull", "oci://127.0.0.1:5000/charts/ros-ocp", "--version", VERSION, "--plain-http",
             "--destination", str(tmp_path / "pulled")],
            sandbox.environment(helm_home), timeout=60.0,
        )
        assert pulled.returncode == 0, pulled.stderr
        leftovers_before_stop = [server.pid]
    local = (tmp_path / "dist" / f"ros-ocp-{VERSION}.tgz").read_bytes()
    assert (tmp_path / "pulled" / f"ros-ocp-{VERSION}.tgz").read_bytes() == local == package_bytes(
        load_catalog(REPO_ROOT / "rosgit.yaml")
    )
    assert not any(os.path.exists(f"/proc/{pid}") and _alive(pid) for pid in leftovers_before_stop)
    assert sandbox.leftovers() == []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_a_push_target_that_is_not_oci_is_refused() -> None:
    result = run_rosgit("export-helm", "--out", "/nonexistent-never-written", "--push", "https://example.com/x")
    assert result.returncode == 2
    assert "expected oci://REGISTRY/REPOSITORY" in result.stderr and "Traceback" not in result.stderr
