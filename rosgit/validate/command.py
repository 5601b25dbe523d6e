"""The thin layer behind `rosgit validate` and `rosgit schemas add-crd`: read, validate, print."""

from __future__ import annotations

import sys
from pathlib import Path

from rosgit.errors import UsageError
from rosgit.userfiles import read_user_stream, read_user_text
from rosgit.validate.core import VALIDATORS, validate
from rosgit.validate.inputs import read_inputs
from rosgit.validate.output import FORMATTERS, render
from rosgit.validate.schemas import (
    dump_schema,
    normalize_kubernetes_version,
    plan_crd_schemas,
    project_crd_dir,
    write_atomic,
)


def run_validate(
    args: list[str],
    *,
    output: str = "text",
    kubernetes_version: str | None = None,
    ignore_missing_schemas: bool = False,
    validator: str = "auto",
    engine: str = "builtin",
    verbose: bool = False,
) -> int:
    """Prints the report; returns 0 when every resource is valid (or skipped), 1 otherwise."""
    # Every option is checked before the (possibly slow) builds, so a typo fails at once.
    if output not in FORMATTERS:
        raise UsageError(f"unknown output format {output!r}; choose one of {', '.join(FORMATTERS)}")
    if validator not in VALIDATORS:
        raise UsageError(f"unknown validator {validator!r}; choose one of {', '.join(VALIDATORS)}")
    version = normalize_kubernetes_version(kubernetes_version)
    documents, sources = read_inputs(args, engine=engine)
    report = validate(
        documents,
        kubernetes_version=version,
        ignore_missing_schemas=ignore_missing_schemas,
        validator=validator,
        sources=sources,
    )
    sys.stdout.write(render(report, output, verbose=verbose))
    return report.exit_code


def run_add_crd(files: list[Path], *, dest: Path | None = None) -> list[Path]:
    """Converts every CRD in the files into the project-local schema directory; returns the files written.

    All files are read and converted before anything is written, so a bad CRD leaves the directory untouched.
    """
    target = dest or project_crd_dir()
    texts = []
    for file in files:
        if str(file) == "-":
            texts.append((read_user_stream(sys.stdin.buffer), "stdin"))
            continue
        texts.append((read_user_text(file), str(file)))
    written: list[Path] = []
    planned = plan_crd_schemas(texts)
    for item in planned:
        # the names were checked when planned; this is the last guard before a write outside the directory
        if not (target / item.relpath).resolve().is_relative_to(target.resolve()):
            raise UsageError(f"{item.kind} {item.version}: schema path {item.relpath!r} leaves {target}")
    for item in planned:
        path = target / item.relpath
        write_atomic(path, dump_schema(item.schema))
        written.append(path)
    return written
