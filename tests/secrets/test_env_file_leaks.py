"""A malformed --from-env-file line is reported by file and line number only: never a byte of the line.

A value piped without its `SECRET/KEY=` prefix, a space instead of `=`, or a reversed line would otherwise
put the secret into CI logs through the error message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_rosgit
from tests.secrets.conftest import ControllerKey

PLANTED = "Zq8PlantedSecretValue7Xw"

SHAPES = {
    "value only": f"{PLANTED}\n",
    "value only with an equals sign": f"{PLANTED}=tail\n",
    "space instead of =": f"koku-db-credentials/password {PLANTED}\n",
    "reversed": f"{PLANTED}=koku-db-credentials/password\n",
    "value before the slash": f"{PLANTED}/password=x\n",
    "secret name typo": f"koku-db-credentials/{PLANTED}=x\n",
    "env name typo": f"ROSGIT_SECRET_{PLANTED}=x\n",
}


def _fragments(value: str) -> list[str]:
    """Every 6-character window of the planted value: no part of it may appear."""
    return [value[i : i + 6] for i in range(len(value) - 5)]


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("source", ["file", "stdin"])
def test_no_byte_of_a_malformed_line_is_printed(
    repo: Path, controller: ControllerKey, tmp_path: Path, shape: str, source: str
) -> None:
    text = "# values\n\n" + SHAPES[shape]
    env_file = tmp_path / "values.env"
    env_file.write_text(text)
    target = str(env_file) if source == "file" else "-"
    result = run_rosgit(
        "seal",
        "prod",
        "--cert",
        str(controller.cert_path),
        "-c",
        str(repo / "rosgit.yaml"),
        "--from-env-file",
        target,
        input_text=text if source == "stdin" else None,
    )
    assert result.returncode == 2, result.stderr
    output = result.stdout + result.stderr
    leaked = [f for f in _fragments(PLANTED) if f in output]
    assert not leaked, f"{shape}: {output!r}"
    label = str(env_file) if source == "file" else "<stdin>"
    assert f"{label}:3:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_undecodable_value_file_names_no_byte(repo: Path, controller: ControllerKey, tmp_path: Path) -> None:
    env_file = tmp_path / "values.env"
    env_file.write_bytes(b"koku-db-credentials/password=caf\xe9-\xff\xfe\n")
    result = run_rosgit(
        "seal",
        "prod",
        "--cert",
        str(controller.cert_path),
        "-c",
        str(repo / "rosgit.yaml"),
        "--from-env-file",
        str(env_file),
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"rosgit: {env_file}: is not UTF-8 text"
