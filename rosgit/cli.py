"""Command-line entry point. Only parses arguments and wires modules together; heavy imports stay lazy."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from rosgit import __version__
from rosgit.errors import RosgitError

app = typer.Typer(
    name="rosgit",
    help="Catalog-driven Kustomize, Argo CD and Helm delivery for ROS + Koku + Trino.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"rosgit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """rosgit: one catalog, a generated Kustomize tree, Argo CD delivery and a provably equal Helm chart."""


CatalogOption = Annotated[Path, typer.Option("--catalog", "-c", help="Path to the catalog file.")]


@app.command()
def init(
    catalog: CatalogOption = Path("rosgit.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing catalog.")] = False,
) -> None:
    """Write the default catalog (rosgit.yaml)."""
    from rosgit.catalog.defaults import write_default_catalog

    write_default_catalog(catalog, force=force)
    typer.echo(f"wrote {catalog}")


@app.command()
def generate(
    catalog: CatalogOption = Path("rosgit.yaml"),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; print the drift as a diff and exit 1 if any.")
    ] = False,
) -> None:
    """Generate base/, components/, overlays/ and argocd/ from the catalog."""
    from rosgit.generate.command import run_generate

    raise typer.Exit(run_generate(catalog, check=check))


@app.command()
def build(
    overlay: Annotated[
        Path, typer.Argument(help="Kustomization directory, e.g. overlays/openshift-minimal.")
    ],
    engine: Annotated[
        str, typer.Option("--engine", help="builtin (pure Python) or kustomize (the pinned binary).")
    ] = "builtin",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Render an overlay exactly as Argo CD's kustomize will."""
    from rosgit.build import build_overlay

    text = build_overlay(overlay, engine=engine)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@app.command()
def resources(
    overlay: Annotated[Path, typer.Argument(help="Kustomization directory to size.")],
    output: Annotated[str, typer.Option("--output", "-o", help="text or json.")] = "text",
    engine: Annotated[str, typer.Option("--engine", help="builtin or kustomize.")] = "builtin",
) -> None:
    """Print pods, CPU/memory requests and limits and storage per component group, with the total."""
    from rosgit.build import build_objects
    from rosgit.resources import render_table, summarize

    report = summarize(build_objects(overlay, engine=engine))
    typer.echo(render_table(report, output))


def main() -> None:
    try:
        app()
    except RosgitError as err:
        typer.echo(f"rosgit: {err}", err=True)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        typer.echo("rosgit: interrupted", err=True)
        sys.exit(130)
    except Exception as err:  # a bug in rosgit, not in the user's input: one line unless debugging
        if os.environ.get("ROSGIT_DEBUG"):
            raise
        typer.echo(
            f"rosgit: internal error: {type(err).__name__}: {err} (ROSGIT_DEBUG=1 shows the traceback)",
            err=True,
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
