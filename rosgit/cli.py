"""Command-line entry point. Only parses arguments and wires modules together; heavy imports stay lazy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from rosgit import __version__

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
    from rosgit.repo.init import run_init

    run_init(catalog, force=force)
    typer.echo(f"wrote {catalog}")


@app.command()
def generate(
    catalog: CatalogOption = Path("rosgit.yaml"),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; print the drift as a diff and exit 1 if any.")
    ] = False,
) -> None:
    """Generate base/, components/, overlays/ and argocd/ from the catalog."""
    from rosgit.repo.command import run_generate

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
    from rosgit.build import build_overlay, write_build_output

    text = build_overlay(overlay, engine=engine)
    if output is None:
        sys.stdout.write(text)
    else:
        write_build_output(output, text)


@app.command()
def resources(
    overlay: Annotated[str, typer.Argument(help="Overlay name or kustomization directory to size.")],
    output: Annotated[str, typer.Option("--output", "-o", help="text or json.")] = "text",
    engine: Annotated[str, typer.Option("--engine", help="builtin or kustomize.")] = "builtin",
) -> None:
    """Print pods, CPU/memory requests and limits and storage per component group, with the total."""
    from rosgit.build import build_objects
    from rosgit.catalog import load_catalog
    from rosgit.resources import mode_totals, overlay_directory, plan_for, render_table, summarize
    from rosgit.tools import project_root

    root = project_root()
    catalog_path = root / "rosgit.yaml"
    catalog = load_catalog(catalog_path) if catalog_path.is_file() else None
    directory = overlay_directory(overlay, catalog, root)
    report = summarize(build_objects(directory, engine=engine))
    plan = plan_for(directory, catalog, root) if catalog is not None else None
    modes = mode_totals(catalog, directory, root, report.total, engine) if catalog is not None else {}
    typer.echo(render_table(report, output, plan, modes))


@app.command()
def lint(
    overlays: Annotated[
        list[str] | None,
        typer.Argument(help="Overlay names or directories (default: every catalog overlay)."),
    ] = None,
    catalog: CatalogOption = Path("rosgit.yaml"),
    engine: Annotated[str, typer.Option("--engine", help="builtin or kustomize.")] = "builtin",
    output: Annotated[str, typer.Option("--output", "-o", help="text or json.")] = "text",
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Only these rule ids (repeatable or comma-separated)."),
    ] = None,
    list_rules: Annotated[bool, typer.Option("--list-rules", help="Print the rule ids and exit.")] = False,
    flows: Annotated[
        bool,
        typer.Option("--flows", help="Print the NetworkPolicy flows missing or extra vs the traffic matrix."),
    ] = False,
) -> None:
    """Cluster-free deployability checks on built overlays; exit 1 on any error finding."""
    from rosgit.lint.command import lint_rules_text, run_flows, run_lint

    if list_rules:
        typer.echo(lint_rules_text(), nl=False)
        raise typer.Exit(0)
    if flows:
        raise typer.Exit(run_flows(catalog, overlays or [], engine=engine))
    raise typer.Exit(run_lint(catalog, overlays or [], engine=engine, output=output, select=select or []))


@app.command()
def conformance(
    overlay: Annotated[str, typer.Argument(help="Overlay name or directory.")] = "minimal",
    component: Annotated[
        str | None, typer.Option("--component", help="Only this component (and the checks of its clients).")
    ] = None,
    catalog: CatalogOption = Path("rosgit.yaml"),
) -> None:
    """Run the real programs (PostgreSQL, Redis/Valkey, Kafka, MinIO) with the overlay's generated config;
    exit 1 on a failing check, 2 when a program is not installed."""
    from rosgit.conformance.command import run_conformance

    raise typer.Exit(run_conformance(catalog, overlay, component=component))


@app.command()
def rules(
    output: Annotated[str, typer.Option("--output", "-o", help="text, json or markdown.")] = "text",
) -> None:
    """List every finding id rosgit reports: severity, family (the check stage) and what it means."""
    from rosgit.ids import RULES, render_rules

    typer.echo(render_rules(RULES.values(), output), nl=False)


@app.command()
def check(
    catalog: CatalogOption = Path("rosgit.yaml"),
    output: Annotated[str, typer.Option("--output", "-o", help="text, json or junit.")] = "text",
    overlays: Annotated[
        list[str] | None, typer.Option("--overlay", help="Only these overlays (repeatable; default: all).")
    ] = None,
    skip: Annotated[
        list[str] | None, typer.Option("--skip", help="Skip these stages (repeatable or comma-separated).")
    ] = None,
    require_sealed: Annotated[
        bool, typer.Option("--require-sealed", help="Sealed-secret stubs in production overlays are errors.")
    ] = False,
) -> None:
    """The whole PR pipeline: drift, build (and compare with kustomize), validate, lint, Argo CD, secrets, Helm."""
    from rosgit.check.command import run_check

    raise typer.Exit(
        run_check(
            catalog, output=output, overlays=overlays or [], skip=skip or [], require_sealed=require_sealed
        )
    )


@app.command()
def validate(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Overlay directories, YAML/JSON files or folders, or - for stdin.", show_default=False
        ),
    ] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="text, json, junit or tap.")] = "text",
    kubernetes_version: Annotated[
        str | None,
        typer.Option("--kubernetes-version", help="Kubernetes version of the schemas (default 1.33)."),
    ] = None,
    ignore_missing_schemas: Annotated[
        bool, typer.Option("--ignore-missing-schemas", help="Skip kinds without a schema instead of failing.")
    ] = False,
    validator: Annotated[
        str, typer.Option("--validator", help="auto (kubeconform when installed), kubeconform or builtin.")
    ] = "auto",
    engine: Annotated[
        str, typer.Option("--engine", help="Overlay build engine: builtin or kustomize.")
    ] = "builtin",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list valid and skipped resources.")
    ] = False,
) -> None:
    """Validate objects against Kubernetes and CRD schemas, offline; exit 1 if any is invalid."""
    from rosgit.validate.command import run_validate

    raise typer.Exit(
        run_validate(
            targets or [],
            output=output,
            kubernetes_version=kubernetes_version,
            ignore_missing_schemas=ignore_missing_schemas,
            validator=validator,
            engine=engine,
            verbose=verbose,
        )
    )


schemas_app = typer.Typer(help="Manage the schemas `rosgit validate` uses.", no_args_is_help=True)
app.add_typer(schemas_app, name="schemas")


@schemas_app.command("add-crd")
def schemas_add_crd(
    files: Annotated[list[Path], typer.Argument(help="CRD YAML files (or - for stdin).", show_default=False)],
    output_dir: Annotated[
        Path | None,
        typer.Option("--output-dir", help="Schema directory (default: schemas/crds at the project root)."),
    ] = None,
) -> None:
    """Convert CustomResourceDefinitions into project-local schemas that `rosgit validate` then uses."""
    from rosgit.validate.command import run_add_crd

    for path in run_add_crd(files, dest=output_dir):
        typer.echo(f"wrote {path}")


@app.command("export-helm")
def export_helm(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the chart (or package) into.")],
    catalog: CatalogOption = Path("rosgit.yaml"),
    package: Annotated[
        bool, typer.Option("--package", help="Write <chart>-<version>.tgz instead of the chart directory.")
    ] = False,
) -> None:
    """Export the single Helm chart, rendering the same objects as the overlays."""
    from rosgit.helm.command import run_export

    raise typer.Exit(run_export(catalog, out, package=package))


@app.command("helm-diff")
def helm_diff(
    catalog: CatalogOption = Path("rosgit.yaml"),
    overlay: Annotated[
        list[str] | None, typer.Option("--overlay", help="Only this overlay (repeatable); default all.")
    ] = None,
    helm: Annotated[str, typer.Option("--helm", help="helm (v4) or helm3.")] = "helm",
    engine: Annotated[str, typer.Option("--engine", help="builtin or kustomize.")] = "builtin",
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Chart directory; default charts/<project>, else exported.")
    ] = None,
) -> None:
    """Prove the chart renders the overlays' objects; print per-object field diffs and exit 1 if not."""
    from rosgit.helm.command import run_helm_diff

    raise typer.Exit(run_helm_diff(catalog, helm=helm, engine=engine, overlays=overlay, chart=chart))


