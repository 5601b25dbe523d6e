"""The stages of `rosgit check`. Each returns findings (or raises); the pipeline turns them into cells.

Check ids: CHK001 generated file out of date, CHK002 hand-written file where rosgit would generate one,
CHK010 overlay does not build, CHK011 builtin engine output differs from kustomize, CHK012 builtin engine
failed where kustomize succeeded, CHK013 kustomize failed where the builtin engine succeeded.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from rosgit.catalog.model import Catalog
from rosgit.errors import RosgitError
from rosgit.findings import Finding
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj

RepoCheck = Callable[[Path, Catalog], list[Finding]]

# stage -> (module, function) providing a repo-wide check; absent modules make the stage "not available".
REPO_CHECKS: dict[str, tuple[str, str]] = {
    "argocd": ("rosgit.argocd.check", "check_argocd"),
    "secrets": ("rosgit.secrets.stubs", "stub_findings"),
    "helm": ("rosgit.helm.equivalence", "check_equivalence"),
}


class Unavailable(Exception):
    """The module implementing a stage is not part of this rosgit yet."""


def error_text(err: BaseException) -> str:
    """One line for a stage that could not run: the user-facing message, or the exception type for bugs."""
    if isinstance(err, RosgitError):
        return str(err)
    return f"internal error: {type(err).__name__}: {err}"


def resolve_repo_check(stage: str) -> RepoCheck:
    module_name, attribute = REPO_CHECKS[stage]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        # Only the stage's own module (or its package) missing means "not available"; anything else
        # missing is a broken install and must surface as a failure.
        if err.name and module_name.startswith(err.name):
            raise Unavailable(f"{module_name} is not available") from err
        raise
    function = getattr(module, attribute, None)
    if function is None:
        raise Unavailable(f"{module_name}.{attribute} is not available")
    check: RepoCheck = function
    return check


def drift_findings(root: Path, catalog: Catalog, catalog_name: str) -> list[Finding]:
    """`rosgit generate --check` as findings: one per generated file that differs from the catalog."""
    from rosgit.fileset.writer import plan_changes
    from rosgit.repo.tree import render_tree

    plan = plan_changes(root, render_tree(catalog))
    findings: list[Finding] = []
    hint = f"run `rosgit generate` and commit the result (the catalog is {catalog_name})"
    for rel in sorted(plan.create):
        findings.append(Finding("CHK001", "error", rel, "missing: the catalog generates this file", hint, rel))
    for rel, (old, new) in sorted(plan.update.items()):
        findings.append(
            Finding("CHK001", "error", rel, f"out of date: {first_difference(old, new)}", hint, rel)
        )
    for rel in sorted(plan.delete):
        findings.append(Finding("CHK001", "error", rel, "stale: the catalog no longer generates it", hint, rel))
    from rosgit.secrets.files import is_sealed_file

    for rel in sorted(plan.foreign):
        if is_sealed_file(root / rel):
            continue  # `rosgit seal` replaced the stub; the secrets stage checks it
        findings.append(
            Finding(
                "CHK002", "warning", rel, "hand-written file where rosgit generates one; it is left alone",
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


def parse_objects(text: str) -> list[Obj]:
    import yaml

    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if doc is not None]


def compare_engines(source: str, builtin: str, kustomize: str) -> list[Finding]:
    """CHK011 when the builtin engine's output is not byte-for-byte the real kustomize's."""
    if builtin == kustomize:
        return []
    return [
        Finding(
            "CHK011",
            "error",
            source,
            f"builtin engine output differs from kustomize build at {first_difference(kustomize, builtin)}",
            "a bug in rosgit's kustomize engine: report it; `--engine kustomize` works around it",
            source,
        )
    ]


def validate_findings(objects: list[Obj], source: str) -> list[Finding]:
    try:
        from rosgit.validate import report_findings, validate_documents
    except ModuleNotFoundError as err:
        if err.name and "rosgit.validate".startswith(err.name):
            raise Unavailable("rosgit.validate is not available") from err
        raise
    findings: list[Finding] = report_findings(validate_documents(objects, source=source))
    return findings


def validate_batch(objects_by_source: dict[str, list[Obj]]) -> dict[str, list[Finding]]:
    """Every overlay validated in one kubeconform run (one process and one schema load instead of one per
    overlay); each overlay stays its own scope, so duplicates are still found per overlay only."""
    try:
        from rosgit.validate import report_findings
        from rosgit.validate.core import validate
        from rosgit.validate.inputs import documents_from_objects
    except ImportError:
        return {source: validate_findings(objects, source) for source, objects in objects_by_source.items()}
    documents = [
        replace(document, scope=f"overlay:{source}")
        for source, objects in objects_by_source.items()
        for document in documents_from_objects(objects, source=source)
    ]
    report = validate(documents, sources=list(objects_by_source))
    split: dict[str, list[Finding]] = {source: [] for source in objects_by_source}
    for finding in report_findings(report):
        source = finding.source.rpartition(":")[0] if finding.source not in split else finding.source
        split.setdefault(source, []).append(finding)
    return split


def lint_findings(objects: list[Obj], context: LintContext) -> list[Finding]:
    from rosgit.lint.runner import lint_objects

    return lint_objects(objects, context)


def overlay_of(finding: Finding, overlays: list[str]) -> str | None:
    """The overlay a repo-wide finding belongs to, from its source or object path."""
    for where in (finding.source, finding.object):
        for overlay in overlays:
            prefix = f"overlays/{overlay}"
            if where == prefix or where.startswith(prefix + "/") or where.startswith(prefix + ":"):
                return overlay
    return None


def call_repo_check(check: RepoCheck, root: Path, catalog: Catalog) -> list[Finding]:
    result: Any = check(root, catalog)
    return list(result)
