"""Fixtures of the rehearsal tier: the installed programs (a missing one fails under CI=true, else skips with the
install command), one rehearsal per overlay of this checkout per test process, and rehearsals of planted trees."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from rosgit.rehearsal.cluster import PROGRAMS, require_programs
from rosgit.rehearsal.engine import Outcome, rehearse
from rosgit.rehearsal.repository import working_files
from rosgit.secrets.crypto import SealingCert
from rosgit.tools import NotInstalled
from tests.conformance.conftest import no_process_left as conformance_no_process_left
from tests.conftest import REPO_ROOT, missing_under_ci_fails

TIMEOUT = 480.0


def need_programs(names: tuple[str, ...] = PROGRAMS) -> None:
    try:
        require_programs(names)
    except NotInstalled as missing:
        missing_under_ci_fails(str(missing))


# After this test process's rehearsals: no process is left in any namespace a cluster's sandbox made (the
# clusters run in conformance Sandboxes, so the conformance tier's check is the one).
no_process_left = conformance_no_process_left


def planted_tree(tmp_path: Path, edit: Callable[[Path], None]) -> Path:
    """A copy of this checkout's working tree (what Git would commit) with `edit` applied."""
    tree = tmp_path / "tree"
    for rel in working_files(REPO_ROOT):
        target = tree / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / rel, target)
    edit(tree)
    return tree


def rehearse_planted(tmp_path: Path, overlay: str, edit: Callable[[Path], None],
                     sealing_cert: SealingCert | None = None) -> Outcome:
    need_programs()
    tree = planted_tree(tmp_path, edit)
    return rehearse(tree, tree / "rosgit.yaml", overlay, tmp_path / "run", timeout=TIMEOUT,
                    sealing_cert=sealing_cert)


def problems(outcome: Outcome, check: str) -> list[str]:
    return [p.line() for p in outcome.problems if p.check == check]
