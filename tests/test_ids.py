"""The finding-id registry: every id declared once in rosgit/ids.py, with one family, and nowhere else; every
id the finders emit on planted defects is declared and belongs to the stage that reports it; `rosgit rules`,
`rosgit lint --list-rules` and docs/rules.md print the registry."""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import get_args

import pytest
from typer.testing import CliRunner

from rosgit import ids
from rosgit.check.command import run_check
from rosgit.cli import app
from rosgit.errors import UsageError
from rosgit.findings import Severity
from rosgit.ids import FAMILIES, RULES, _declare, render_rules, rules_of
from tests.check.repo_copy import copy_repo, plant
from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "rosgit"
REGISTRY = PACKAGE / "ids.py"
ID_NAME = re.compile(r"(ROS|CHK|VAL|CON)\d{3}")
# An id prefix followed by a digit: also catches ids computed from pieces, like f"ROS40{i}".
ID_TEXT = re.compile(r"(ROS|CHK|VAL|CON)\d")
# Packages that read another family's id without reporting it: `rosgit check` softens secrets' stub finding.
ALSO_READS = {"check": {"secrets"}}
STAGE_FAMILY = {"generate": "check", "build": "check", "kustomize": "check"}


@functools.cache
def _modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(REPO_ROOT).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != REGISTRY
    }


def id_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every string constant or f-string that spells an id (formatted parts count as digits)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "0" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if ID_TEXT.search(text):
            found.append((node.lineno, text))
    return found


