"""A rough guessability estimate for values users give `rosgit seal`, offline (no network, no word lists).

The estimate is an upper bound (length x log2 of the character classes used), so it lets through some weak
values ("Password1!" passes it); the small list below catches the commonest of those. It exists so the
no-churn fingerprint (rosgit.secrets.fingerprint) is never stored beside a value cheap to guess.
"""

from __future__ import annotations

import math
import string

MIN_BITS = 64
# The commonest passwords and defaults of the services this repository deploys (lower case; a value is
# weak when it is one of them, possibly followed by digits and punctuation, like "Admin123!").
COMMON = frozenset(
    """
    123456 12345678 123456789 1234567890 111111 000000 password passw0rd p@ssw0rd qwerty qwertyuiop abc123
    letmein welcome monkey dragon master secret changeme changeit default admin administrator root toor
    guest test testing hunter iloveyou sunshine princess football baseball superman trustno1 login shadow
    postgres postgresql redis valkey minio minioadmin minio123 koku trino hive kafka kruize insights ros
    cost openshift kubernetes redhat django
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation + " ")


def estimated_bits(value: str) -> float:
    """length x log2(size of the character classes the value uses); other characters count as 100 more."""
    pool = sum(len(chars) for chars in _CLASSES if any(c in chars for c in value))
    if any(not any(c in chars for chars in _CLASSES) for c in value):
        pool += 100
    # A run of one repeated character adds almost nothing: count distinct runs, not characters.
    runs = sum(1 for i, c in enumerate(value) if i == 0 or c != value[i - 1])
    return runs * math.log2(pool) if pool > 1 else 0.0


def is_common(value: str) -> bool:
    stem = value.lower().rstrip(string.digits + string.punctuation + " ")
    return value.lower() in COMMON or stem in COMMON


def weakness(value: bytes) -> str | None:
    """Why the value is guessable, or None; never includes the value."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return None  # binary data (a key file): not something a person picked
    if is_common(text):
        return "it is a common password"
    bits = estimated_bits(text)
    if bits < MIN_BITS:
        return f"it has about {bits:.0f} bits of entropy at most (at least {MIN_BITS} wanted)"
    return None
