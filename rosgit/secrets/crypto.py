"""kubeseal-compatible hybrid encryption and the controller certificate.

The format is sealed-secrets' `HybridEncrypt`: a fresh AES-256 session key wrapped with RSA-OAEP (SHA-256, MGF1
SHA-256, the scope string as OAEP label), the value encrypted with AES-GCM under an all-zero nonce (safe: every
session key encrypts exactly one value), laid out as uint16_be(len(rsa)) || rsa || aes-ciphertext+tag.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rosgit.errors import UsageError
from rosgit.k8s.sealedsecret import Scope

_NONCE = bytes(12)
_SESSION_KEY_BYTES = 32


@dataclass(frozen=True)
class SealingCert:
    """The controller's public key and what identifies it."""

    public_key: rsa.RSAPublicKey
    not_after: datetime.datetime
    path: str

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the DER SubjectPublicKeyInfo: stable across re-issued certificates of the same key."""
        return "sha256:" + hashlib.sha256(_spki(self.public_key)).hexdigest()

    @property
    def expired(self) -> bool:
        return self.not_after < datetime.datetime.now(datetime.UTC)


def _spki(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_cert(path: Path) -> SealingCert:
    """Reads a PEM X.509 certificate carrying an RSA public key; anything else is a one-line UsageError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError("certificate file not found", location=str(path)) from None
    except OSError as err:
        raise UsageError(f"cannot read certificate: {err.strerror}", location=str(path)) from None
    if b"PRIVATE KEY" in data:
        raise UsageError(
            "this is a private key; pass the controller's public certificate "
            "(`kubeseal --fetch-cert > cert.pem`)",
            location=str(path),
        )
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError:
        raise UsageError(
            "not a PEM X.509 certificate (expected -----BEGIN CERTIFICATE-----; "
            "get it with `kubeseal --fetch-cert`)",
            location=str(path),
        ) from None
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise UsageError(
            f"certificate key is {type(key).__name__.removeprefix('_')}, but sealed-secrets needs RSA",
            location=str(path),
        )
    if key.key_size < 2048:
        raise UsageError(f"RSA key of {key.key_size} bits is too small (at least 2048)", location=str(path))
    return SealingCert(public_key=key, not_after=cert.not_valid_after_utc, path=str(path))


def scope_label(scope: Scope, namespace: str, name: str) -> bytes:
    """The OAEP label binding a ciphertext to where it may be decrypted."""
    if scope == "strict":
        return f"{namespace}/{name}".encode()
    if scope == "namespace-wide":
        return namespace.encode()
    return b""


def hybrid_encrypt(public_key: rsa.RSAPublicKey, plaintext: bytes, label: bytes) -> bytes:
    session_key = os.urandom(_SESSION_KEY_BYTES)
    wrapped = public_key.encrypt(
        session_key,
        padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=label),
    )
    sealed = AESGCM(session_key).encrypt(_NONCE, plaintext, None)
    return len(wrapped).to_bytes(2, "big") + wrapped + sealed


def hybrid_decrypt(private_key: rsa.RSAPrivateKey, ciphertext: bytes, label: bytes) -> bytes:
    """The inverse, for tests and self-checks; the controller does this in the cluster."""
    size = int.from_bytes(ciphertext[:2], "big")
    wrapped, sealed = ciphertext[2 : 2 + size], ciphertext[2 + size :]
    session_key = private_key.decrypt(
        wrapped,
        padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=label),
    )
    return AESGCM(session_key).decrypt(_NONCE, sealed, None)


def seal_value(cert: SealingCert, value: bytes, *, scope: Scope, namespace: str, name: str) -> str:
    """The base64 `encryptedData` entry kubeseal would write for this value."""
    label = scope_label(scope, namespace, name)
    return base64.b64encode(hybrid_encrypt(cert.public_key, value, label)).decode("ascii")