def referenced_ids(tree: ast.AST) -> set[str]:
    """The registry names a module uses: `ids.ROS101` and `from rosgit.ids import ROS101`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ids":
            names.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and node.module == "rosgit.ids":
            names.update(alias.name for alias in node.names)
    return {name for name in names if ID_NAME.fullmatch(name)}


def test_every_id_is_declared_once_under_its_own_name() -> None:
    constants = {name: value for name, value in vars(ids).items() if ID_NAME.fullmatch(name)}
    assert constants and all(name == value for name, value in constants.items())
    assert set(constants) == set(RULES)
    declared = [
        node.args[0].value
        for node in ast.walk(ast.parse(REGISTRY.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_declare"
        and isinstance(node.args[0], ast.Constant)
    ]
    assert len(declared) == len(set(declared)) == len(RULES)


def test_every_rule_has_an_id_key_a_severity_a_family_and_one_line() -> None:
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule.severity in get_args(Severity) and rule.family in FAMILIES
        assert rule.description and "\n" not in rule.description and not rule.description.endswith(".")
    assert {rule.family for rule in RULES.values()} == set(FAMILIES)


def test_a_second_declaration_or_a_malformed_id_is_refused() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        _declare("ROS101", "error", "lint", "again")
    with pytest.raises(ValueError, match="three digits"):
        _declare("ROS1010", "error", "lint", "too long")
    assert RULES["ROS101"].description == "a pod reads a Secret the overlay does not create"


def test_the_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        RULES["ROS999"] = RULES["ROS101"]


def test_helm_no_longer_shares_lint_network_ids() -> None:
    assert [r.id for r in rules_of("helm")] == [f"ROS90{i}" for i in range(1, 9)]
    assert {RULES[i].family for i in ("ROS601", "ROS602", "ROS603", "ROS604")} == {"lint"}


def test_the_literal_scan_catches_literals_computed_ids_and_docstrings() -> None:
    planted = 'def f(i):\n    """ROS101: x"""\n    return [Finding("CHK001"), f"ROS40{i}", "VAL00" + "1"]\n'
    lines = [line for line, _ in id_literals(ast.parse(planted))]
    assert lines.count(2) == 1 and lines.count(3) >= 3
    assert id_literals(ast.parse('x = "ROS and Kruize databases"; y = ids.ROS101\n')) == []


def test_no_id_is_written_outside_the_registry() -> None:
    offenders = {rel: literals for rel, tree in _modules().items() if (literals := id_literals(tree))}
    assert offenders == {}, "use the names of rosgit.ids instead"


def test_only_the_registry_makes_rule_ids() -> None:
    for rel, tree in _modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                assert name not in ("RuleId", "_declare"), f"{rel}:{node.lineno} makes an id outside rosgit/ids.py"


def test_mypy_rejects_a_finding_whose_id_is_a_plain_string() -> None:
    pytest.importorskip("mypy")
    program = (
        "from rosgit import ids\nfrom rosgit.findings import Finding\n"
        'ok = Finding(ids.ROS101, "error", "o", "m")\nbad = Finding("ROS101", "error", "o", "m")\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", os.devnull, "-c", program],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and errors[0].startswith("<string>:4:") and '"RuleId"' in errors[0], result.stdout


def test_each_package_uses_only_its_own_family() -> None:
    used: dict[str, set[str]] = {}
    for rel, tree in _modules().items():
        parts = rel.split("/")
        family = parts[1] if len(parts) > 2 and parts[1] in FAMILIES else None
        for rule_id in referenced_ids(tree):
            assert rule_id in RULES, f"{rel} names {rule_id}, which rosgit.ids does not declare"
            allowed = {family, *ALSO_READS.get(family or "", set())} if family else set()
            assert RULES[rule_id].family in allowed, f"{rel} uses {rule_id} of family {RULES[rule_id].family}"
            used.setdefault(RULES[rule_id].family, set()).add(rule_id)
    assert set(used["lint"]) == {r.id for r in rules_of("lint")}  # every lint id has a rule that reports it
    assert set(used["validate"]) == {r.id for r in rules_of("validate")}


def literal_severities(tree: ast.AST) -> set[tuple[str, str]]:
    """(id name, severity) of every `Finding(ids.X, "warning", ...)` or `context.finding(ids.X, "error", ...)`."""
    found: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and len(node.args) >= 2:
            rule, severity = node.args[0], node.args[1]
            if (
                isinstance(rule, ast.Attribute) and isinstance(rule.value, ast.Name) and rule.value.id == "ids"
                and isinstance(severity, ast.Constant) and isinstance(severity.value, str)
            ):
                found.add((rule.attr, severity.value))
    return found


def test_a_finder_departs_from_the_default_severity_only_where_the_description_says() -> None:
    pairs = set().union(*(literal_severities(tree) for tree in _modules().values()))
    assert ("ROS203", "warning") in pairs  # the scan sees the finders' severities
    departures = {
        (rule_id, severity)
        for rule_id, severity in pairs
        if severity != RULES[rule_id].severity and severity not in RULES[rule_id].description
    }
    assert departures == set(), "say in the description of rosgit.ids when the severity differs"


@pytest.mark.tools
def test_planted_defects_emit_only_declared_ids_of_their_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy_repo(tmp_path)
    deployment = repo / "base/kruize/deployment.yaml"
    plant(deployment, "key: kruize-password", "key: kruize-pasword")  # lint, and the tree drifts
    plant(deployment, "  replicas: 1\n", "  replcas: 1\n")  # validate
    plant(repo / "argocd/applications/minimal.yaml", "  destination:\n", "  destinaton:\n")  # argocd
    # the overlays' stubs are the secrets finding; the changed Deployment makes the chart differ (helm)
    code = run_check(repo / "rosgit.yaml", output="json", overlays=["minimal"], skip=[])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    undeclared = sorted({f["id"] for f in findings} - set(RULES))
    assert undeclared == []
    misfiled = [
        (f["id"], f["stage"]) for f in findings if RULES[f["id"]].family != STAGE_FAMILY.get(f["stage"], f["stage"])
    ]
    assert misfiled == []
    departures = [
        (f["id"], f["severity"]) for f in findings
        if f["severity"] != RULES[f["id"]].severity and f["severity"] not in RULES[f["id"]].description
    ]
    assert departures == []
    assert {RULES[f["id"]].family for f in findings} == set(FAMILIES)


def test_rules_command_prints_the_registry() -> None:
    runner = CliRunner()
    text = runner.invoke(app, ["rules"])
    assert text.exit_code == 0
    assert [line.split()[0] for line in text.stdout.splitlines()] == list(RULES)
    assert "ROS901  error    helm      an object's fields differ between the overlay and the chart\n" in text.stdout
    as_json = runner.invoke(app, ["rules", "--output", "json"])
    assert json.loads(as_json.stdout) == [asdict(rule) for rule in RULES.values()]
    bad = runner.invoke(app, ["rules", "--output", "xml"])
    assert isinstance(bad.exception, UsageError) and "unknown output 'xml'" in str(bad.exception)


def test_lint_list_rules_prints_the_lint_family() -> None:
    result = CliRunner().invoke(app, ["lint", "--list-rules"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == [r.id for r in rules_of("lint")]
    assert "ROS901" not in result.stdout and "CHK001" not in result.stdout


def test_docs_rules_md_is_the_registry() -> None:
    docs = (REPO_ROOT / "docs/rules.md").read_text(encoding="utf-8")
    assert docs == render_rules(RULES.values(), "markdown"), "run: rosgit rules --output markdown > docs/rules.md"
    assert "docs/rules.md" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
