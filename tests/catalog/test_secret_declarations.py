"""The catalog's secrets: section declares secrets and never holds a value (plaintext in Git)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.refusal import assert_generate_refuses
from tests.conftest import REPO_ROOT

CATALOG = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
PLANTED = "Pl4intextInGit-9f3k"


CASES = [
    (
        "value",
        "      secret-key: {generate: django-secret-key, length: 50}",
        f"      secret-key: {{generate: none, value: {PLANTED}}}",
        PLANTED,
        r"secret-key: a value in the catalog is plaintext in Git",
    ),
    (
        "externalOn-unknown-platform",
        "      secret-key: {generate: django-secret-key, length: 50",
        "      secret-key: {generate: django-secret-key, length: 50, externalOn: [aws]",
        "externalOn: [aws]",
        r"'aws' is not one of",
    ),
    (
        "backend-unknown",
        "secrets:\n  - name: ros-db-credentials",
        "secretsBackend: {type: vault}\nsecrets:\n  - name: ros-db-credentials",
        "secretsBackend: {type: vault}",
        r"'vault' is not one of",
    ),
    (
        "external-secrets-without-store",
        "secrets:\n  - name: ros-db-credentials",
        "secretsBackend: {type: external-secrets}\nsecrets:\n  - name: ros-db-credentials",
        "secretsBackend: {type: external-secrets}",
        r"external-secrets needs store",
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "marker", "reason"), CASES, ids=[c[0] for c in CASES])
def test_bad_secret_declaration_is_refused_at_load(
    tmp_path: Path, case: str, old: str, new: str, marker: str, reason: str
) -> None:
    assert old in CATALOG, case
    result = assert_generate_refuses(tmp_path, CATALOG.replace(old, new, 1), marker, reason)
    if case == "value":
        assert PLANTED not in result.stderr + result.stdout
