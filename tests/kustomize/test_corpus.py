"""Golden corpus: every case directory is built by the real pinned kustomize and by the builtin engine.

Each case is a directory under cases/ whose root holds a kustomization.yaml (the entry point).
A case whose root holds a file named `expect-error` must fail in both engines; the file's text
(if any) is a substring the builtin engine's one-line error must contain.
Expected output is never written by hand: it is whatever the real kustomize prints at test time.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rosgit.errors import RosgitError
from tests.conftest import require_real_tool

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(p for p in CASES_DIR.iterdir() if (p / "kustomization.yaml").is_file()) if CASES_DIR.is_dir() else []


@pytest.mark.tools
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_builtin_matches_real_kustomize(case: Path) -> None:
    from rosgit.kustomize import build_text

    kustomize = require_real_tool("kustomize")
    real = subprocess.run([str(kustomize), "build", str(case)], capture_output=True, text=True, check=False)
    expect_error = case / "expect-error"
    if expect_error.exists():
        assert real.returncode != 0, f"real kustomize unexpectedly built {case.name}:\n{real.stdout}"
        with pytest.raises(RosgitError) as caught:
            build_text(case)
        wanted = expect_error.read_text(encoding="utf-8").strip()
        assert wanted in str(caught.value)
        assert "\n" not in str(caught.value)
        return
    assert real.returncode == 0, real.stderr
    assert build_text(case) == real.stdout
