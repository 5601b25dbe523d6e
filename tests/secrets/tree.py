"""One freshly generated tree per test process, shared by the Argo CD and secrets tests (read-only use).

Generated from the catalog rather than copied from the shared working tree, which may be mid-edit.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from rosgit.repo.command import run_generate
from tests.conftest import REPO_ROOT


@functools.cache
def generated_tree() -> Path:
    root = Path(tempfile.mkdtemp(prefix="rosgit-tree-"))
    atexit.register(shutil.rmtree, root, True)
    shutil.copy(REPO_ROOT / "rosgit.yaml", root / "rosgit.yaml")
    if run_generate(root / "rosgit.yaml", check=False) != 0:
        raise RuntimeError("rosgit generate failed on the repository catalog")
    return root
