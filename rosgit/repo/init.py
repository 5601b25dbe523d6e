"""`rosgit init`: the default catalog written whole or not at all, with a one-line error for a bad path, and
beside it the scaffold of a new repository (schema, CI workflow, pre-commit configuration)."""

from __future__ import annotations

from pathlib import Path

from rosgit.catalog.defaults import default_catalog_text
from rosgit.errors import UsageError
from rosgit.fileset.journal import TreeStateError
from rosgit.fileset.writer import write_file_atomically
from rosgit.repo.scaffold import scaffold_files


def run_init(catalog: Path, *, force: bool) -> list[tuple[Path, str]]:
    """Writes the catalog and the scaffold files beside it; returns (path, what happened) for each file.
    An existing scaffold file is kept unless --force: it may be the user's own."""
    if catalog.exists() and not force:
        raise UsageError("already exists; pass --force to overwrite it", location=str(catalog))
    done: list[tuple[Path, str]] = []
    try:
        catalog.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomically(catalog, default_catalog_text())
        done.append((catalog, "wrote"))
        for rel, text in scaffold_files().items():
            path = catalog.parent / rel
            if path.exists() and not force:
                done.append((path, "kept (exists)"))
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            write_file_atomically(path, text)
            done.append((path, "wrote"))
    except TreeStateError as err:
        raise UsageError(str(err)) from None
    except OSError as err:
        raise UsageError(f"{err.filename or catalog}: {err.strerror}") from None
    return done
