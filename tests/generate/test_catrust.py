"""The service CA on OpenShift, beside the public CAs, for every TLS client family (rosgit.generate.catrust).

The init steps' commands are taken from the built overlays and RUN: with sh against stand-in files (the
Python bundle), and with this machine's JDK keytool against a throwaway CA made by openssl (the Java
truststore), then read back with `keytool -list`; the JVM is shown to pick the truststore up from the
generated JAVA_TOOL_OPTIONS. Nothing here needs a cluster; the programs themselves are not run.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.generate.catrust import (
    COMBINED_BUNDLE,
    SERVICE_CA_FILE,
    SYSTEM_CA_BUNDLE,
    TRUST_MOUNT,
    TRUSTSTORE,
)
from rosgit.generate.tree import manifest_files
from rosgit.k8s.podspec import PodTemplate, pod_templates
from tests.conftest import REPO_ROOT

Obj = dict[str, Any]
OPENSHIFT = ["openshift-minimal", "openshift-dev", "openshift-prod"]
KUBERNETES = ["minimal", "dev", "prod"]
CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")
PYTHON_CLIENTS = sorted(c.name for c in CATALOG.components_for("openshift") if c.ca_trust == "python")
JAVA_CLIENTS = ["trino-coordinator", "trino-worker", "hive-metastore"]
CA_VARIABLES = {"AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "JAVA_TOOL_OPTIONS"}


@cache
def built(overlay: str) -> tuple[Obj, ...]:
    return tuple(build_objects(REPO_ROOT / "overlays" / overlay))


def template(overlay: str, name: str) -> PodTemplate:
    [found] = [t for t in pod_templates(list(built(overlay))) if t.name == name]
    return found


def step_of(pod: PodTemplate) -> Obj:
    [step] = [c for c in pod.spec.get("initContainers", []) if c["name"] == "ca-trust"]
    return step


def env_of(container: Obj) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}


def run_step(
    step: Obj, mapping: dict[str, Path], extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The step's command with its env, each in-pod path of `mapping` replaced by a local one."""
    env = {**os.environ, **(extra_env or {})}
    for name, value in env_of(step).items():
        for pod_path, local in mapping.items():
            value = value.replace(pod_path, str(local))
        env[name] = value
    return subprocess.run(step["command"], env=env, capture_output=True, text=True, check=False)


def make_ca(directory: Path, name: str) -> str:
    """A throwaway self-signed CA certificate (PEM), made by openssl now."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", f"/CN={name}"],
        check=True, capture_output=True,
    )
    return cert.read_text()


def make_leaf(directory: Path, ca: str, name: str) -> tuple[Path, Path]:
    """A server certificate for 127.0.0.1 signed by the CA `make_ca` wrote as `ca`: (certificate, key)."""
    key, request, cert = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.crt"
    subprocess.run(
        ["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(request),
         "-subj", f"/CN={name}"],
        check=True, capture_output=True,
    )
    (directory / f"{name}.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    subprocess.run(
        ["openssl", "x509", "-req", "-in", str(request), "-CA", str(directory / f"{ca}.crt"),
         "-CAkey", str(directory / f"{ca}.key"), "-CAcreateserial", "-days", "1", "-out", str(cert),
         "-extfile", str(directory / f"{name}.ext")],
        check=True, capture_output=True,
    )
    return cert, key


def pem_blocks(text: str) -> list[str]:
    return re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", text, re.S)


def bundle_stand_ins(tmp_path: Path) -> dict[str, Path]:
    """Local files for the Python step's mounts: system.pem, service-ca.crt, and an empty out/ directory."""
    (tmp_path / "out").mkdir()
    return {
        SYSTEM_CA_BUNDLE: tmp_path / "system.pem",
        SERVICE_CA_FILE: tmp_path / "service-ca.crt",
        COMBINED_BUNDLE: tmp_path / "out" / "ca-bundle.crt",
    }


@pytest.mark.parametrize("overlay", OPENSHIFT)
@pytest.mark.parametrize("name", PYTHON_CLIENTS)
def test_python_clients_read_a_bundle_of_the_system_and_service_cas(overlay: str, name: str) -> None:
    pod = template(overlay, name)
    main = pod.spec["containers"][0]
    env = env_of(main)
    assert env["AWS_CA_BUNDLE"] == env["REQUESTS_CA_BUNDLE"] == COMBINED_BUNDLE
    trust_volume = next(m["name"] for m in main["volumeMounts"] if m["mountPath"] == TRUST_MOUNT)
    assert {"name": trust_volume, "emptyDir": {"sizeLimit": "4Mi"}} in pod.spec["volumes"]
    step = step_of(pod)
    assert step["image"] == str(CATALOG.images["wait"]), "the ubi9-minimal bundle, Koku's own base"
    assert {m["mountPath"]: m["name"] for m in step["volumeMounts"]}[TRUST_MOUNT] == trust_volume


