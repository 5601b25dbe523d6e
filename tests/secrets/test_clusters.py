"""Per-cluster sealing for the fleet: each cluster's directory builds the overlay with the SealedSecrets its
own controller decrypts (real kustomize, the builtin engine, the real kubeseal), never another cluster's."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.k8s.sealedsecret import STUB_ANNOTATION
from tests.conftest import require_real_tool, run_rosgit
from tests.secrets.conftest import ControllerKey
from tests.secrets.test_seal import _env_text, _unseal, _values

OVERLAY = "openshift-prod"


def _sealed(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o.get("kind") == "SealedSecret"}


def _kustomize(directory: Path) -> list[dict[str, Any]]:
    out = subprocess.run(
        [str(require_real_tool("kustomize")), "build", str(directory)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def _seal_cluster(repo: Path, cluster: str, cert: Path, values: dict[tuple[str, str], str]) -> None:
    result = run_rosgit(
        "seal",
        OVERLAY,
        "--cluster",
        cluster,
        "--cert",
        str(cert),
        "-c",
        str(repo / "rosgit.yaml"),
        "--from-env-file",
        "-",
        input_text=_env_text(values),
    )
    assert result.returncode == 0, result.stderr
    assert f"cluster {cluster}" in result.stderr


def test_each_cluster_gets_its_own_ciphertext(
    repo: Path, controller: ControllerKey, other_controller: ControllerKey
) -> None:
    east, west = _values(repo, OVERLAY, "east"), _values(repo, OVERLAY, "west")
    _seal_cluster(repo, "east", controller.cert_path, east)
    _seal_cluster(repo, "west.example.com", other_controller.cert_path, west)
    stubs_before = (repo / "overlays" / OVERLAY / "sealed-secrets").iterdir()
    assert all(STUB_ANNOTATION in p.read_text() for p in stubs_before), (
        "the overlay's own files are untouched"
    )

    for cluster, key, values, other_key in (
        ("east", controller, east, other_controller),
        ("west.example.com", other_controller, west, controller),
    ):
        directory = repo / "clusters" / OVERLAY / cluster
        real, builtin = _kustomize(directory), build_objects(directory)
        assert _sealed(real) == _sealed(builtin), "the builtin engine builds what kustomize builds"
        assert len(real) == len(_kustomize(repo / "overlays" / OVERLAY)), "the whole overlay, nothing added"
        for name, obj in _sealed(real).items():
            assert obj["metadata"]["annotations"].get(STUB_ANNOTATION) == "false"
            expected = {k: v for (secret, k), v in values.items() if secret == name}
            assert _unseal(obj, key.key_path) == expected
            proc = subprocess.run(
                [
                    str(require_real_tool("kubeseal")),
                    "--recovery-unseal",
                    "--recovery-private-key",
                    str(other_key.key_path),
                    "-o",
                    "yaml",
                ],
                input=yaml.safe_dump(obj),
                capture_output=True,
                text=True,
                check=False,
            )
            assert proc.returncode != 0, f"{cluster}: {name} decrypts with the other cluster's key"

    again = run_rosgit(
        "seal",
        OVERLAY,
        "--cluster",
        "east",
        "--cert",
        str(controller.cert_path),
        "-c",
        str(repo / "rosgit.yaml"),
        "--from-env-file",
        "-",
        input_text=_env_text(east),
    )
    assert again.returncode == 0 and "0 SealedSecret file(s) written" in again.stderr, again.stderr


def test_generate_and_check_keep_the_cluster_directories(repo: Path, controller: ControllerKey) -> None:
    from rosgit.repo.command import run_generate

    _seal_cluster(repo, "east", controller.cert_path, _values(repo, OVERLAY, "east"))
    directory = repo / "clusters" / OVERLAY / "east"
    before = {p.relative_to(directory): p.read_bytes() for p in directory.rglob("*") if p.is_file()}
    assert run_generate(repo / "rosgit.yaml", check=True) == 0
    assert run_generate(repo / "rosgit.yaml", check=False) == 0
    assert {p.relative_to(directory): p.read_bytes() for p in directory.rglob("*") if p.is_file()} == before
    assert load_catalog(repo / "rosgit.yaml").argocd.fleet is not None


@pytest.mark.parametrize("name", ["../x", "East", "a/b", "-x", ""])
def test_cluster_names_cannot_escape(repo: Path, controller: ControllerKey, name: str) -> None:
    result = run_rosgit(
        "seal",
        OVERLAY,
        "--cluster",
        name,
        "--cert",
        str(controller.cert_path),
        "-c",
        str(repo / "rosgit.yaml"),
    )
    assert (
        result.returncode == 2
        and "--cluster" in result.stderr
        and len(result.stderr.strip().splitlines()) == 1
    )
    assert not (repo / "clusters").exists()
