"""The stages of `rosgit check`. Each returns findings (or raises); the pipeline turns them into cells.

The pipeline's own findings (drift, build, engine comparison) are the check family of rosgit.ids.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from rosgit import ids
from rosgit.argocd.check import check_argocd
from rosgit.build import Builds
from rosgit.catalog.model import Catalog
from rosgit.findings import Finding
from rosgit.helm.equivalence import check_equivalence
from rosgit.k8s.objects import Obj
from rosgit.lint.context import LintContext
from rosgit.secrets.stubs import stub_findings
from rosgit.validate import report_findings, validate_overlays


@dataclass(frozen=True)
class RepoInput:
    """What every repo-wide stage receives: the repository, its catalog, and the overlays built so far
    (anything else a stage reads is built on first use, once for all of them)."""

    root: Path
    catalog: Catalog
    catalog_name: str
    builds: Builds
    # the catalog overlays `--overlay` selected; None: every one
    overlays: tuple[str, ...] | None = None


RepoStage = Callable[[RepoInput], list[Finding]]


def drift_findings(root: Path, catalog: Catalog, catalog_name: str) -> list[Finding]:
    """`rosgit generate --check` as findings: one per generated file that differs from the catalog."""
    from rosgit.fileset.writer import plan_changes
    from rosgit.repo.tree import catalog_and_tree

    _, tree = catalog_and_tree(root / catalog_name, catalog)
    plan = plan_changes(root, tree)
    findings: list[Finding] = []
    hint = f"run `rosgit generate` and commit the result (the catalog is {catalog_name})"
    for rel in sorted(plan.create):
        findings.append(Finding(ids.CHK001, "error", rel, "missing: the catalog generates this file", hint, rel))
    for rel, (old, new) in sorted(plan.update.items()):
        findings.append(
            Finding(ids.CHK001, "error", rel, f"out of date: {first_difference(old, new)}", hint, rel)
        )
    for rel in sorted(plan.delete):
        findings.append(Finding(ids.CHK001, "error", rel, "stale: the catalog no longer generates it", hint, rel))
    from rosgit.secrets.files import is_sealed_file

    for rel in sorted(plan.foreign):
        if is_sealed_file(root / rel):
            continue  # `rosgit seal` replaced the stub; the secrets stage checks it
        findings.append(
            Finding(
                ids.CHK002, "warning", rel, "hand-written file where rosgit generates one; it is left alone",
                "delete it to let `rosgit generate` own it, or keep it on purpose", rel,
            )
        )
    return findings


def first_difference(old: str, new: str) -> str:
    """`line N: -old +new` for the first differing line of two texts."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, _, j1, _ in matcher.get_opcodes():
        if tag != "equal":
            before = old_lines[i1] if i1 < len(old_lines) else "<end of file>"
            after = new_lines[j1] if j1 < len(new_lines) else "<end of file>"
            return f"line {i1 + 1}: {before.strip()!r} should be {after.strip()!r}"
    return "line endings differ"


def compare_engines(source: str, builtin: str, kustomize: str) -> list[Finding]:
    """A finding when the builtin engine's output is not byte-for-byte the real kustomize's."""
    if builtin == kustomize:
        return []
    return [
        Finding(
            ids.CHK011,
            "error",
            source,
            f"builtin engine output differs from kustomize build at {first_difference(kustomize, builtin)}",
            "a bug in rosgit's kustomize engine: report it; `--engine kustomize` works around it",
            source,
        )
    ]


def validate_batch(
    objects_by_source: dict[str, list[Obj]], kubernetes_versions: dict[str, str] | None = None
) -> dict[str, list[Finding]]:
    """Every overlay validated in one kubeconform run per target version (one process and one schema load
    instead of one per overlay); each overlay stays its own scope, so duplicates are still found per overlay
    only. `kubernetes_versions`: each overlay's target (the catalog's, see `target_versions`)."""
    report = validate_overlays(objects_by_source, kubernetes_versions)
    split: dict[str, list[Finding]] = {source: [] for source in objects_by_source}
    for result in report.results:  # each result names the overlay it came from
        split.setdefault(result.source, []).extend(report_findings(replace(report, results=(result,))))
    return split


