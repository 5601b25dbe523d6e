"""No Secret with plaintext data ever lands in Git: not in the repository's files, not in any built overlay,
not after sealing; and no kustomization generates one."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from rosgit.build import build_objects
from tests.conftest import REPO_ROOT
from tests.secrets.conftest import ControllerKey

Obj = dict[str, Any]
# Test fixtures are inputs for validator and engine tests (a Secret there is a case under test, not a value).
FIXTURE_PREFIX = "tests/"


def plaintext_secrets(docs: list[Any]) -> list[str]:
    found = []
    for doc in docs:
        plaintext = (
            any(doc.get(field) for field in ("data", "stringData")) if isinstance(doc, dict) else False
        )
        if plaintext and doc.get("kind") == "Secret":
            found.append(str((doc.get("metadata") or {}).get("name")))
        if (
            isinstance(doc, dict)
            and doc.get("kind") in ("Kustomization", "Component")
            and doc.get("secretGenerator")
        ):
            found.append("secretGenerator")
    return found


def _tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [
        p
        for p in out.split("\0")
        if p.endswith((".yaml", ".yml", ".json")) and not p.startswith(FIXTURE_PREFIX)
    ]


def test_no_plaintext_secret_in_repository_files() -> None:
    offenders = []
    files = _tracked_files()
    assert any(f.startswith("overlays/") for f in files)
    for rel in files:
        path = REPO_ROOT / rel
        if not path.is_file():
            continue
        try:
            docs = list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
        except yaml.YAMLError:
            continue  # Helm templates are not YAML until rendered; their Secrets are covered by the helm tests
        offenders += [f"{rel}: {name}" for name in plaintext_secrets(docs)]
    assert offenders == []


def test_detector_finds_plaintext() -> None:
    assert plaintext_secrets([{"kind": "Secret", "metadata": {"name": "x"}, "stringData": {"a": "b"}}]) == [
        "x"
    ]
    assert plaintext_secrets([{"kind": "Secret", "metadata": {"name": "x"}, "type": "Opaque"}]) == []


def test_no_plaintext_secret_in_built_overlays_after_sealing(repo: Path, controller: ControllerKey) -> None:
    from rosgit.catalog import load_catalog
    from rosgit.secrets.crypto import load_cert
    from rosgit.secrets.seal import seal_overlay
    from rosgit.secrets.values import ValueInputs

    catalog = load_catalog(repo / "rosgit.yaml")
    cert = load_cert(controller.cert_path)
    # on OpenShift the S3 keys belong to the NooBaa account (externalOn): they are given, never generated
    owned_elsewhere = {
        "ROSGIT_SECRET_OBJECT_STORAGE_CREDENTIALS_ACCESS_KEY": "NOOBAAACCESSKEY7Q2XW9",
        "ROSGIT_SECRET_OBJECT_STORAGE_CREDENTIALS_SECRET_KEY": "nooBaa-Secret/Key+8Zk3Qw7Lm2Pv9Xc4Rt6Yb",
    }
    for overlay in catalog.overlays:
        inputs = ValueInputs(environ=owned_elsewhere if overlay.platform == "openshift" else {})
        assert seal_overlay(repo, catalog, overlay.name, cert, inputs).files
        objects = build_objects(repo / "overlays" / overlay.name)
        assert plaintext_secrets(objects) == [], overlay.name
        assert {o["kind"] for o in objects if "ecret" in o["kind"]} == {"SealedSecret"}
    for path in sorted((repo / "overlays").rglob("*.yaml")):
        assert plaintext_secrets(list(yaml.safe_load_all(path.read_text()))) == [], path
