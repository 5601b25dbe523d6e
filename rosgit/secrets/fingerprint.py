"""The no-churn fingerprint stored beside each sealed value, and why it costs a password hash per guess.

`rosgit seal` keeps a key's old ciphertext when the given value is the one sealed last time, so Git does not
churn. That needs something in the repository that recognises the value: anything that does is a way to
confirm a guess offline. The sealed-secrets maintainers refused deterministic ciphertext for this reason
(bitnami/sealed-secrets#131). The first design keyed an HMAC from the *public* certificate, so one guess cost
one SHA-256: a common password fell in milliseconds.

Threat model. An attacker holding the repository and the controller's certificate (both public to anyone
who can read the repository) can, for each key, compute scrypt(context || guess, salt) with the stored salt
and parameters and compare; nothing else in the repository helps (the ciphertext needs the controller's
private key). They cannot decrypt anything, cannot tell whether two keys hold the same value (every key has
its own random salt), and cannot precompute tables (the salt is new whenever a value is re-sealed). A guess
costs a memory-hard KDF run (SCRYPT below: 128 MiB and ~0.1-0.4 s on a 2020s core; the memory makes GPUs
and ASICs little better per dollar), so a generated value (>= 103 bits: a 20-character access key) is out
of reach, and a low-entropy value given by a user is refused (rosgit.secrets.strength) unless
`--allow-weak` names it: such a key is sealed with no fingerprint at all (no oracle), at the price of
re-sealing it whenever it is given.

Parameters are stored with each fingerprint, so raising SCRYPT later only changes new fingerprints; old ones
still verify with their own parameters until their value is re-sealed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

SCHEME = "scrypt"
_SALT_BYTES = 16
_HASH_BYTES = 32
# scrypt's working memory is 128 * n * r bytes; allow a little over it, and never more than 1 GiB.
_MAX_MEMORY = 1 << 30


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost: n (CPU/memory, a power of 2), r (block size), p (parallelism)."""

    n: int
    r: int
    p: int

    def text(self) -> str:
        return f"n={self.n},r={self.r},p={self.p}"

    @property
    def memory_bytes(self) -> int:
        return 128 * self.n * self.r * self.p


# OWASP's Password Storage Cheat Sheet minimum for scrypt: N=2^17, r=8, p=1 (128 MiB per guess).
SCRYPT = ScryptParams(n=1 << 17, r=8, p=1)


def _context(namespace: str, name: str, key: str) -> bytes:
    return f"rosgit seal fingerprint v2\0{namespace}\0{name}\0{key}\0".encode()


def _scrypt(params: ScryptParams, password: bytes, salt: bytes) -> bytes:
    return hashlib.scrypt(
        password,
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=min(_MAX_MEMORY, params.memory_bytes + (1 << 20)),
        dklen=_HASH_BYTES,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def value_fingerprint(
    tag: str,
    *,
    namespace: str,
    name: str,
    key: str,
    value: bytes,
    params: ScryptParams = SCRYPT,
    salt: bytes | None = None,
) -> str:
    """`TAG:scrypt:n=..,r=..,p=..:SALT:HASH` with a fresh random salt; TAG names the certificate."""
    salt = os.urandom(_SALT_BYTES) if salt is None else salt
    digest = _scrypt(params, _context(namespace, name, key) + value, salt)
    return f"{tag}:{SCHEME}:{params.text()}:{_b64(salt)}:{_b64(digest)}"


def _parse_params(text: str) -> ScryptParams | None:
    try:
        fields = dict(part.split("=", 1) for part in text.split(","))
        params = ScryptParams(n=int(fields["n"]), r=int(fields["r"]), p=int(fields["p"]))
    except (KeyError, ValueError):
        return None
    # A hand-edited fingerprint must not make sealing allocate unbounded memory or loop forever.
    if params.n < 2 or params.n & (params.n - 1) or params.r < 1 or params.p < 1:
        return None
    if params.memory_bytes > _MAX_MEMORY or params.p > 16:
        return None
    return params


def is_current_scheme(fingerprint: str) -> bool:
    """True for a KDF fingerprint; False for the legacy HMAC digests (`TAG:HEX`) that were an oracle."""
    return fingerprint.split(":")[1:2] == [SCHEME]


def fingerprint_matches(
    fingerprint: str, tag: str, *, namespace: str, name: str, key: str, value: bytes
) -> bool:
    """Whether `value` is the value the fingerprint was made of, for the certificate TAG."""
    parts = fingerprint.split(":")
    if len(parts) != 5 or parts[0] != tag or parts[1] != SCHEME:
        return False
    params = _parse_params(parts[2])
    if params is None:
        return False
    try:
        salt, expected = base64.b64decode(parts[3], validate=True), base64.b64decode(parts[4], validate=True)
    except ValueError:
        return False
    actual = _scrypt(params, _context(namespace, name, key) + value, salt)
    return hmac.compare_digest(actual, expected)