def test_the_python_bundle_step_combines_the_system_bundle_and_every_service_ca(tmp_path: Path) -> None:
    step = step_of(template("openshift-minimal", "koku-api-reads"))
    system = make_ca(tmp_path, "public-root")
    current, next_ca = make_ca(tmp_path, "service-ca-current"), make_ca(tmp_path, "service-ca-next")
    (tmp_path / "system.pem").write_text(system.rstrip("\n"))  # a bundle without a final newline
    (tmp_path / "service-ca.crt").write_text(current + next_ca)
    result = run_step(step, bundle_stand_ins(tmp_path))
    assert result.returncode == 0, result.stderr
    combined = pem_blocks((tmp_path / "out" / "ca-bundle.crt").read_text())
    assert combined == pem_blocks(system) + pem_blocks(current) + pem_blocks(next_ca)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ca-bundle.crt"]
    # what urllib3 (under botocore and requests) does with the file: load_verify_locations(cafile)
    context = ssl.create_default_context(cafile=str(tmp_path / "out" / "ca-bundle.crt"))
    subjects = {dict(part[0] for part in ca["subject"])["commonName"] for ca in context.get_ca_certs()}
    assert subjects == {"public-root", "service-ca-current", "service-ca-next"}


def test_the_python_bundle_step_fails_while_the_service_ca_is_not_injected(tmp_path: Path) -> None:
    step = step_of(template("openshift-minimal", "koku-api-reads"))
    (tmp_path / "system.pem").write_text(make_ca(tmp_path, "public-root"))
    (tmp_path / "service-ca.crt").write_text("")
    result = run_step(step, bundle_stand_ins(tmp_path))
    assert result.returncode != 0 and "no certificate" in result.stderr
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("overlay", OPENSHIFT)
@pytest.mark.parametrize("name", JAVA_CLIENTS)
def test_java_clients_get_a_truststore_step_and_the_jvm_option(overlay: str, name: str) -> None:
    pod = template(overlay, name)
    main = pod.spec["containers"][0]
    step = step_of(pod)
    assert step["image"] == main["image"], "the component's own JDK builds the store it reads"
    options = env_of(main)["JAVA_TOOL_OPTIONS"].split()
    assert f"-Djavax.net.ssl.trustStore={TRUSTSTORE}" in options
    assert "-Djavax.net.ssl.trustStorePassword=changeit" in options
    mounted = {m["mountPath"]: m for m in main["volumeMounts"]}
    assert mounted[TRUST_MOUNT].get("readOnly") is True
    assert step["resources"]["limits"]["memory"] == "256Mi"


def _jdk_home() -> Path:
    keytool = shutil.which("keytool")
    if keytool is None or shutil.which("java") is None:
        pytest.skip("no JDK keytool on this machine")
    return Path(os.path.realpath(keytool)).parent.parent


def _aliases(store: Path, keytool: Path) -> list[str]:
    listing = subprocess.run(
        [str(keytool), "-list", "-keystore", str(store), "-storepass", "changeit"],
        check=True, capture_output=True, text=True,
    ).stdout
    return [line.split(",", 1)[0] for line in listing.splitlines() if ", trustedCertEntry" in line]


def test_the_java_truststore_step_keeps_cacerts_and_adds_every_service_ca(tmp_path: Path) -> None:
    jdk = _jdk_home()
    keytool = jdk / "bin" / "keytool"
    step = step_of(template("openshift-minimal", "trino-coordinator"))
    (tmp_path / "service-ca.crt").write_text(make_ca(tmp_path, "service-ca-current") + make_ca(tmp_path, "next"))
    (tmp_path / "out").mkdir()
    store = tmp_path / "out" / "cacerts"
    result = run_step(
        step,
        {SERVICE_CA_FILE: tmp_path / "service-ca.crt", TRUSTSTORE: store},
        {"JAVA_HOME": str(jdk)},
    )
    assert result.returncode == 0, result.stderr
    cacerts = jdk / "lib" / "security" / "cacerts"
    original = _aliases(cacerts, keytool)
    built_aliases = _aliases(store, keytool)
    assert len(original) > 50, "the JDK's public CAs"
    assert sorted(built_aliases) == sorted([*original, "openshift-service-ca-1", "openshift-service-ca-2"])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["cacerts"]
    # the JVM takes the store from the generated JAVA_TOOL_OPTIONS, whatever launcher starts it
    main = template("openshift-minimal", "trino-coordinator").spec["containers"][0]
    options = env_of(main)["JAVA_TOOL_OPTIONS"].replace(TRUSTSTORE, str(store))
    shown = subprocess.run(
        [str(jdk / "bin" / "java"), "-XshowSettings:properties", "-version"],
        env={**os.environ, "JAVA_TOOL_OPTIONS": options}, capture_output=True, text=True, check=True,
    ).stderr
    assert f"javax.net.ssl.trustStore = {store}" in shown