def lint_findings(objects: list[Obj], context: LintContext) -> list[Finding]:
    from rosgit.lint.runner import lint_objects

    return lint_objects(objects, context)


def _drift(repo: RepoInput) -> list[Finding]:
    return drift_findings(repo.root, repo.catalog, repo.catalog_name)


def _argocd(repo: RepoInput) -> list[Finding]:
    return check_argocd(repo.root, repo.catalog, builds=repo.builds)


def _secrets(repo: RepoInput) -> list[Finding]:
    return stub_findings(repo.root, repo.catalog, repo.builds)


def _helm(repo: RepoInput) -> list[Finding]:
    selected = list(repo.overlays) if repo.overlays is not None else None
    equivalence = check_equivalence(repo.root, repo.catalog, builds=repo.builds, overlays=selected)
    return equivalence + chart_bump_findings(repo.root, repo.catalog)


def chart_bump_findings(root: Path, catalog: Catalog) -> list[Finding]:
    """The version increment check against the merge-base with main; nothing to compare outside a Git
    checkout (or without git), as chart-testing needs a target branch too. Without a main branch it compares
    with HEAD, and says so: a clone of the pull request's branch alone would otherwise always pass."""
    from rosgit.diff.revisions import MAIN_BRANCHES, commit_of, files_at, main_merge_base
    from rosgit.errors import UsageError
    from rosgit.helm.release import bump_findings, no_merge_base_finding
    from rosgit.tools import find_tool

    chart_dir = f"charts/{catalog.project.name}"
    chart = root / chart_dir
    if find_tool("git") is None or not (chart / "Chart.yaml").is_file():
        return []
    try:
        merge_base = main_merge_base(root)
        base = merge_base if merge_base is not None else commit_of(root, "HEAD")
        before = files_at(root, base, chart_dir)
    except UsageError:
        return []
    files = [path for path in chart.rglob("*") if path.is_file()]
    head = {path.relative_to(chart).as_posix(): path.read_text(encoding="utf-8") for path in files}
    findings = bump_findings(chart_dir, before, head, base)
    return findings if merge_base is not None else [*findings, no_merge_base_finding(chart_dir, MAIN_BRANCHES)]


def target_version(catalog: Catalog, overlay: str) -> str | None:
    """The Kubernetes version a catalog overlay must be ready for: its platform's kubernetesVersion, or the
    Kubernetes of its openshiftVersion; None when the catalog names neither (the validator's default)."""
    from rosgit.validate.deprecations import kubernetes_of_openshift

    spec = catalog.overlay(overlay)
    platform = catalog.platforms.get(spec.platform) if spec is not None else None
    if platform is None:
        return None
    if platform.openshift_version:
        return kubernetes_of_openshift(platform.openshift_version)
    return platform.kubernetes_version


# The repo-wide stages, by the stage name the report and --skip use.
REPO_STAGE_RUNNERS: dict[str, RepoStage] = {
    "generate": _drift,
    "argocd": _argocd,
    "secrets": _secrets,
    "helm": _helm,
}


def overlay_rows(root: Path, directories: Mapping[str, Path]) -> dict[PurePosixPath, str]:
    """Row name by overlay directory relative to the repository (directories outside it get no row)."""
    rows: dict[PurePosixPath, str] = {}
    base = root.resolve()
    for row, directory in directories.items():
        resolved = directory.resolve()
        if resolved.is_relative_to(base):
            rows[PurePosixPath(resolved.relative_to(base).as_posix())] = row
    return rows


def _path_of(where: str) -> PurePosixPath:
    """The file part of a `path` or `path:line` location."""
    path, colon, line = where.rpartition(":")
    return PurePosixPath(path if colon and line.isdigit() else where)


def row_of(finding: Finding, rows: Mapping[PurePosixPath, str]) -> str | None:
    """The overlay row a repo-wide finding belongs to: the overlay directory holding its source (or the
    file its object names), None for a finding about no overlay."""
    for where in (finding.source, finding.object):
        if not where:
            continue
        path = _path_of(where)
        for directory in (path, *path.parents):
            if directory in rows:
                return rows[directory]
    return None
