"""`rosgit seal` against the real kubeseal: what it seals is exactly what the controller would decrypt,
in every scope, after every Kustomize transform; re-sealing is stable; bad input is one clear line."""

from __future__ import annotations

import base64
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.catalog.model import SecretKey
from rosgit.catalog.profiles import overlay_secrets
from rosgit.errors import UsageError
from rosgit.k8s.sealedsecret import SCOPES
from rosgit.repo.command import run_generate
from rosgit.secrets.crypto import load_cert
from rosgit.secrets.files import SEALED_HEADER, read_overlay_sealed_files
from rosgit.secrets.seal import SealResult, plan_seal, resolve_overlay, seal_overlay
from rosgit.secrets.stubs import stale_sealed_files, stub_findings
from rosgit.secrets.values import ValueInputs
from tests.conftest import require_real_tool, run_rosgit
from tests.secrets.conftest import ControllerKey

Obj = dict[str, Any]


def _values(repo: Path, overlay: str, salt: str = "") -> dict[tuple[str, str], str]:
    catalog = load_catalog(repo / "rosgit.yaml")
    spec = resolve_overlay(catalog, overlay)
    values = {}
    for name in overlay_secrets(catalog, spec):
        secret = catalog.secret(name)
        assert secret is not None
        for key in secret.keys:
            values[(name, key)] = f"v-{name}-{key}-{salt}=$!'\" x"
    return values


def _env_text(values: dict[tuple[str, str], str]) -> str:
    return "".join(f"{name}/{key}={value}\n" for (name, key), value in sorted(values.items()))


