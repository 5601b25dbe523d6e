"""The gateway run for real: the generated Envoy bootstrap, unchanged but for the mount paths, in front of stub
backends that echo what reaches them, with tokens signed by a throwaway key whose JWKS a local HTTPS server
serves under the catalog's issuer host (its certificate signed by a throwaway CA, given to the gateway as the
content of its CA Secret, as every Secret gets a test value here, or without one in place of the image's trust
store, inside the sandbox's own mount namespace).

What it proves, per overlay: each route prefix reaches the right backend; the forwarded X-Rh-Identity decodes to
the identity the backends need (org_id, account_number, user.username, user.email, JSON-boolean is_org_admin,
type User, the cost-management entitlement), with and without the org-admin realm role, as the overlay's
authorization mode says; a missing, expired, wrong-issuer, wrong-audience or foreign-key token gets 401; a
client-sent X-Rh-Identity never reaches a backend; the bearer token stays at the gateway; a 100 MiB upload
passes the upload route. Every process runs in its own sandbox, registered by PID and stopped.
"""

from __future__ import annotations

import base64
import datetime
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from rosgit.catalog.gateway import CA_DIR, SYSTEM_CA_BUNDLE, routed
from rosgit.catalog.model import Catalog, KeyRef
from rosgit.catalog.profiles import resolve_profile
from rosgit.conformance.adjust import Relocation
from rosgit.conformance.overlay import Overlay
from rosgit.conformance.pod import Container
from rosgit.conformance.result import Check, WaitTimeout, failed, passed
from rosgit.conformance.sandbox import Sandbox, give_to
from rosgit.errors import RosgitError

UPLOAD_BYTES = 100 * 1024 * 1024
GATEWAY_ADDRESS = "127.0.0.1"
JWKS_ADDRESS = "127.0.0.2"
KEY_ID = "rosgit-conformance"
START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 120.0
# the upload ingress (insights-ingress-go) is the component whose role the catalog calls ingress
UPLOAD_ROLE = "ingress"
CLAIMS = {"org_id": "1234567", "account_number": "7890123", "preferred_username": "alice",
          "email": "alice@example.org"}

# One process serving every stub backend (each on its own loopback address) and the JWKS over HTTPS. A
# backend answers 200 with what reached it: its own name, the path, the headers, the body's length.
PEERS = r"""
import json, os, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

spec = json.loads(os.environ["PEERS"])

def handler(name, body=None, path=None):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args):
            pass
        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            received = 0
            while received < length:
                chunk = self.rfile.read(min(1 << 20, length - received))
                if not chunk:
                    break
                received += len(chunk)
            if body is not None:
                status, text = (200, body) if self.path == path else (404, "{}")
            else:
                status = 200
                text = json.dumps({"backend": name, "path": self.path, "body_bytes": received,
                                   "headers": {k.lower(): ",".join(self.headers.get_all(k) or [])
                                               for k in set(self.headers.keys())}})
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        do_GET = do_POST = do_PUT = answer
    return Handler

servers = []
for peer in spec["http"]:
    servers.append(ThreadingHTTPServer((peer["address"], peer["port"]), handler(peer["name"])))
jwks = spec["jwks"]
server = ThreadingHTTPServer((jwks["address"], jwks["port"]), handler("jwks", jwks["body"], jwks["path"]))
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(jwks["cert"], jwks["key"])
server.socket = context.wrap_socket(server.socket, server_side=True)
servers.append(server)
for each in servers:
    threading.Thread(target=each.serve_forever, daemon=True).start()
open(spec["ready"], "w").close()
threading.Event().wait()
"""

# One request to the gateway; prints {"status": ..., "body": ...}. An upload streams UPLOAD bytes of zeros.
CLIENT = r"""
import http.client, json, os
spec = json.loads(os.environ["REQUEST"])
connection = http.client.HTTPConnection(spec["host"], spec["port"], timeout=spec["timeout"])
size = spec.get("upload", 0)
connection.putrequest(spec["method"], spec["path"])
for name, value in spec["headers"].items():
    connection.putheader(name, value)
if size:
    connection.putheader("Content-Length", str(size))
    connection.putheader("Content-Type", "application/vnd.redhat.hccm.tar+tgz")
connection.endheaders()
block = b"\0" * (1 << 20)
sent = 0
while sent < size:
    part = block[: min(len(block), size - sent)]
    connection.send(part)
    sent += len(part)
response = connection.getresponse()
print(json.dumps({"status": response.status, "body": response.read().decode("utf-8", "replace")}))
"""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