def test_the_java_truststore_step_fails_without_a_service_ca(tmp_path: Path) -> None:
    jdk = _jdk_home()
    step = step_of(template("openshift-minimal", "hive-metastore"))
    (tmp_path / "service-ca.crt").write_text("")
    (tmp_path / "out").mkdir()
    result = run_step(
        step,
        {SERVICE_CA_FILE: tmp_path / "service-ca.crt", TRUSTSTORE: tmp_path / "out" / "cacerts"},
        {"JAVA_HOME": str(jdk)},
    )
    assert result.returncode != 0 and "no certificate" in result.stderr
    assert not (tmp_path / "out" / "cacerts").exists()


def test_kubernetes_is_untouched_by_ca_trust(tmp_path: Path) -> None:
    """Everything but the openshift Component is generated the same with and without any caTrust."""
    text = (REPO_ROOT / "rosgit.yaml").read_text()
    stripped = re.sub(r"^\s*caTrust: \w+\n", "", text, flags=re.M)
    assert stripped != text
    (tmp_path / "rosgit.yaml").write_text(stripped)
    without = manifest_files(load_catalog(tmp_path / "rosgit.yaml"))
    with_trust = manifest_files(CATALOG)
    changed = {p for p in with_trust.keys() | without.keys() if with_trust.get(p) != without.get(p)}
    # the OpenShift Components of every mode (components/openshift, components/openshift-rbac)
    assert changed and all(p.startswith(("components/openshift/", "components/openshift-")) for p in changed), changed
    for overlay in KUBERNETES:
        for pod in pod_templates(list(built(overlay))):
            for container in pod.containers():
                assert not CA_VARIABLES & {e["name"] for e in container.get("env", [])}, (overlay, pod.name)
                assert container["name"] != "ca-trust"


HANDSHAKE = """\
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

public class Handshake {
    public static void main(String[] args) throws Exception {
        SSLSocketFactory factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
        try (SSLSocket socket = (SSLSocket) factory.createSocket("127.0.0.1", Integer.parseInt(args[0]))) {
            socket.startHandshake();
            System.out.println("trusted");
        }
    }
}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_a_jvm_given_the_generated_option_trusts_a_server_the_service_ca_signed(tmp_path: Path) -> None:
    """The whole Java path on this machine: the step's store, the JVM option, a TLS handshake with a server
    whose certificate the (throwaway) service CA signed; without the option the JDK refuses it."""
    jdk = _jdk_home()
    make_ca(tmp_path, "service-ca")
    leaf, key = make_leaf(tmp_path, "service-ca", "s3")
    (tmp_path / "out").mkdir()
    store = tmp_path / "out" / "cacerts"
    step = step_of(template("openshift-minimal", "trino-worker"))
    mapping = {SERVICE_CA_FILE: tmp_path / "service-ca.crt", TRUSTSTORE: store}
    result = run_step(step, mapping, {"JAVA_HOME": str(jdk)})
    assert result.returncode == 0, result.stderr
    (tmp_path / "Handshake.java").write_text(HANDSHAKE)
    port = _free_port()
    server = subprocess.Popen(
        ["openssl", "s_server", "-accept", str(port), "-cert", str(leaf), "-key", str(key), "-quiet"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        main = template("openshift-minimal", "trino-worker").spec["containers"][0]
        options = env_of(main)["JAVA_TOOL_OPTIONS"].replace(TRUSTSTORE, str(store))
        java = [str(jdk / "bin" / "java"), str(tmp_path / "Handshake.java"), str(port)]
        plain_env = {k: v for k, v in os.environ.items() if k != "JAVA_TOOL_OPTIONS"}
        trusted = subprocess.run(
            java, env={**plain_env, "JAVA_TOOL_OPTIONS": options}, capture_output=True, text=True, timeout=120
        )
        refused = subprocess.run(java, env=plain_env, capture_output=True, text=True, timeout=120)
    finally:
        server.kill()
        server.wait()
    assert trusted.returncode == 0 and "trusted" in trusted.stdout, trusted.stderr
    assert refused.returncode != 0 and "PKIX path building failed" in refused.stderr, refused.stderr
