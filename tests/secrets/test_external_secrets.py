"""`secretsBackend.type: external-secrets`: the overlays carry ExternalSecrets (external-secrets.io/v1) against
the catalog's store instead of SealedSecrets; they validate against the vendored ESO CRDs with kubeconform and
the builtin validator, the chart renders the same objects, and there is nothing to seal."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT, run_rosgit

BACKEND = (
    "secretsBackend:\n  type: external-secrets\n  store: {kind: ClusterSecretStore, name: vault}\n"
    "  remoteKeyPrefix: ros-ocp/\n"
)
OVERLAYS = ["prod", "openshift-prod"]


@pytest.fixture(scope="module")
def eso_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("eso")
    text = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
    anchor = "secrets:\n  - name: ros-db-credentials"
    assert anchor in text
    (root / "rosgit.yaml").write_text(text.replace(anchor, BACKEND + anchor, 1), encoding="utf-8")
    result = run_rosgit("generate", "-c", str(root / "rosgit.yaml"))
    assert result.returncode == 0, result.stderr
    return root


def test_overlays_carry_external_secrets_and_no_sealed_ones(eso_repo: Path) -> None:
    for overlay in OVERLAYS:
        directory = eso_repo / "overlays" / overlay
        assert not (directory / "sealed-secrets").exists()
        kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
        external = [r for r in kustomization["resources"] if r.startswith("external-secrets/")]
        assert external
        obj = yaml.safe_load((directory / "external-secrets" / "koku-db-credentials.yaml").read_text())
        assert obj["apiVersion"] == "external-secrets.io/v1" and obj["kind"] == "ExternalSecret"
        assert obj["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "vault"}
        assert obj["spec"]["target"]["name"] == "koku-db-credentials"
        assert {d["secretKey"]: d["remoteRef"] for d in obj["spec"]["data"]} == {
            key: {"key": "ros-ocp/koku-db-credentials", "property": key}
            for key in ("admin-password", "password")
        }


@pytest.mark.parametrize("validator", ["kubeconform", "builtin"])
def test_overlays_validate_against_the_vendored_eso_crds(eso_repo: Path, validator: str) -> None:
    targets = [str(eso_repo / "overlays" / o) for o in OVERLAYS]
    result = run_rosgit("validate", *targets, "--validator", validator, "-v")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Skipped: 0" in result.stdout + result.stderr


@pytest.mark.parametrize("validator", ["kubeconform", "builtin"])
def test_a_broken_external_secret_is_invalid(eso_repo: Path, tmp_path: Path, validator: str) -> None:
    obj = yaml.safe_load((eso_repo / "overlays/prod/external-secrets/koku-db-credentials.yaml").read_text())
    del obj["spec"]["data"][0]["remoteRef"]["key"]  # required by the CRD's schema
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(obj))
    result = run_rosgit("validate", str(path), "--validator", validator)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ExternalSecret" in result.stdout + result.stderr


def test_check_and_chart_equivalence_hold(eso_repo: Path) -> None:
    result = run_rosgit("check", "-c", str(eso_repo / "rosgit.yaml"), *[f"--overlay={o}" for o in OVERLAYS])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    diff = run_rosgit("helm-diff", "-c", str(eso_repo / "rosgit.yaml"), *[f"--overlay={o}" for o in OVERLAYS])
    assert diff.returncode == 0, diff.stdout[-3000:] + diff.stderr[-3000:]


def test_there_is_nothing_to_seal(eso_repo: Path, tmp_path: Path) -> None:
    result = run_rosgit(
        "seal", "prod", "--cert", str(tmp_path / "none.pem"), "-c", str(eso_repo / "rosgit.yaml")
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "rosgit: secretsBackend.type is external-secrets: the External Secrets Operator fills the Secrets from "
        "ClusterSecretStore vault; there is nothing to seal"
    ]