@dataclass(frozen=True)
class Keys:
    """A throwaway RS256 signing key and the TLS material of the JWKS server (its CA and certificate)."""

    signing: rsa.RSAPrivateKey
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes

    def jwks(self) -> str:
        numbers = self.signing.public_key().public_numbers()
        key = {"kty": "RSA", "kid": KEY_ID, "use": "sig", "alg": "RS256",
               "n": _b64url(_int_bytes(numbers.n)), "e": _b64url(_int_bytes(numbers.e))}
        return json.dumps({"keys": [key]})

    def token(self, claims: dict[str, Any], signer: rsa.RSAPrivateKey | None = None) -> str:
        header = _b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": KEY_ID}).encode())
        payload = _b64url(json.dumps(claims).encode())
        signature = (signer or self.signing).sign(f"{header}.{payload}".encode(), padding.PKCS1v15(),
                                                  hashes.SHA256())
        return f"{header}.{payload}.{_b64url(signature)}"


def test_ca(host: str) -> tuple[bytes, bytes, bytes]:
    """(CA certificate, server certificate for `host`, server key), PEM: a CA that exists only for this run."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rosgit conformance CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return ca.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.PEM), key_pem


def new_keys(host: str) -> Keys:
    ca_pem, cert_pem, key_pem = test_ca(host)
    return Keys(rsa.generate_private_key(public_exponent=65537, key_size=2048), ca_pem, cert_pem, key_pem)


def is_catalog_gateway(overlay: Overlay, container: Container) -> bool:
    """The container of the catalog's gateway component (the generator names it after the component)."""
    identity = overlay.catalog.identity
    return identity is not None and container.workload == identity.gateway and container.name == identity.gateway


def _mode_of(overlay: Overlay) -> str:
    spec = overlay.catalog.overlay(overlay.name)
    profile = spec.profile if spec is not None else overlay.catalog.project.base_profile
    return resolve_profile(overlay.catalog, profile).authorization or ""


@dataclass(frozen=True)
class Backend:
    service: str
    prefix: str
    role: str
    address: str
    port: int


def _backends(catalog: Catalog, overlay: Overlay) -> list[Backend]:
    found: dict[str, Backend] = {}
    for index, component in enumerate(routed(catalog)):
        if overlay.container(component.name) is None or component.expose is None:
            continue
        port = component.port(component.expose.port)
        assert port is not None
        found.setdefault(component.service_name, Backend(component.service_name, component.expose.path,
                                                         component.role, f"127.0.0.{10 + index}", port.port))
    return list(found.values())


class _Run:
    """The sandbox of one gateway run and how to ask the gateway something inside it."""

    def __init__(self, sandbox: Sandbox, port: int) -> None:
        self.sandbox = sandbox
        self.port = port

    def request(self, path: str, headers: dict[str, str], *, method: str = "GET", upload: int = 0) -> dict[str, Any]:
        spec = {"host": GATEWAY_ADDRESS, "port": self.port, "path": path, "method": method, "headers": headers,
                "upload": upload, "timeout": REQUEST_TIMEOUT}
        env = self.sandbox.environment({"REQUEST": json.dumps(spec)})
        result = self.sandbox.run([sys.executable, "-c", CLIENT], env=env, timeout=REQUEST_TIMEOUT + 10)
        if result.returncode != 0:
            raise WaitTimeout(f"the request {method} {path} failed: {(result.stderr.strip().splitlines() or [''])[-1]}")
        answer: dict[str, Any] = json.loads(result.stdout)
        return answer


def _decoded_identity(answer: dict[str, Any]) -> Any:
    """The X-Rh-Identity the backend received, decoded; a list when it received several; None when none."""
    try:
        values = json.loads(answer["body"])["headers"]["x-rh-identity"].split(",")
        decoded = [json.loads(base64.b64decode(value, validate=True)) for value in values]
    except (KeyError, ValueError, TypeError):
        return None
    return decoded[0] if len(decoded) == 1 else decoded


def _expected_identity(username: str, email: str, admin: bool) -> dict[str, Any]:
    return {
        "identity": {"account_number": CLAIMS["account_number"], "org_id": CLAIMS["org_id"],
                     "internal": {"org_id": CLAIMS["org_id"]}, "type": "User",
                     "user": {"username": username, "email": email, "is_org_admin": admin}},
        "entitlements": {"cost_management": {"is_entitled": True}},
    }


