"""Throwaway controller keys (RSA 4096 is slow: made once per session) and a copy of the repo to seal in."""

from __future__ import annotations

import datetime
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.secrets.tree import generated_tree


@dataclass(frozen=True)
class ControllerKey:
    key: rsa.RSAPrivateKey
    cert_path: Path
    key_path: Path


def _cert(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, days: int, expired: bool = False) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sealed-secret")])
    now = datetime.datetime.now(datetime.UTC)
    start = now - datetime.timedelta(days=days + 2) if expired else now - datetime.timedelta(minutes=1)
    end = now - datetime.timedelta(days=1) if expired else now + datetime.timedelta(days=days)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _write_key(key: rsa.RSAPrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


@pytest.fixture(scope="session")
def controller(tmp_path_factory: pytest.TempPathFactory) -> ControllerKey:
    directory = tmp_path_factory.mktemp("controller")
    key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    (directory / "cert.pem").write_bytes(_cert(key, 3650))
    _write_key(key, directory / "key.pem")
    return ControllerKey(key, directory / "cert.pem", directory / "key.pem")


@pytest.fixture(scope="session")
def other_controller(tmp_path_factory: pytest.TempPathFactory) -> ControllerKey:
    """A second, smaller key (2048 bits keeps it fast): a different cluster or a rotated key."""
    directory = tmp_path_factory.mktemp("other")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (directory / "cert.pem").write_bytes(_cert(key, 365))
    (directory / "expired.pem").write_bytes(_cert(key, 30, expired=True))
    _write_key(key, directory / "key.pem")
    return ControllerKey(key, directory / "cert.pem", directory / "key.pem")


@pytest.fixture(scope="session")
def ec_cert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ec") / "cert.pem"
    path.write_bytes(_cert(ec.generate_private_key(ec.SECP256R1()), 365))
    return path


@pytest.fixture(scope="session")
def generated_repo() -> Path:
    """The catalog and a freshly generated tree; copy it before changing anything."""
    return generated_tree()


@pytest.fixture
def repo(tmp_path: Path, generated_repo: Path) -> Path:
    """A private copy to seal in, so sealing never touches the real repository."""
    target = tmp_path / "repo"
    shutil.copytree(generated_repo, target)
    return target
