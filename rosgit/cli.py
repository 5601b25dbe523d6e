"""Command-line entry point. Only parses arguments and wires modules together; heavy imports stay lazy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from rosgit import __version__

app = typer.Typer(
    name="rosgit",
    help="Catalog-driven Kustomize, Argo CD and Helm delivery for ROS + Koku + Trino.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    # plain help: real metavars (see cli_command) instead of the rich panels' <bool> and <list[str]>
    rich_markup_mode=None,
    # the terminal's width up to 120 columns (Click's default caps help at 80, however wide COLUMNS says it is)
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
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


CatalogOption = Annotated[Path, typer.Option("--catalog", "-c", metavar="FILE", help="Path to the catalog file.")]


# --- options every command spells the same way ------------------------------------------------------------
# -o/--output is always a FORMAT; a file to write is always --out FILE; an overlay is always a catalog overlay's
# name or a kustomization directory. Commands take these instead of spelling their own.


def output_option(*formats: str) -> Any:
    return typer.Option("--output", "-o", metavar="FORMAT", help=f"Output format: {', '.join(formats)}.")


def out_option(what: str = "Write to this file instead of stdout.") -> Any:
    return typer.Option("--out", metavar="FILE", help=what)


OVERLAY_HELP = "An overlay's name (e.g. openshift-minimal) or a kustomization directory."


def complete_overlay(incomplete: str) -> list[str]:
    """Shell completion of every OVERLAY argument and --overlay option: the repository's overlay names."""
    from rosgit.build import overlay_names

    return [name for name in overlay_names() if name.startswith(incomplete)]


OverlayArgument = Annotated[
    str, typer.Argument(metavar="OVERLAY", help=OVERLAY_HELP, show_default=False, autocompletion=complete_overlay)
]
EngineOption = Annotated[
    str, typer.Option("--engine", metavar="ENGINE", help="builtin (pure Python) or kustomize (the pinned binary).")
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="List every finding (warnings are grouped by kind otherwise).")
]


def example(text: str) -> str:
    """The help epilog of a command: one example. (\b keeps Click from rewrapping it.)"""
    return f"\b\nExample:\n  {text}"


def cli_command() -> Any:
    """The Click command behind `app`, with a metavar on every value option and argument that lacks one: its
    name in capitals (--engine ENGINE), never Typer's type names (<str>, <list[str]>)."""
    command = typer.main.get_command(app)
    _name_metavars(command)
    return command


# parameter names whose values have a better name than the parameter's own
_METAVARS = {"output": "FORMAT", "overlays": "OVERLAY", "overlay": "OVERLAY", "targets": "TARGET", "files": "FILE",
             "select": "RULE-ID", "skip": "STAGE", "output_dir": "DIR", "chart": "DIR", "cert": "CERT.pem"}


def _no_type(*_args: Any, **_context: Any) -> None:
    return None


def _name_metavars(command: Any) -> None:
    for param in getattr(command, "params", ()):
        if param.metavar is None and not getattr(param, "is_flag", False) and param.name:
            param.metavar = _METAVARS.get(param.name, param.name.upper().replace("_", "-"))
        if param.param_type_name == "argument":
            # the argument's name is its metavar; Typer would add its Python type after it
            param.display_type_rich = _no_type
    for sub in getattr(command, "commands", {}).values():
        _name_metavars(sub)


@app.command(epilog=example("rosgit init   # rosgit.yaml, rosgit.schema.json, CI workflow, pre-commit config"))
def init(
    catalog: CatalogOption = Path("rosgit.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing catalog.")] = False,
) -> None:
    """Write the default catalog (rosgit.yaml)."""
    from rosgit.repo.init import run_init

    for path, what in run_init(catalog, force=force):
        typer.echo(f"{what} {path}")


@app.command(epilog=example("rosgit generate --check"))
def generate(
    catalog: CatalogOption = Path("rosgit.yaml"),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; print the drift as a diff and exit 1 if any.")
    ] = False,
) -> None:
    """Generate base/, components/, overlays/ and argocd/ from the catalog."""
    from rosgit.repo.command import run_generate

    raise typer.Exit(run_generate(catalog, check=check))


@app.command(epilog=example("rosgit build openshift-minimal --out built.yaml"))
def build(
    overlay: OverlayArgument,
    engine: EngineOption = "builtin",
    output: Annotated[str, output_option("yaml", "json")] = "yaml",
    out: Annotated[Path | None, out_option()] = None,
) -> None:
    """Render an overlay exactly as Argo CD's kustomize will."""
    from rosgit.build import build_overlay, render_build, write_build_output

    text = render_build(build_overlay(overlay, engine=engine), output)
    if out is None:
        sys.stdout.write(text)
    else:
        write_build_output(out, text)