def identity_checks(overlay: Overlay, container: Container, sandbox: Sandbox, binary: Path) -> Iterator[Check]:
    """Start the gateway as its pod runs it (argv, config, user) with the peers, then every identity check."""
    catalog = overlay.catalog
    identity = catalog.identity
    assert identity is not None
    name = container.workload
    issuer_host = urlsplit(identity.oidc.jwks_uri).hostname or ""
    jwks_port = urlsplit(identity.oidc.jwks_uri).port or 443
    backends = _backends(catalog, overlay)
    hosts = {b.service: b.address for b in backends} | {issuer_host: JWKS_ADDRESS, name: GATEWAY_ADDRESS}
    keys = new_keys(issuer_host)
    root = sandbox.root / "identity"
    inner = Sandbox(root, list(hosts), namespace=overlay.namespace, users=[container.run_as_user], addresses=hosts)
    results: list[Check] = []
    try:
        inner.start()
        # collected, not yielded as they come: the sandbox is stopped before the caller sees any result
        results.extend(_run_checks(overlay, container, inner, binary, keys, backends, jwks_port))
    except RosgitError as error:
        results.append(failed(name, "the gateway's identity checks", str(error)))
    finally:
        inner.stop()
    left = inner.leftovers()
    if left:
        results.append(failed(name, "every process of the identity run stopped", f"still running: PIDs {left}"))
    yield from results


def _trust(sandbox: Sandbox, relocation: Relocation, keys: Keys, ca: KeyRef | None) -> None:
    """The throwaway CA where the gateway looks: the CA Secret's file (its test value), or, without one, the
    image's own trust store, replaced inside the sandbox's private mount namespace only."""
    if ca is not None:
        ca_dir = relocation.path(CA_DIR)
        ca_dir.mkdir(parents=True, exist_ok=True)
        (ca_dir / ca.key).write_bytes(keys.ca_pem)
        return
    bundle = sandbox.root / "image-ca-bundle.crt"
    bundle.write_bytes(keys.ca_pem)
    bundle.chmod(0o644)
    result = sandbox.run(["mount", "--bind", str(bundle), SYSTEM_CA_BUNDLE], env=sandbox.environment({}), timeout=10)
    if result.returncode != 0:
        raise WaitTimeout(f"could not stand the test CA in for the image's {SYSTEM_CA_BUNDLE}: {result.stderr.strip()}")


def _start(container: Container, sandbox: Sandbox, binary: Path, keys: Keys, backends: list[Backend],
           jwks_port: int, ca: KeyRef | None, jwks_path: str) -> int:
    relocation = Relocation(sandbox.root / container.workload, container.mounts)
    relocation.place(container.files)
    _trust(sandbox, relocation, keys, ca)
    give_to(relocation.home, container.run_as_user)
    tls = sandbox.root / "jwks-tls"
    tls.mkdir(exist_ok=True)
    (tls / "cert.pem").write_bytes(keys.cert_pem)
    (tls / "key.pem").write_bytes(keys.key_pem)
    ready = sandbox.root / "peers.ready"
    peers = {"http": [{"name": b.service, "address": b.address, "port": b.port} for b in backends],
             "jwks": {"address": JWKS_ADDRESS, "port": jwks_port, "cert": str(tls / "cert.pem"),
                      "key": str(tls / "key.pem"), "path": jwks_path, "body": keys.jwks()},
             "ready": str(ready)}
    process = sandbox.spawn("peers", [sys.executable, "-c", PEERS], sandbox.environment({"PEERS": json.dumps(peers)}))
    sandbox.wait_until("the stub backends and the JWKS server", ready.exists, START_TIMEOUT, process)
    argv = [str(binary), *(relocation.text(word) for word in container.argv[1:])]
    gateway = sandbox.spawn(container.workload, argv, sandbox.environment(container.env), user=container.run_as_user)
    port = container.ports.get("http", 9080)
    sandbox.wait_port(GATEWAY_ADDRESS, port, START_TIMEOUT, gateway)
    return port


