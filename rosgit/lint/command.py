"""`rosgit lint`: build the overlays, run the rules, print the findings (text or JSON)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rosgit.catalog import load_catalog
from rosgit.errors import UsageError
from rosgit.fileset.state import tree_root
from rosgit.findings import Finding, RuleId, colour_wanted, finding_lines, has_errors
from rosgit.ids import RULES, render_rules, rules_of
from rosgit.lint.runner import lint_objects
from rosgit.lint.targets import resolve_targets


def render_findings(findings: list[Finding], output: str, *, verbose: bool = True, colour: bool = False) -> str:
    """JSON lists every finding; text groups warnings by id unless `verbose` (see findings.finding_lines)."""
    if output == "json":
        return json.dumps([f.__dict__ for f in findings], indent=2, sort_keys=True) + "\n"
    return "".join(
        finding_lines([("", f) for f in findings], verbose=verbose, describe=_describe, colour=colour)
    )


def _describe(rule: RuleId) -> str:
    return RULES[rule].description if rule in RULES else ""


def lint_rules_text() -> str:
    """`rosgit lint --list-rules`: the lint family of the id registry."""
    return render_rules(rules_of("lint"))


def run_flows(catalog_path: Path, overlays: list[str], *, engine: str) -> int:
    """Print, per overlay with NetworkPolicies, the required flows missing and the extra flows allowed."""
    from rosgit.build import build_objects
    from rosgit.lint.network import reachability, render_flows
    from rosgit.lint.objects import by_kind

    catalog = load_catalog(catalog_path)
    problems = False
    for target in resolve_targets(catalog, tree_root(catalog_path), overlays):
        objects = build_objects(target.path, engine=engine)
        if not by_kind(objects, "NetworkPolicy"):
            sys.stdout.write(f"{target.name}: no NetworkPolicies (every flow is open)\n")
            continue
        result = reachability(objects, target.context)
        problems = problems or bool(result.missing or result.extra or result.dns_blocked)
        sys.stdout.write(f"{target.name}: {render_flows(result)}")
    return 1 if problems else 0


def run_lint(
    catalog_path: Path, overlays: list[str], *, engine: str, output: str, select: list[str], verbose: bool = False
) -> int:
    if output not in ("text", "json"):
        raise UsageError(f"unknown output {output!r}; choose text or json")
    chosen = {s.strip().upper() for part in select for s in part.split(",") if s.strip()} or None
    unknown = sorted((chosen or set()) - {rule.id for rule in rules_of("lint")})
    if unknown:
        raise UsageError(f"unknown rule id(s) {', '.join(unknown)}; `rosgit lint --list-rules` lists them")
    from rosgit.build import build_objects
    from rosgit.contracts import contracts_for

    catalog = load_catalog(catalog_path)
    root = tree_root(catalog_path)
    contracts = contracts_for(catalog, catalog_path)
    findings: list[Finding] = []
    for target in resolve_targets(catalog, root, overlays, contracts):
        findings.extend(lint_objects(build_objects(target.path, engine=engine), target.context, select=chosen))
    sys.stdout.write(render_findings(findings, output, verbose=verbose, colour=colour_wanted(sys.stdout)))
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    print(f"rosgit: lint: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if has_errors(findings) else 0
