"""The control plane's certificates and keys, made fresh for every run (never reused, never committed).

One CA signs the API server's serving certificate and the admin client certificate (group system:masters, which
every component and kubectl use: this cluster has one user); the service-account key pair signs tokens; a static
token is what in-cluster clients (the sealed-secrets controller) present.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SERVER_NAMES = ("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local")
SERVER_IPS = ("127.0.0.1", "10.0.0.1")
ADMIN_USER = "rosgit-rehearsal"
_VALID = datetime.timedelta(days=2)


@dataclass(frozen=True)
class Pki:
    """PEM texts by file name, and the static token."""

    files: dict[str, bytes]
    token: str

    def b64(self, name: str) -> str:
        return base64.b64encode(self.files[name]).decode("ascii")


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(common: str, organization: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(parts)


def _certificate(subject: x509.Name, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
                 signer: ec.EllipticCurvePrivateKey, *, ca: bool = False,
                 server: bool = False) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + _VALID)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False), critical=True)
    else:
        usage = x509.oid.ExtendedKeyUsageOID.SERVER_AUTH if server else x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if server:
        alt: list[x509.GeneralName] = [x509.DNSName(n) for n in SERVER_NAMES]
        alt += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in SERVER_IPS]
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_pki() -> Pki:
    ca_key, server_key, admin_key, sa_key = _key(), _key(), _key(), _key()
    ca_name = _name("rosgit-rehearsal-ca")
    ca = _certificate(ca_name, ca_key, ca_name, ca_key, ca=True)
    server = _certificate(_name("kube-apiserver"), server_key, ca_name, ca_key, server=True)
    admin = _certificate(_name(ADMIN_USER, "system:masters"), admin_key, ca_name, ca_key)
    token = secrets.token_hex(24)
    files = {
        "ca.crt": _pem(ca), "ca.key": _key_pem(ca_key),
        "apiserver.crt": _pem(server), "apiserver.key": _key_pem(server_key),
        "admin.crt": _pem(admin), "admin.key": _key_pem(admin_key),
        "sa.key": _key_pem(sa_key),
        "sa.pub": sa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo),
        # token,user,uid,"groups": the in-cluster clients' credential
        "tokens.csv": f'{token},{ADMIN_USER}-token,{ADMIN_USER}-token,"system:masters"\n'.encode(),
    }
    return Pki(files, token)


def kubeconfig(pki: Pki, server: str, namespace: str = "default") -> str:
    """A kubeconfig for the admin user with every credential inline (JSON is YAML)."""
    import json

    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "rehearsal",
        "clusters": [{"name": "rehearsal", "cluster": {"server": server,
                                                       "certificate-authority-data": pki.b64("ca.crt")}}],
        "users": [{"name": ADMIN_USER, "user": {"client-certificate-data": pki.b64("admin.crt"),
                                                "client-key-data": pki.b64("admin.key")}}],
        "contexts": [{"name": "rehearsal", "context": {"cluster": "rehearsal", "user": ADMIN_USER,
                                                       "namespace": namespace}}],
    }, indent=2) + "\n"
