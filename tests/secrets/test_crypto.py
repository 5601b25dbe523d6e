"""kubeseal-compatible hybrid encryption, certificate loading and the change-detection digest."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from rosgit.errors import UsageError
from rosgit.secrets.crypto import (
    hybrid_decrypt,
    hybrid_encrypt,
    load_cert,
    scope_label,
    seal_value,
)
from tests.secrets.conftest import ControllerKey


def test_scope_labels_match_sealed_secrets() -> None:
    assert scope_label("strict", "ns", "name") == b"ns/name"
    assert scope_label("namespace-wide", "ns", "name") == b"ns"
    assert scope_label("cluster-wide", "ns", "name") == b""


def test_layout_and_round_trip(controller: ControllerKey) -> None:
    cert = load_cert(controller.cert_path)
    sealed = base64.b64decode(seal_value(cert, b"s3cret", scope="strict", namespace="a", name="b"))
    assert int.from_bytes(sealed[:2], "big") == 512  # RSA-4096 block
    assert len(sealed) == 2 + 512 + len(b"s3cret") + 16  # GCM tag appended, no nonce stored
    assert hybrid_decrypt(controller.key, sealed, b"a/b") == b"s3cret"


def test_ciphertext_is_bound_to_its_label(controller: ControllerKey) -> None:
    sealed = hybrid_encrypt(controller.key.public_key(), b"value", b"ns/one")
    with pytest.raises(ValueError):
        hybrid_decrypt(controller.key, sealed, b"ns/two")


def test_tampering_is_detected(controller: ControllerKey) -> None:
    sealed = bytearray(hybrid_encrypt(controller.key.public_key(), b"value", b""))
    sealed[-1] ^= 1
    with pytest.raises(InvalidTag):
        hybrid_decrypt(controller.key, bytes(sealed), b"")


def test_every_sealing_differs(controller: ControllerKey) -> None:
    cert = load_cert(controller.cert_path)
    first = seal_value(cert, b"v", scope="strict", namespace="n", name="s")
    assert first != seal_value(cert, b"v", scope="strict", namespace="n", name="s")


def test_not_a_certificate(tmp_path: Path) -> None:
    path = tmp_path / "c.pem"
    path.write_text("hello")
    with pytest.raises(UsageError, match=r"not a PEM X\.509 certificate"):
        load_cert(path)


def test_private_key_instead_of_certificate(controller: ControllerKey) -> None:
    with pytest.raises(UsageError, match="private key"):
        load_cert(controller.key_path)


def test_non_rsa_certificate(ec_cert: Path) -> None:
    with pytest.raises(UsageError, match="needs RSA"):
        load_cert(ec_cert)


def test_missing_certificate(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load_cert(tmp_path / "nope.pem")


def test_expired_certificate_loads_but_says_so(other_controller: ControllerKey) -> None:
    assert load_cert(other_controller.cert_path.with_name("expired.pem")).expired
    assert not load_cert(other_controller.cert_path).expired
