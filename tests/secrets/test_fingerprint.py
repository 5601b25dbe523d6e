"""The no-churn fingerprint: a guess costs a memory-hard KDF run, every key has its own salt, the parameters
travel with the fingerprint, and the legacy HMAC digests (an offline oracle) are dropped."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path

import pytest
import yaml

from rosgit.secrets.files import LEGACY_HMAC_ANNOTATION, read_overlay_sealed_files
from rosgit.secrets.fingerprint import SCRYPT, ScryptParams, fingerprint_matches, value_fingerprint
from tests.secrets.conftest import ControllerKey
from tests.secrets.test_seal import _seal_in, _sealed_texts, _values

BOUND = {"namespace": "n", "name": "s", "key": "k"}


def test_a_guess_costs_at_least_50_ms_of_kdf_work(capsys: pytest.CaptureFixture[str]) -> None:
    fingerprint = value_fingerprint("tag", value=b"the real value", **BOUND)
    guesses = [f"guess-{i}".encode() for i in range(5)]
    start = time.perf_counter()
    assert not any(fingerprint_matches(fingerprint, "tag", value=g, **BOUND) for g in guesses)
    per_guess_ms = (time.perf_counter() - start) / len(guesses) * 1000
    with capsys.disabled():
        print(
            f"\nfingerprint KDF: scrypt {SCRYPT.text()} ({SCRYPT.memory_bytes >> 20} MiB), "
            f"{per_guess_ms:.0f} ms per guess on this machine"
        )
    assert per_guess_ms >= 50, f"a guess costs only {per_guess_ms:.1f} ms with scrypt {SCRYPT.text()}"
    assert SCRYPT.memory_bytes >= 64 << 20, "memory-hard: at least 64 MiB per guess"


def test_fingerprint_recognises_only_its_value_key_and_certificate() -> None:
    fingerprint = value_fingerprint("tag", value=b"v", **BOUND)
    assert fingerprint.split(":")[:3] == ["tag", "scrypt", SCRYPT.text()]
    assert fingerprint_matches(fingerprint, "tag", value=b"v", **BOUND)
    assert not fingerprint_matches(fingerprint, "tag", value=b"w", **BOUND)
    assert not fingerprint_matches(fingerprint, "other", value=b"v", **BOUND)
    assert not fingerprint_matches(fingerprint, "tag", value=b"v", **{**BOUND, "key": "k2"})
    assert not fingerprint_matches(fingerprint, "tag", value=b"v", **{**BOUND, "namespace": "m"})


def test_every_fingerprint_has_its_own_salt() -> None:
    # equal values never show as equal fingerprints, and no table can be precomputed
    first, second = (value_fingerprint("tag", value=b"same", **BOUND) for _ in range(2))
    assert first != second
    assert first.split(":")[3] != second.split(":")[3]


def test_parameters_travel_with_the_fingerprint() -> None:
    # raising SCRYPT later must not invalidate fingerprints made with the old parameters
    cheap = ScryptParams(n=1 << 10, r=8, p=1)
    fingerprint = value_fingerprint("tag", value=b"v", params=cheap, **BOUND)
    assert "n=1024,r=8,p=1" in fingerprint
    assert fingerprint_matches(fingerprint, "tag", value=b"v", **BOUND)


@pytest.mark.parametrize("params", ["n=3,r=8,p=1", "n=1073741824,r=8,p=1", "n=1024,r=8,p=99", "bogus"])
def test_hand_edited_parameters_are_never_run(params: str) -> None:
    parts = value_fingerprint("tag", value=b"v", params=ScryptParams(1 << 10, 8, 1), **BOUND).split(":")
    parts[2] = params
    assert not fingerprint_matches(":".join(parts), "tag", value=b"v", **BOUND)


def test_the_certificate_alone_confirms_nothing(repo: Path, controller: ControllerKey) -> None:
    """The old oracle: HMAC keyed from the public key. Nothing derived from the certificate matches now."""
    values = _values(repo, "dev")
    _seal_in(repo, "dev", controller.cert_path, values)
    files = read_overlay_sealed_files(repo, "dev")
    entry = files["koku-django-secret"].fingerprints["secret-key"]
    _tag, scheme, params, salt, digest = entry.split(":")
    assert scheme == "scrypt" and params == SCRYPT.text() and len(salt) >= 16
    value = values[("koku-django-secret", "secret-key")].encode()
    spki = Path(controller.cert_path).read_bytes()
    assert digest not in {
        hmac.new(hashlib.sha256(spki).digest(), value, hashlib.sha256).hexdigest(),
        hashlib.sha256(value).hexdigest(),
    }


def test_legacy_hmac_digests_are_dropped_and_the_ciphertext_kept(
    repo: Path, controller: ControllerKey
) -> None:
    _seal_in(repo, "dev", controller.cert_path, _values(repo, "dev"))
    path = repo / "overlays" / "dev" / "sealed-secrets" / "koku-django-secret.yaml"
    header, body = path.read_text().split("\n", 1)
    obj = yaml.safe_load(body)
    annotations = obj["metadata"]["annotations"]
    fingerprints = json.loads(annotations.pop("rosgit.io/sealed-value-fingerprints"))
    tag = fingerprints["secret-key"].split(":")[0]
    annotations[LEGACY_HMAC_ANNOTATION] = json.dumps({"secret-key": f"{tag}:{'ab' * 32}"})
    path.write_text(f"{header}\n{yaml.safe_dump(obj)}")
    ciphertext = obj["spec"]["encryptedData"]["secret-key"]

    result = _seal_in(repo, "dev", controller.cert_path)  # no values: every key is kept
    assert any("legacy HMAC digest" in line for line in result.report)
    after = yaml.safe_load(path.read_text().split("\n", 1)[1])
    assert LEGACY_HMAC_ANNOTATION not in after["metadata"]["annotations"]
    assert after["spec"]["encryptedData"]["secret-key"] == ciphertext
    assert json.loads(after["metadata"]["annotations"]["rosgit.io/sealed-value-fingerprints"]) == {}
    assert _sealed_texts(repo, "dev")  # still sealed files


def test_help_states_the_parameters_in_use() -> None:
    from tests.conftest import run_rosgit

    result = run_rosgit("seal", "--help", env={"COLUMNS": "200", "TERM": "dumb"})
    text = " ".join(result.stdout.split())  # help wraps at the terminal's width (at most 120 columns)
    exponent = SCRYPT.n.bit_length() - 1
    assert f"scrypt (n=2^{exponent}, r={SCRYPT.r}, p={SCRYPT.p}, {SCRYPT.memory_bytes >> 20} MiB)" in text
    assert "bitnami/sealed-secrets#131" in text
