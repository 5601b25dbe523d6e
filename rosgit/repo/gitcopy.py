"""Which stale generated files Git can give back: a fresh clone has no manifest, yet its retired files may go."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rosgit.tools import find_tool, run_tool


def committed_unchanged(root: Path, paths: list[str]) -> set[str]:
    """Those of `paths` whose bytes are exactly Git's staged copy: deleting them loses nothing `git checkout`
    cannot bring back. Not a Git work tree, no git, a SHA-256 repository: nothing vouches, the files are kept."""
    git = find_tool("git")
    if git is None:
        return set()
    try:
        listed = run_tool(git, ["-C", str(root), "ls-files", "-s", "-z", "--", *paths])
    except (OSError, UnicodeDecodeError):
        return set()
    if listed.returncode != 0:
        return set()
    found: set[str] = set()
    for record in listed.stdout.split("\0"):
        meta, _, rel = record.partition("\t")
        fields = meta.split()
        if len(fields) != 3 or fields[2] != "0":
            continue  # a conflicted entry has stages 1-3: no single committed copy
        try:
            data = (root / rel).read_bytes()
        except OSError:
            continue
        if hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest() == fields[1]:
            found.add(rel)
    return found
