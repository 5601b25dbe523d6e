"""`rosgit init`: the default catalog written whole or not at all, with a one-line error for a bad path."""

from __future__ import annotations

from pathlib import Path

from rosgit.catalog.defaults import default_catalog_text
from rosgit.errors import UsageError
from rosgit.fileset.journal import TreeStateError
from rosgit.fileset.writer import write_file_atomically


def run_init(catalog: Path, *, force: bool) -> None:
    if catalog.exists() and not force:
        raise UsageError("already exists; pass --force to overwrite it", location=str(catalog))
    try:
        catalog.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomically(catalog, default_catalog_text())
    except TreeStateError as err:
        raise UsageError(str(err)) from None
    except OSError as err:
        raise UsageError(f"{err.filename or catalog}: {err.strerror}") from None
