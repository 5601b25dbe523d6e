"""What `rosgit seal` accepts as values: guessable values refused (or sealed with no fingerprint when the
user insists), values another system owns never generated, generated values recoverable to a 0600 file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from rosgit.errors import UsageError
from rosgit.secrets.files import read_overlay_sealed_files
from rosgit.secrets.strength import estimated_bits, weakness
from tests.conftest import run_rosgit
from tests.secrets.conftest import ControllerKey
from tests.secrets.test_seal import _built_sealed_secrets, _seal, _seal_in, _unseal, _values

KEY = ("koku-django-secret", "secret-key")
STRONG_S3 = {
    ("object-storage-credentials", "access-key"): "NOOBAAACCESSKEY7Q2XW9",
    ("object-storage-credentials", "secret-key"): "nooBaa-Secret/Key+8Zk3Qw7Lm2Pv9Xc4Rt6Yb",
}


@pytest.mark.parametrize(
    "value",
    ["hunter2", "Password1!", "admin123", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Summer2024", "changeme!!"],
)
def test_guessable_values_are_weak(value: str) -> None:
    reason = weakness(value.encode())
    assert reason is not None and value not in reason


@pytest.mark.parametrize(
    "value", ["v-koku-django-secret-secret-key-=$!'\" x", "Kq83vLx2Rt9wPz4N", "\x00\xff\xfe"]
)
def test_strong_or_binary_values_pass(value: str) -> None:
    assert weakness(value.encode("latin-1") if value.startswith("\x00") else value.encode()) is None


def test_entropy_estimate_is_length_times_charset() -> None:
    assert round(estimated_bits("abcdefgh")) == round(8 * 4.700439718141092)
    assert estimated_bits("aaaa") < estimated_bits("abab")


def test_weak_value_is_refused_with_one_line_and_no_byte_of_it(repo: Path, controller: ControllerKey) -> None:
    before = {p.name: p.read_bytes() for p in (repo / "overlays/dev/sealed-secrets").iterdir()}
    result = _seal(repo, "dev", controller.cert_path, stdin="koku-django-secret/secret-key=Summer2024\n")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "koku-django-secret/secret-key: value refused" in lines[0], lines
    assert "--allow-weak koku-django-secret/secret-key" in lines[0]
    assert "Summer2" not in result.stderr + result.stdout
    assert {p.name: p.read_bytes() for p in (repo / "overlays/dev/sealed-secrets").iterdir()} == before


def test_allow_weak_seals_without_a_fingerprint(repo: Path, controller: ControllerKey) -> None:
    result = _seal(
        repo,
        "dev",
        controller.cert_path,
        "--allow-weak",
        "koku-django-secret/secret-key",
        stdin="koku-django-secret/secret-key=hunter2\n",
    )
    assert result.returncode == 0, result.stderr
    assert "WEAK value" in result.stderr and "hunter2" not in result.stderr + result.stdout
    sealed = read_overlay_sealed_files(repo, "dev")["koku-django-secret"]
    assert "secret-key" in sealed.encrypted and "secret-key" not in sealed.fingerprints  # no oracle
    obj = {o["metadata"]["name"]: o for o in _built_sealed_secrets(repo, "dev")}["koku-django-secret"]
    assert _unseal(obj, controller.key_path) == {"secret-key": "hunter2"}


def test_allow_weak_names_declared_keys_only(repo: Path, controller: ControllerKey) -> None:
    result = _seal(repo, "dev", controller.cert_path, "--allow-weak", "koku-django-secret/nope")
    assert result.returncode == 2 and "--allow-weak koku-django-secret/nope" in result.stderr


def test_values_another_system_owns_are_never_generated(repo: Path, controller: ControllerKey) -> None:
    values = {k: v for k, v in _values(repo, "openshift-dev").items() if k[0] != "object-storage-credentials"}
    with pytest.raises(UsageError) as err:
        _seal_in(repo, "openshift-dev", controller.cert_path, values)
    message = str(err.value)
    assert "access-key has no value and is owned by another system on openshift (never generated)" in message
    assert "ROSGIT_SECRET_OBJECT_STORAGE_CREDENTIALS_ACCESS_KEY" in message
    assert "sealed" not in {f.state for f in read_overlay_sealed_files(repo, "openshift-dev").values()}
    cli = _seal(repo, "openshift-dev", controller.cert_path)
    assert cli.returncode == 2 and len(cli.stderr.strip().splitlines()) == 1

    _seal_in(repo, "openshift-dev", controller.cert_path, {**values, **STRONG_S3})
    obj = {o["metadata"]["name"]: o for o in _built_sealed_secrets(repo, "openshift-dev")}
    assert _unseal(obj["object-storage-credentials"], controller.key_path) == {
        key: value for (_, key), value in STRONG_S3.items()
    }


def test_same_keys_are_generated_on_kubernetes(repo: Path, controller: ControllerKey) -> None:
    result = _seal_in(repo, "minimal", controller.cert_path)
    assert any("access-key: sealed (generated access-key)" in line for line in result.report)


def test_show_generated_writes_a_new_0600_file_with_the_sealed_values(
    repo: Path, controller: ControllerKey, tmp_path: Path
) -> None:
    out = tmp_path / "generated.env"
    result = run_rosgit(
        "seal",
        "dev",
        "--cert",
        str(controller.cert_path),
        "-c",
        str(repo / "rosgit.yaml"),
        "--show-generated",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    given = dict(line.split("=", 1) for line in out.read_text().splitlines())
    for value in given.values():
        assert value not in result.stdout + result.stderr
    recovered = {
        f"{obj['metadata']['name']}/{key}": value
        for obj in _built_sealed_secrets(repo, "dev")
        for key, value in _unseal(obj, controller.key_path).items()
    }
    assert given == recovered
    # what it wrote is what --from-env-file reads: sealing it again changes nothing
    again = run_rosgit(
        "seal",
        "dev",
        "--cert",
        str(controller.cert_path),
        "-c",
        str(repo / "rosgit.yaml"),
        "--from-env-file",
        str(out),
    )
    assert again.returncode == 0 and "0 SealedSecret file(s) written" in again.stderr, again.stderr


def test_show_generated_never_overwrites(repo: Path, controller: ControllerKey, tmp_path: Path) -> None:
    out = tmp_path / "generated.env"
    out.write_text("keep me\n")
    before = {p.name: p.read_bytes() for p in (repo / "overlays/dev/sealed-secrets").iterdir()}
    result = _seal(repo, "dev", controller.cert_path, "--show-generated", str(out))
    assert result.returncode == 2 and "never overwrites" in result.stderr
    assert out.read_text() == "keep me\n"
    assert {p.name: p.read_bytes() for p in (repo / "overlays/dev/sealed-secrets").iterdir()} == before


def test_without_show_generated_no_value_reaches_output(repo: Path, controller: ControllerKey) -> None:
    result = _seal(repo, "dev", controller.cert_path)
    assert result.returncode == 0
    recovered = [
        value
        for obj in _built_sealed_secrets(repo, "dev")
        for value in _unseal(obj, controller.key_path).values()
    ]
    assert recovered and not [v for v in recovered if v in result.stdout + result.stderr]