@app.command(epilog=example("rosgit resources openshift-prod -o json"))
def resources(
    overlay: Annotated[str, typer.Argument(
        help="Overlay name or kustomization directory to size.", autocompletion=complete_overlay
    )],
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


@app.command(epilog=example("rosgit lint openshift-minimal --flows"))
def lint(
    overlays: Annotated[
        list[str] | None,
        typer.Argument(
            help="Overlay names or directories (default: every catalog overlay).", autocompletion=complete_overlay
        ),
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
    verbose: VerboseOption = False,
) -> None:
    """Cluster-free deployability checks on built overlays; exit 1 on any error finding."""
    from rosgit.lint.command import lint_rules_text, run_flows, run_lint

    if list_rules:
        typer.echo(lint_rules_text(), nl=False)
        raise typer.Exit(0)
    if flows:
        raise typer.Exit(run_flows(catalog, overlays or [], engine=engine))
    raise typer.Exit(
        run_lint(catalog, overlays or [], engine=engine, output=output, select=select or [], verbose=verbose)
    )


@app.command(epilog=example("rosgit conformance minimal --component koku-db"))
def conformance(
    overlay: Annotated[str, typer.Argument(
        help="Overlay name or directory.", autocompletion=complete_overlay
    )] = "minimal",
    component: Annotated[
        str | None, typer.Option("--component", help="Only this component (and the checks of its clients).")
    ] = None,
    catalog: CatalogOption = Path("rosgit.yaml"),
) -> None:
    """Run the real programs (PostgreSQL, Redis/Valkey, Kafka, MinIO) with the overlay's generated config;
    exit 1 on a failing check, 2 when a program is not installed."""
    from rosgit.conformance.command import run_conformance

    raise typer.Exit(run_conformance(catalog, overlay, component=component))


@app.command(epilog=example("rosgit rules -o markdown > docs/rules.md"))
def rules(
    output: Annotated[str, typer.Option("--output", "-o", help="text, json or markdown.")] = "text",
) -> None:
    """List every finding id rosgit reports: severity, family (the check stage) and what it means."""
    from rosgit.ids import RULES, render_rules

    typer.echo(render_rules(RULES.values(), output), nl=False)


@app.command(epilog=example("rosgit check --overlay openshift-prod --verbose"))
def check(
    catalog: CatalogOption = Path("rosgit.yaml"),
    output: Annotated[str, typer.Option("--output", "-o", help="text, json or junit.")] = "text",
    overlays: Annotated[
        list[str] | None, typer.Option(
            "--overlay", help="Only these overlays (repeatable; default: all).", autocompletion=complete_overlay
        )
    ] = None,
    skip: Annotated[
        list[str] | None, typer.Option("--skip", help="Skip these stages (repeatable or comma-separated).")
    ] = None,
    require_sealed: Annotated[
        bool, typer.Option("--require-sealed", help="Sealed-secret stubs in production overlays are errors.")
    ] = False,
    require_tools: Annotated[
        bool, typer.Option("--require-tools", help="A pinned tool that is not installed is an error (CI).")
    ] = False,
    verbose: VerboseOption = False,
) -> None:
    """The whole PR pipeline: drift, build (and compare with kustomize), validate, lint, Argo CD, secrets, Helm.

    A missing pinned tool (kustomize, kubeconform, helm) is one warning naming what did not run and how to
    install it; --require-tools makes it an error. The target Kubernetes of each overlay is its platform's
    kubernetesVersion or openshiftVersion in the catalog.
    """
    from rosgit.check.command import run_check

    raise typer.Exit(
        run_check(
            catalog, output=output, overlays=overlays or [], skip=skip or [], require_sealed=require_sealed,
            require_tools=require_tools, verbose=verbose,
        )
    )


@app.command(epilog=example("rosgit validate openshift-prod --openshift-version 4.20"))
def validate(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Overlay directories, YAML/JSON files or folders, or - for stdin.", show_default=False,
            autocompletion=complete_overlay,
        ),
    ] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="text, json, junit or tap.")] = "text",
    kubernetes_version: Annotated[
        str | None,
        typer.Option(
            "--kubernetes-version", metavar="1.N",
            help="Target Kubernetes: its schemas, its removed and deprecated APIs (default 1.33).",
        ),
    ] = None,
    openshift_version: Annotated[
        str | None,
        typer.Option("--openshift-version", metavar="4.N", help="Target OpenShift: its Kubernetes version."),
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
    from rosgit.validate.deprecations import target_kubernetes

    raise typer.Exit(
        run_validate(
            targets or [],
            output=output,
            kubernetes_version=target_kubernetes(kubernetes_version, openshift_version),
            ignore_missing_schemas=ignore_missing_schemas,
            validator=validator,
            engine=engine,
            verbose=verbose,
        )
    )


schemas_app = typer.Typer(help="Manage the schemas `rosgit validate` uses.", no_args_is_help=True)
app.add_typer(schemas_app, name="schemas")


@schemas_app.command("add-crd", epilog=example("rosgit schemas add-crd my-crd.yaml"))
def schemas_add_crd(
    files: Annotated[list[Path], typer.Argument(help="CRD YAML files (or - for stdin).", show_default=False)],
    output_dir: Annotated[
        Path | None,
        typer.Option("--out", "--output-dir", help="Schema directory (default: schemas/crds at the project root)."),
    ] = None,
) -> None:
    """Convert CustomResourceDefinitions into project-local schemas that `rosgit validate` then uses."""
    from rosgit.validate.command import run_add_crd

    for path in run_add_crd(files, dest=output_dir):
        typer.echo(f"wrote {path}")


@app.command("export-helm", epilog=example("rosgit export-helm --out dist --package"))
def export_helm(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the chart (or package) into.")],
    catalog: CatalogOption = Path("rosgit.yaml"),
    package: Annotated[
        bool, typer.Option("--package", help="Write <chart>-<version>.tgz instead of the chart directory.")
    ] = False,
    push: Annotated[
        str | None,
        typer.Option("--push", help="Package, then push to oci://REGISTRY/REPOSITORY with the pinned helm."),
    ] = None,
    plain_http: Annotated[
        bool, typer.Option("--plain-http", help="Push over plain HTTP (a registry on localhost).")
    ] = False,
) -> None:
    """Export the single Helm chart, rendering the same objects as the overlays."""
    from rosgit.helm.command import run_export

    raise typer.Exit(run_export(catalog, out, package=package, push=push, plain_http=plain_http))


@app.command("helm-diff", epilog=example("rosgit helm-diff --overlay openshift-dev"))
def helm_diff(
    catalog: CatalogOption = Path("rosgit.yaml"),
    overlay: Annotated[
        list[str] | None, typer.Option(
            "--overlay", help="Only this overlay (repeatable); default all.", autocompletion=complete_overlay
        )
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


@app.command(epilog=example("rosgit seal openshift-prod --cert cert.pem --from-env-file -"))
def seal(
    overlay: Annotated[str, typer.Argument(
        help="Overlay name or directory, e.g. openshift-prod.", autocompletion=complete_overlay
    )],
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


# --- review and delivery (issue 16): diff, promote, graph. New commands use -o/--output for the format and
# --out for a file.

DiffOutput = Annotated[str, output_option("text", "json", "markdown (a pull-request comment)")]


@app.command(epilog=example("rosgit diff main -o markdown --out diff.md"))
def diff(
    base: Annotated[
        str | None, typer.Argument(help="Base revision (default: the merge-base of HEAD with main).")
    ] = None,
    head: Annotated[str | None, typer.Argument(help="Head revision (default: the working tree).")] = None,
    output: DiffOutput = "text",
    out: Annotated[Path | None, out_option("Write the report to this file.")] = None,
    catalog: CatalogOption = Path("rosgit.yaml"),
    chart: Annotated[bool, typer.Option("--chart/--no-chart", help="Also render the charts with helm.")] = True,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when any rendered object changed.")
    ] = False,
) -> None:
    """What a change does to every rendered overlay and chart: objects, fields, totals, images."""
    from rosgit.diff.command import run_diff
    from rosgit.fileset.state import tree_root

    raise typer.Exit(
        run_diff(tree_root(catalog), base, head, output=output, out=out, chart=chart, exit_code=exit_code)
    )


@app.command(epilog=example("rosgit promote dev prod"))
def promote(
    source: Annotated[str, typer.Argument(help="Environment whose pins move, e.g. dev.")],
    target: Annotated[str, typer.Argument(help="Environment that gets them, e.g. prod.")],
    catalog: CatalogOption = Path("rosgit.yaml"),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the catalog change; write nothing.")] = False,
    generate_tree: Annotated[
        bool, typer.Option("--generate/--no-generate", help="Regenerate the tree after the catalog edit.")
    ] = True,
) -> None:
    """Give TARGET the Git revision and image pins SOURCE runs (environments: in the catalog); prints the diff."""
    from rosgit.promote.command import run_promote

    changed = run_promote(catalog, source, target, dry_run=dry_run)
    if changed and generate_tree:
        from rosgit.repo.command import run_generate

        raise typer.Exit(run_generate(catalog, check=False))


@app.command(epilog=example("rosgit graph openshift-minimal -o svg --out stack.svg"))
def graph(
    overlay: Annotated[str, typer.Argument(metavar="OVERLAY", help=OVERLAY_HELP, autocompletion=complete_overlay)],
    output: Annotated[str, output_option("mermaid", "dot", "svg (needs Graphviz)")] = "mermaid",
    out: Annotated[Path | None, out_option()] = None,
    catalog: CatalogOption = Path("rosgit.yaml"),
) -> None:
    """Draw the stack: components by tier, the flows the NetworkPolicies allow, the published endpoints."""
    from rosgit.graph.command import run_graph

    raise typer.Exit(run_graph(catalog, overlay, output=output, out=out))
# --- issue 16: catalog schema, pre-commit subset (ergonomics) ----------------------------------------------
schema_app = typer.Typer(help="Schemas of rosgit's own files, generated from their typed models.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")


@schema_app.command("catalog", epilog=example("rosgit schema catalog > rosgit.schema.json"))
def schema_catalog(
    output: Annotated[str, output_option("json", "markdown")] = "json",
) -> None:
    """The JSON Schema of rosgit.yaml (json), or its reference page (markdown, docs/catalog-reference.md)."""
    from rosgit.catalog.json_schema import catalog_schema_text, reference_markdown
    from rosgit.errors import UsageError

    if output not in ("json", "markdown"):
        raise UsageError(f"unknown output format {output!r}; choose json or markdown")
    typer.echo(catalog_schema_text() if output == "json" else reference_markdown(), nl=False)


@app.command("pre-commit", epilog=example("rosgit pre-commit overlays/dev/patch-memory.yaml rosgit.yaml"))
def pre_commit(
    files: Annotated[
        list[str] | None, typer.Argument(help="The files being committed (pre-commit passes them).")
    ] = None,
    catalog: CatalogOption = Path("rosgit.yaml"),
) -> None:
    """The fast subset of `rosgit check` for a git hook: the drift check, then build, validate and lint of the
    overlays the files touch (base/ and components/ touch every overlay). CI runs the whole check."""
    from rosgit.check.precommit import run_pre_commit

    raise typer.Exit(run_pre_commit(catalog, files or []))
# --- rehearsal (rosgit/rehearsal, docs/rehearsal.md) -------------------------------------------------------
@app.command(epilog=example("rosgit rehearse openshift-minimal --timeout 900"))
def rehearse(
    overlays: Annotated[list[str] | None, typer.Argument(
        metavar="OVERLAY", help=OVERLAY_HELP, autocompletion=complete_overlay
    )] = None,
    all_overlays: Annotated[bool, typer.Option("--all", help="Every overlay of the catalog, in turn.")] = False,
    keep: Annotated[bool, typer.Option("--keep", help="Keep each cluster running after its verdict (Ctrl-C).")] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", metavar="SECONDS", help="Seconds to wait for Synced/Healthy.")
    ] = 600.0,
    catalog: CatalogOption = Path("rosgit.yaml"),
) -> None:
    """Sync overlays with the real Argo CD into a real control plane (kwok's fake nodes of the profile's
    targetCluster) with the real sealed-secrets controller; exit 1 with the first rejection or stuck object,
    2 when a program is not installed."""
    from rosgit.rehearsal.command import run_rehearse

    raise typer.Exit(run_rehearse(catalog, overlays or [], all_overlays=all_overlays, keep=keep, timeout=timeout))


@app.command(epilog=example("rosgit verify openshift-minimal --kubeconfig ~/.kube/config --context prod"))
def verify(
    overlays: Annotated[
        list[str] | None, typer.Argument(
            metavar="OVERLAY", help="Overlay names or directories (default: all).", autocompletion=complete_overlay
        )
    ] = None,
    kubeconfig: Annotated[Path, typer.Option("--kubeconfig", metavar="FILE", help="Your cluster's kubeconfig.")] = Path(
        "kubeconfig"),
    context: Annotated[
        str | None, typer.Option("--context", metavar="NAME", help="The kubeconfig context to use.")
    ] = None,
    catalog: CatalogOption = Path("rosgit.yaml"),
) -> None:
    """Server-side dry-run apply of each overlay object against your own cluster (nothing is persisted): each
    rejection by its admission (SCCs, Route validation, CRD versions) named per object; exit 1 on any."""
    from rosgit.rehearsal.command import run_verify

    raise typer.Exit(run_verify(catalog, overlays or [], kubeconfig, context))