@app.command()
def seal(
    overlay: Annotated[str, typer.Argument(help="Overlay name or directory, e.g. openshift-prod.")],
    cert: Annotated[
        Path, typer.Option("--cert", help="The controller's public certificate (kubeseal --fetch-cert).")
    ],
    catalog: CatalogOption = Path("rosgit.yaml"),
    scope: Annotated[
        str | None, typer.Option("--scope", help="strict (default), namespace-wide or cluster-wide.")
    ] = None,
    from_file: Annotated[
        list[str] | None,
        typer.Option("--from-file", help="SECRET/KEY=PATH: the value is the file's content."),
    ] = None,
    from_env_file: Annotated[
        list[str] | None,
        typer.Option("--from-env-file", help="File of SECRET/KEY=VALUE lines ('-' reads stdin)."),
    ] = None,
    allow_weak: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-weak",
            help="SECRET/KEY: accept a guessable given value (another system owns it); sealed with no fingerprint.",
        ),
    ] = None,
    show_generated: Annotated[
        Path | None,
        typer.Option(
            "--show-generated",
            help="Write the values generated now to this NEW file (mode 0600, SECRET/KEY=VALUE lines).",
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Argo CD cluster name: seal for its controller into clusters/OVERLAY/NAME (fleets).",
        ),
    ] = None,
) -> None:
    """Seal the overlay's secrets with the controller's certificate; values never come from arguments.

    Values: --from-file, --from-env-file, or $ROSGIT_SECRET_<SECRET>_<KEY>. Keys never sealed before
    and given no value get a random value of their declared shape (never printed; --show-generated FILE
    keeps a copy); keys another system owns on the platform (externalOn) must be given.

    Threat model: the repository and the controller's certificate are public to whoever reads the repo.
    Beside each ciphertext is a fingerprint so an unchanged value keeps its ciphertext (no Git churn):
    scrypt (n=2^17, r=8, p=1, 128 MiB) with a per-key random salt, so anyone with the repository can test
    guesses offline, but each guess costs a password hash; nobody can decrypt without the controller's
    private key, or tell whether two keys hold the same value. Guessable given values are refused
    (--allow-weak seals them without a fingerprint). Deterministic output was refused by sealed-secrets
    for this reason (bitnami/sealed-secrets#131).
    """
    from rosgit.secrets.command import run_seal

    raise typer.Exit(
        run_seal(
            catalog,
            overlay,
            cert,
            scope=scope,
            from_files=from_file or [],
            env_files=from_env_file or [],
            allow_weak=allow_weak or [],
            show_generated=show_generated,
            cluster=cluster,
        )
    )