def _run_checks(overlay: Overlay, container: Container, sandbox: Sandbox, binary: Path, keys: Keys,
                backends: list[Backend], jwks_port: int) -> Iterator[Check]:
    identity = overlay.catalog.identity
    assert identity is not None
    name = container.workload
    oidc = identity.oidc
    jwks_path = urlsplit(oidc.jwks_uri).path or "/"
    port = _start(container, sandbox, binary, keys, backends, jwks_port, oidc.ca, jwks_path)
    run = _Run(sandbox, port)
    now = int(time.time())
    good = {"iss": oidc.issuer, "aud": oidc.audiences[0], "sub": "f0e1", "iat": now, "exp": now + 600, **CLAIMS}
    admin = {**good, "realm_access": {"roles": ["offline_access", oidc.org_admin_role]}}
    bearer = {"Authorization": f"Bearer {keys.token(good)}"}
    first = backends[0]
    deadline = time.monotonic() + START_TIMEOUT
    answer = run.request(f"{first.prefix}/", bearer)
    while answer["status"] == 401 and time.monotonic() < deadline:  # the JWKS fetch may still be under way
        time.sleep(0.5)
        answer = run.request(f"{first.prefix}/", bearer)
    started = f"starts with the generated bootstrap and accepts a token signed by the key at {oidc.jwks_uri}"
    if answer["status"] != 200:
        yield failed(name, started, f"{container.where}: a valid token got {answer['status']}: {answer['body'][:200]}")
        return
    yield passed(name, started)
    for backend in backends:
        path = f"{backend.prefix}/rosgit-probe"
        got = run.request(path, bearer)
        body = json.loads(got["body"]) if got["status"] == 200 else {}
        check = f"{backend.prefix} reaches Service {backend.service}"
        yield passed(name, check) if body.get("backend") == backend.service and body.get("path") == path else failed(
            name, check, f"{container.where} route {backend.prefix}: answered {got['status']} from "
                         f"{body.get('backend', 'no backend')}")
    mode = _mode_of(overlay)
    every_admin = mode == "org-admin"
    for claims, label, expect_admin in ((good, "without", every_admin), (admin, "with", True)):
        got = run.request(f"{first.prefix}/", {"Authorization": f"Bearer {keys.token(claims)}"})
        seen = _decoded_identity(got)
        wanted = _expected_identity(CLAIMS["preferred_username"], CLAIMS["email"], expect_admin)
        check = (f"the forwarded X-Rh-Identity of a token {label} the {oidc.org_admin_role} role "
                 f"(authorization {mode}: is_org_admin {json.dumps(expect_admin)})")
        yield passed(name, check) if seen == wanted else failed(
            name, check, f"{container.where} ConfigMap file /etc/envoy/envoy.yaml Lua: forwarded {json.dumps(seen)}")
    headers = json.loads(answer["body"])["headers"]
    check = "the bearer token stays at the gateway (no Authorization header reaches a backend)"
    yield passed(name, check) if "authorization" not in headers else failed(
        name, check, f"{container.where}: the backend received the Authorization header")
    yield from _refusals(run, name, container, keys, good, first.prefix, oidc.issuer)
    forged = base64.b64encode(json.dumps(_expected_identity("mallory", "m@example.org", True)
                                         | {"identity": {"org_id": "666"}}).encode()).decode()
    got = run.request(f"{first.prefix}/", {**bearer, "X-Rh-Identity": forged})
    seen = _decoded_identity(got)
    check = "a client-sent X-Rh-Identity never reaches a backend (replaced, with a valid token)"
    replaced = isinstance(seen, dict) and seen.get("identity", {}).get("org_id") == CLAIMS["org_id"]
    yield passed(name, check) if replaced else failed(
        name, check, f"{container.where}: the backend received {json.dumps(seen)}")
    got = run.request(f"{first.prefix}/", {"X-Rh-Identity": forged})
    check = "a client-sent X-Rh-Identity without a token gets 401"
    yield passed(name, check) if got["status"] == 401 else failed(name, check, f"answered {got['status']}")
    upload = next((b for b in backends if b.role == UPLOAD_ROLE), None)
    if upload is not None:
        path = f"{upload.prefix}/v1/upload"
        got = run.request(path, bearer, method="POST", upload=UPLOAD_BYTES)
        body = json.loads(got["body"]) if got["status"] == 200 else {}
        check = f"a 100 MiB upload passes {upload.prefix} to Service {upload.service}"
        yield passed(name, check) if body.get("body_bytes") == UPLOAD_BYTES else failed(
            name, check, f"{container.where} route {upload.prefix}: answered {got['status']}, the backend received "
                         f"{body.get('body_bytes', 0)} bytes: {got['body'][:200]}")


def _refusals(run: _Run, name: str, container: Container, keys: Keys, good: dict[str, Any], prefix: str,
              issuer: str) -> Iterator[Check]:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases: list[tuple[str, dict[str, str]]] = [
        ("no token", {}),
        ("an expired token", {"Authorization": f"Bearer {keys.token({**good, 'exp': good['iat'] - 120})}"}),
        ("a token of another issuer", {"Authorization": f"Bearer {keys.token({**good, 'iss': issuer + '-other'})}"}),
        ("a token for another audience", {"Authorization": f"Bearer {keys.token({**good, 'aud': 'someone-else'})}"}),
        ("a token signed by another key", {"Authorization": f"Bearer {keys.token(good, other)}"}),
        ("a token without org_id", {"Authorization": "Bearer " + keys.token(
            {k: v for k, v in good.items() if k != "org_id"})}),
    ]
    for label, headers in cases:
        got = run.request(f"{prefix}/", headers)
        check = f"{label} gets 401"
        yield passed(name, check) if got["status"] == 401 else failed(
            name, check, f"{container.where}: answered {got['status']}: {got['body'][:200]}")