def _seal(
    repo: Path, overlay: str, cert: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    extra = ["--from-env-file", "-"] if stdin else []
    return run_rosgit(
        "seal", overlay, "--cert", str(cert), "-c", str(repo / "rosgit.yaml"), *extra, *args, input_text=stdin
    )


def _seal_in(
    repo: Path,
    overlay: str,
    cert: Path,
    values: dict[tuple[str, str], str] | None = None,
    scope: str | None = None,
) -> SealResult:
    """The command in-process (the CLI adds only printing; its tests are below)."""
    inputs = ValueInputs(env_files=["-"], stdin=io.StringIO(_env_text(values))) if values else ValueInputs()
    return seal_overlay(
        repo, load_catalog(repo / "rosgit.yaml"), overlay, load_cert(cert), inputs, scope=scope
    )


def _built_sealed_secrets(repo: Path, overlay: str, *, real: bool = False) -> list[Obj]:
    if not real:
        objects = build_objects(repo / "overlays" / overlay)
        return [obj for obj in objects if obj.get("kind") == "SealedSecret"]
    kustomize = require_real_tool("kustomize")
    out = subprocess.run(
        [str(kustomize), "build", str(repo / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc and doc.get("kind") == "SealedSecret"]


def _unseal(obj: Obj, key: Path) -> dict[str, str]:
    kubeseal = require_real_tool("kubeseal")
    proc = subprocess.run(
        [str(kubeseal), "--recovery-unseal", "--recovery-private-key", str(key), "-o", "yaml"],
        input=yaml.safe_dump(obj),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    secret = yaml.safe_load(proc.stdout)
    assert secret["metadata"]["name"] == obj["metadata"]["name"]
    assert secret["metadata"]["namespace"] == obj["metadata"]["namespace"]
    return {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}


def _sealed_texts(repo: Path, overlay: str) -> dict[str, str]:
    directory = repo / "overlays" / overlay / "sealed-secrets"
    return {p.name: p.read_text() for p in sorted(directory.glob("*.yaml"))}


@pytest.mark.parametrize("scope", SCOPES)
def test_kubeseal_recovers_every_value_in_every_scope(
    repo: Path, controller: ControllerKey, scope: str
) -> None:
    """Built with the real kustomize, unsealed by the real kubeseal: binding after all transforms holds."""
    overlay = "openshift-prod"
    values = _values(repo, overlay, scope)
    if scope == "strict":  # the default scope goes through the CLI, values on stdin
        result = _seal(repo, overlay, controller.cert_path, stdin=_env_text(values))
        assert result.returncode == 0, result.stderr
        for value in values.values():
            assert value not in result.stdout + result.stderr
    else:
        _seal_in(repo, overlay, controller.cert_path, values, scope)
    built = _built_sealed_secrets(repo, overlay, real=True)
    assert {obj["metadata"]["name"] for obj in built} == {name for name, _ in values}
    for obj in built:
        assert obj["metadata"]["namespace"] == "ros-ocp-prod"
        name = obj["metadata"]["name"]
        expected = {key: value for (secret, key), value in values.items() if secret == name}
        assert _unseal(obj, controller.key_path) == expected


def test_generated_values_are_the_sealed_ones(repo: Path, controller: ControllerKey) -> None:
    """Keys without a value get a generated one; the controller decrypts exactly what was generated."""
    catalog = load_catalog(repo / "rosgit.yaml")
    overlay = resolve_overlay(catalog, "dev")
    generated: list[str] = []

    def remember(spec: SecretKey) -> str:
        from rosgit.secrets.values import generate_value

        value = generate_value(spec)
        assert value is not None
        generated.append(value)
        return value

    result = plan_seal(repo, catalog, overlay, load_cert(controller.cert_path), {}, generate=remember)
    for rel, text in result.files.items():
        (repo / rel).write_text(text)
    recovered = [
        v for obj in _built_sealed_secrets(repo, "dev") for v in _unseal(obj, controller.key_path).values()
    ]
    assert sorted(recovered) == sorted(generated)
    assert len(generated) == sum(len(catalog.secret(n).keys) for n in overlay_secrets(catalog, overlay))  # type: ignore[union-attr]


def test_resealing_is_byte_identical_and_changes_only_the_changed_key(
    repo: Path, controller: ControllerKey
) -> None:
    values = _values(repo, "prod")
    _seal_in(repo, "prod", controller.cert_path, values)
    first = _sealed_texts(repo, "prod")
    assert all(text.startswith(SEALED_HEADER) for text in first.values())

    assert _seal_in(repo, "prod", controller.cert_path, values).files == {}
    assert _sealed_texts(repo, "prod") == first
    assert _seal_in(repo, "prod", controller.cert_path).files == {}  # no values at all: everything kept
    assert _sealed_texts(repo, "prod") == first

    values[("koku-db-credentials", "password")] = "a-new-password"
    _seal_in(repo, "prod", controller.cert_path, values)
    after = _sealed_texts(repo, "prod")
    changed = {name for name in first if first[name] != after[name]}
    assert changed == {"koku-db-credentials.yaml"}
    name = "koku-db-credentials.yaml"
    before_obj, after_obj = (yaml.safe_load(t.split("\n", 1)[1]) for t in (first[name], after[name]))
    old, new = before_obj["spec"]["encryptedData"], after_obj["spec"]["encryptedData"]
    assert old["admin-password"] == new["admin-password"]
    assert old["password"] != new["password"]
    objs = {o["metadata"]["name"]: o for o in _built_sealed_secrets(repo, "prod")}
    assert _unseal(objs["koku-db-credentials"], controller.key_path)["password"] == "a-new-password"


def test_generate_keeps_sealed_files_and_check_stays_green(repo: Path, controller: ControllerKey) -> None:
    _seal_in(repo, "minimal", controller.cert_path)
    sealed = _sealed_texts(repo, "minimal")
    assert run_generate(repo / "rosgit.yaml", check=True) == 0  # `rosgit generate` would write nothing
    from rosgit.check.stages import drift_findings

    catalog = load_catalog(repo / "rosgit.yaml")
    assert (
        drift_findings(repo, catalog, "rosgit.yaml") == []
    )  # `rosgit check` does not call them hand-written
    assert _sealed_texts(repo, "minimal") == sealed


def test_stub_findings_follow_production_and_sealing(repo: Path, controller: ControllerKey) -> None:
    catalog = load_catalog(repo / "rosgit.yaml")
    before = stub_findings(repo, catalog)
    assert {f.id for f in before} == {"ROS501"}  # stubs only: every built SealedSecret lands where it belongs
    stubs = before
    assert {f.severity for f in stubs if "/prod/" in f.source or "openshift-prod" in f.source} == {"error"}
    assert {f.severity for f in stubs if "minimal" in f.source or "dev" in f.source} == {"warning"}
    _seal_in(repo, "prod", controller.cert_path)
    after = stub_findings(repo, catalog)
    assert not [f for f in after if f.source.startswith("overlays/prod/")]
    assert [f for f in after if f.source.startswith("overlays/openshift-prod/") and f.severity == "error"]


def test_unreferenced_sealed_file_is_reported(
    repo: Path, controller: ControllerKey, capsys: pytest.CaptureFixture[str]
) -> None:
    _seal_in(repo, "dev", controller.cert_path)
    directory = repo / "overlays" / "dev" / "sealed-secrets"
    (directory / "old-secret.yaml").write_text(
        (directory / "koku-django-secret.yaml").read_text().replace("koku-django-secret", "old-secret")
    )
    findings = stub_findings(repo, load_catalog(repo / "rosgit.yaml"))
    assert [f.id for f in findings if "old-secret" in f.source] == ["ROS502"]
    again = _seal_in(repo, "dev", controller.cert_path)
    assert [w for w in again.warnings if "old-secret" in w and "delete the file" in w]
    gone = repo / "overlays" / "staging" / "sealed-secrets"
    gone.mkdir(parents=True)
    (gone / "x.yaml").write_text((directory / "old-secret.yaml").read_text())
    catalog = load_catalog(repo / "rosgit.yaml")
    assert stale_sealed_files(repo, catalog) == [
        "overlays/dev/sealed-secrets/old-secret.yaml",
        "overlays/staging/sealed-secrets/x.yaml",
    ]
    assert [f.id for f in stub_findings(repo, catalog) if "staging" in f.source] == ["ROS502"]
    assert run_generate(repo / "rosgit.yaml", check=False) == 0
    assert "overlays/staging/sealed-secrets/x.yaml: sealed secret nothing deploys" in capsys.readouterr().err
    assert (gone / "x.yaml").is_file()  # reported, never deleted: it may hold the only copy of a value


def test_misbound_sealed_secret(repo: Path, controller: ControllerKey) -> None:
    _seal_in(repo, "dev", controller.cert_path)
    path = repo / "overlays" / "dev" / "sealed-secrets" / "koku-django-secret.yaml"
    path.write_text(path.read_text().replace("namespace: ros-ocp-dev", "namespace: elsewhere"))
    findings = stub_findings(repo, load_catalog(repo / "rosgit.yaml"))
    assert "ROS503" in {f.id for f in findings if f.source.endswith("koku-django-secret.yaml")}
    result = _seal(repo, "dev", controller.cert_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cannot move" in result.stderr and "Traceback" not in result.stderr
    _seal_in(
        repo, "dev", controller.cert_path, {("koku-django-secret", "secret-key"): "replacement-Kq83vLx2Rt9w"}
    )
    obj = {o["metadata"]["name"]: o for o in _built_sealed_secrets(repo, "dev")}["koku-django-secret"]
    assert _unseal(obj, controller.key_path) == {"secret-key": "replacement-Kq83vLx2Rt9w"}


def test_stub_cannot_be_unsealed(repo: Path, controller: ControllerKey) -> None:
    kubeseal = require_real_tool("kubeseal")
    stub = _built_sealed_secrets(repo, "minimal")[0]
    proc = subprocess.run(
        [str(kubeseal), "--recovery-unseal", "--recovery-private-key", str(controller.key_path)],
        input=yaml.safe_dump(stub),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0


@pytest.mark.parametrize(
    ("scope", "stdin", "message"),
    [
        ("global", "", "unknown scope"),
        (None, "ros-db-credentials/root-password=x\n", "not declared"),
        (None, "ros-db-credentials/ros-password=\n", "empty value"),
        (None, "nonsense\n", "expected SECRET/KEY=VALUE"),
    ],
)
def test_bad_input_writes_nothing(
    repo: Path, controller: ControllerKey, scope: str | None, stdin: str, message: str
) -> None:
    before = _sealed_texts(repo, "prod")
    inputs = ValueInputs(env_files=["-"], stdin=io.StringIO(stdin))
    with pytest.raises(UsageError, match=message):
        seal_overlay(
            repo,
            load_catalog(repo / "rosgit.yaml"),
            "prod",
            load_cert(controller.cert_path),
            inputs,
            scope=scope,
        )
    assert _sealed_texts(repo, "prod") == before


def test_cli_errors_are_one_line(repo: Path, controller: ControllerKey) -> None:
    result = _seal(repo, "prod", controller.cert_path, stdin="ros-db-credentials/root-password=hunter2\n")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rosgit: <stdin>:1: ") and "not declared" in lines[0]
    assert "hunter2" not in result.stderr
    unknown = _seal(repo, "staging", controller.cert_path)
    assert unknown.returncode == 2 and "unknown overlay 'staging'" in unknown.stderr


def test_bad_certificates(repo: Path, ec_cert: Path, other_controller: ControllerKey) -> None:
    result = _seal(repo, "prod", ec_cert)
    assert result.returncode == 2 and "needs RSA" in result.stderr
    expired = _seal(repo, "prod", other_controller.cert_path.with_name("expired.pem"))
    assert expired.returncode == 0
    assert "expired" in expired.stderr


def test_new_certificate_reseals_given_values_and_warns_about_the_rest(
    repo: Path, controller: ControllerKey, other_controller: ControllerKey
) -> None:
    _seal_in(repo, "dev", controller.cert_path)
    result = _seal_in(
        repo,
        "dev",
        other_controller.cert_path,
        {("koku-django-secret", "secret-key"): "rotated-Hn4pQ7zW2kXb"},
    )
    assert [w for w in result.warnings if "another certificate" in w]
    files = read_overlay_sealed_files(repo, "dev")
    obj = {o["metadata"]["name"]: o for o in _built_sealed_secrets(repo, "dev")}["koku-django-secret"]
    assert _unseal(obj, other_controller.key_path) == {"secret-key": "rotated-Hn4pQ7zW2kXb"}
    assert files["koku-django-secret"].state == "sealed"


def test_key_that_must_be_given(repo: Path, controller: ControllerKey) -> None:
    import dataclasses

    catalog = load_catalog(repo / "rosgit.yaml")
    secrets = [
        dataclasses.replace(s, keys={**s.keys, "token": SecretKey(generate="none")})
        if s.name == "koku-django-secret"
        else s
        for s in catalog.secrets
    ]
    catalog = dataclasses.replace(catalog, secrets=secrets)
    cert = load_cert(controller.cert_path)
    with pytest.raises(
        UsageError, match=r"token has no value and `generate: none`.*ROSGIT_SECRET_KOKU_DJANGO_SECRET_TOKEN"
    ):
        plan_seal(repo, catalog, resolve_overlay(catalog, "dev"), cert, {})
    given = plan_seal(
        repo, catalog, resolve_overlay(catalog, "dev"), cert, {("koku-django-secret", "token"): b"t"}
    )
    assert "token: sealed (new value)" in "\n".join(given.report)
