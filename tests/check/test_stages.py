from __future__ import annotations

from pathlib import Path

from rosgit.catalog import load_catalog
from rosgit.check import stages as S
from rosgit.check.model import REPO_STAGES
from rosgit.findings import Finding
from tests.check.repo_copy import copy_repo, plant


def test_drift_reports_changed_missing_and_stale_files(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    catalog = load_catalog(repo / "rosgit.yaml")
    deployment = repo / "base/kruize/deployment.yaml"
    line = deployment.read_text().splitlines().index("  replicas: 1") + 1
    plant(deployment, "  replicas: 1\n", "  replicas: 3\n")
    (repo / "base/redis/service.yaml").unlink()
    stale = repo / "base/old/deployment.yaml"
    stale.parent.mkdir()
    stale.write_text((repo / "base/kruize/service.yaml").read_text())
    findings = {(f.id, f.object): f.message for f in S.drift_findings(repo, catalog, "rosgit.yaml")}
    expected = f"out of date: line {line}: 'replicas: 3' should be 'replicas: 1'"
    assert findings[("CHK001", "base/kruize/deployment.yaml")] == expected
    assert findings[("CHK001", "base/redis/service.yaml")].startswith("missing")
    assert findings[("CHK001", "base/old/deployment.yaml")].startswith("stale")
    assert len(findings) == 3


def test_engine_comparison() -> None:
    assert S.compare_engines("overlays/x", "a\nb\n", "a\nb\n") == []
    [finding] = S.compare_engines("overlays/x", "a\nc\n", "a\nb\n")
    assert finding.id == "CHK011" and "line 2: 'b' should be 'c'" in finding.message


def test_repo_findings_are_attributed_to_the_overlay_directory_holding_them(tmp_path: Path) -> None:
    (tmp_path / "overlays/dev").mkdir(parents=True)
    (tmp_path / "overlays/openshift-dev").mkdir()
    (tmp_path / "elsewhere/staging").mkdir(parents=True)
    rows = S.overlay_rows(
        tmp_path,
        {
            "dev": tmp_path / "overlays/dev",
            "openshift-dev": tmp_path / "overlays/openshift-dev",
            "staging": tmp_path / "elsewhere/staging",  # a directory target: its row comes from its path
            "outside": Path("/"),  # outside the repository: no finding can be about it
        },
    )

    def at(source: str, obj: str = "o") -> str | None:
        return S.row_of(Finding("X", "error", obj, "m", "", source), rows)

    assert at("overlays/dev/sealed-secrets/a.yaml") == "dev"
    assert at("overlays/openshift-dev") == "openshift-dev"
    assert at("overlays/dev:12") == "dev"
    assert at("elsewhere/staging/kustomization.yaml") == "staging"
    assert at("overlays/dev-old/x.yaml") is None  # a name prefix is not a directory
    assert at("argocd/applications/dev.yaml") is None
    assert at("", "overlays/dev/kustomization.yaml") == "dev"


def test_repo_stages_are_typed_callables_registered_in_code() -> None:
    import inspect

    assert set(S.REPO_STAGE_RUNNERS) == REPO_STAGES
    for stage, run in S.REPO_STAGE_RUNNERS.items():
        assert inspect.isfunction(run), stage
        [parameter] = inspect.signature(run).parameters.values()
        assert parameter.annotation in ("RepoInput", S.RepoInput), stage
    for module in ("pipeline", "stages", "model"):
        source = (Path(S.__file__).parent / f"{module}.py").read_text(encoding="utf-8")
        assert "importlib" not in source and "import_module" not in source, module
        assert "unavailable" not in source.lower(), module
