"""Shared fixtures. Tests that need a pinned real tool fail (never skip) when CI=true and it is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

from rosgit.tools import find_tool

REPO_ROOT = Path(__file__).resolve().parent.parent

# No test meets a result cached by an earlier run (rosgit.cache): a monkeypatched or planted failure must be
# computed, not answered from a real run of the same tree. tests/test_cache.py turns the caches back on.
os.environ["ROSGIT_NO_CACHE"] = "1"


def missing_under_ci_fails(message: str) -> NoReturn:
    """What a test does when a tool or package it needs is not installed: fail under CI, skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def require_real_tool(name: str) -> Path:
    path = find_tool(name)
    if path is None:
        missing_under_ci_fails(f"{name} is not installed (run scripts/install-tools.sh)")
    return path


@pytest.fixture
def real_tool() -> Callable[[str], Path]:
    """Returns a function giving the path of a pinned tool, failing under CI when it is missing."""
    return require_real_tool


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


def run_rosgit(
    *args: str, cwd: Path | None = None, input_text: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs the rosgit CLI as a user would, in a separate process."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "rosgit", *args],
        cwd=cwd or REPO_ROOT,
        capture_output=True,
        text=True,
        input=input_text,
        env=full_env,
        check=False,
    )
