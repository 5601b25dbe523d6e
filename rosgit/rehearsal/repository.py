"""What the git daemon serves: the working tree as one commit, with argocd/ rendered for the daemon's URL.

The user's files are never edited. The commit is made in a copy (tracked and untracked files that Git does not
ignore, as they are on disk); in the copy, argocd/ is what `rosgit generate` writes for the catalog with
`project.repoUrl` pointed at the daemon (the one override), and the overlays' SealedSecrets are sealed with the
controller's certificate. A working tree whose argocd/ is not what its catalog generates is refused: the
override would hide the difference.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Mapping
from pathlib import Path

from rosgit.argocd.generate import argocd_files
from rosgit.catalog.model import Catalog
from rosgit.errors import UsageError
from rosgit.generate.tree import manifest_files
from rosgit.tools import ProcessResult, run_process

BRANCH = "main"
_GIT_ENV = {"GIT_AUTHOR_NAME": "rosgit rehearse", "GIT_AUTHOR_EMAIL": "rehearse@rosgit.invalid",
            "GIT_COMMITTER_NAME": "rosgit rehearse", "GIT_COMMITTER_EMAIL": "rehearse@rosgit.invalid",
            "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/local/bin:/usr/bin:/bin"}


def git(args: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> ProcessResult:
    result = run_process(["git", *args], env={**_GIT_ENV, "HOME": str(cwd), **(env or {})}, cwd=cwd,
                         timeout=120)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise UsageError(f"git {args[0]} failed: {lines[-1] if lines else result.returncode}", location=str(cwd))
    return result


def repo_url(name: str, port: int) -> str:
    return f"git://127.0.0.1:{port}/{name}.git"


def overridden_argocd(catalog: Catalog, url: str) -> tuple[dict[str, str], dict[str, str]]:
    """(argocd/ as the catalog generates it, argocd/ with project.repoUrl = url)."""
    manifests = manifest_files(catalog)
    moved = dataclasses.replace(catalog, project=dataclasses.replace(catalog.project, repo_url=url))
    return argocd_files(catalog, manifests), argocd_files(moved, manifests)


def working_files(root: Path) -> list[str]:
    """The files of the working tree that Git would commit (tracked or untracked, not ignored), as on disk."""
    if not (root / ".git").exists():
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".rosgit" not in p.parts)
    listed = git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], root).stdout
    return sorted({name for name in listed.split("\0") if name and (root / name).is_file()})


def stage_copy(root: Path, catalog: Catalog, url: str, copy: Path) -> list[str]:
    """Copy the working tree to `copy` with argocd/ re-rendered for `url`; returns the argocd/ files replaced."""
    generated, moved = overridden_argocd(catalog, url)
    for rel, text in generated.items():
        on_disk = root / rel
        if not on_disk.is_file() or on_disk.read_text(encoding="utf-8") != text:
            raise UsageError("argocd/ is not what the catalog generates (run `rosgit generate`): the rehearsal "
                             "would sync something else", location=rel)
    for rel in working_files(root):
        target = copy / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, target, follow_symlinks=False)
    for rel, text in moved.items():
        (copy / rel).write_text(text, encoding="utf-8")
    return sorted(moved)


def commit_and_push(copy: Path, bare: Path, message: str) -> str:
    """Commit everything in `copy` (a new repository the first time) and push it to `bare`; the commit id."""
    if not (copy / ".git").exists():
        git(["init", "-q", "-b", BRANCH], copy)
    if not bare.exists():
        bare.parent.mkdir(parents=True, exist_ok=True)
        git(["init", "-q", "--bare", "-b", BRANCH, str(bare)], bare.parent)
    git(["add", "-A", "-f", "--", ".", ":(exclude).rosgit"], copy)
    git(["commit", "-q", "--allow-empty", "-m", message], copy)
    git(["push", "-q", "--force", str(bare), f"HEAD:{BRANCH}"], copy)
    return git(["rev-parse", "HEAD"], copy).stdout.strip()
