"""The catalog's secrets: section declares secrets and never holds a value (plaintext in Git)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, run_rosgit

CATALOG = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
PLANTED = "Pl4intextInGit-9f3k"


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


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
    text = CATALOG.replace(old, new, 1)
    catalog = tmp_path / "rosgit.yaml"
    catalog.write_text(text, encoding="utf-8")
    result = run_rosgit("generate", "--catalog", str(catalog))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    match = re.match(rf"^rosgit: {re.escape(str(catalog))}:(\d+): (.*)$", lines[0])
    assert match and re.search(reason, match.group(2)), lines[0]
    assert int(match.group(1)) == _line_of(text, marker), lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rosgit.yaml"], "nothing may be written"
    if case == "value":
        assert PLANTED not in result.stderr + result.stdout
