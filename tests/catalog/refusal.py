"""The one shape of a refused catalog edit: exit 2, one `rosgit: FILE:LINE: reason` line, nothing written."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import run_rosgit


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the catalog")


def assert_generate_refuses(
    tmp_path: Path, text: str, marker: str | None, reason: str
) -> subprocess.CompletedProcess[str]:
    """`generate` on the catalog `text` fails with one line matching `reason`, at the line holding `marker`."""
    catalog = tmp_path / "rosgit.yaml"
    catalog.write_text(text, encoding="utf-8")

    result = run_rosgit("generate", "--catalog", str(catalog))

    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    match = re.match(rf"^rosgit: {re.escape(str(catalog))}:(\d+): (.*)$", lines[0])
    assert match, lines[0]
    assert re.search(reason, match.group(2)), lines[0]
    if marker is not None:
        assert int(match.group(1)) == line_of(text, marker), lines[0]
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rosgit.yaml"], "nothing may be written"
    return result
