"""`rosgit promote`: edit the catalog, validate the result, show the change, write it."""

from __future__ import annotations

import difflib
import os
import sys
import tempfile
from pathlib import Path

from rosgit.catalog import load_catalog
from rosgit.errors import UsageError
from rosgit.promote.edit import promote_text
from rosgit.userfiles import read_user_text


def catalog_change(catalog_path: Path, source: str, target: str) -> tuple[str, str]:
    """(old text, new text) of the catalog; the new one is loaded and validated before anything is written."""
    old = read_user_text(catalog_path)
    new = promote_text(old, source, target, where=str(catalog_path))
    directory = catalog_path.resolve().parent
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".rosgit-promote-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(new)
        try:
            load_catalog(Path(temporary))
        except UsageError as err:
            message = f"the promoted catalog would not load: {err.message}"
            raise UsageError(message, location=str(catalog_path)) from None
    finally:
        os.unlink(temporary)
    return old, new


def run_promote(catalog_path: Path, source: str, target: str, *, dry_run: bool) -> bool:
    """Prints the catalog diff; writes it unless `dry_run`. True when the catalog changed."""
    old, new = catalog_change(catalog_path, source, target)
    if old == new:
        print(f"rosgit: {target} already runs what {source} runs", file=sys.stderr)
        return False
    name = str(catalog_path)
    before, after = (name, name) if catalog_path.is_absolute() else (f"a/{name}", f"b/{name}")
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), before, after))
    if dry_run:
        return False
    target_path = catalog_path.resolve()
    handle, temporary = tempfile.mkstemp(dir=target_path.parent, prefix=".rosgit-promote-", suffix=".yaml")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(new)
    os.chmod(temporary, target_path.stat().st_mode & 0o7777)
    os.replace(temporary, target_path)
    print(f"rosgit: promoted {source} to {target} in {catalog_path}", file=sys.stderr)
    return True
