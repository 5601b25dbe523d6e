"""`rosgit diff` on two commits of a fixture repository: the expected objects and fields come from the real
`kustomize build` at both commits, flattened here independently of rosgit's differ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rosgit.diff import COMMENT_LIMIT, diff_renders, render_report
from rosgit.diff.render import Render
from tests.conftest import require_real_tool, run_rosgit
from tests.diff.fixture import git, kustomize_at, make_repo

Key = tuple[str, str, str, str]


def leaves(value: Any, path: str = "") -> dict[str, Any]:
    """path -> leaf value; list items by their name when every item has a distinct one, else by index."""
    if isinstance(value, dict) and value:
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(leaves(item, f"{path}.{key}" if path else key))
        return found
    if isinstance(value, list) and value:
        names = [item.get("name") if isinstance(item, dict) else None for item in value]
        named = all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
        found = {}
        for index, item in enumerate(value):
            found.update(leaves(item, f"{path}[name={names[index]}]" if named else f"{path}[{index}]"))
        return found
    return {path: value}


def key(obj: dict[str, Any]) -> Key:
    group = obj["apiVersion"].rpartition("/")[0]
    return (group, obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


def expected_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any]:
    old, new = {key(o): o for o in before}, {key(o): o for o in after}
    changed = {}
    for k in set(old) & set(new):
        a, b = leaves(old[k]), leaves(new[k])
        paths = {p for p in set(a) | set(b) if a.get(p, KeyError) != b.get(p, KeyError)}
        if paths:
            changed[k] = paths
    return {"added": set(new) - set(old), "removed": set(old) - set(new), "changed": changed}


def reported(section: dict[str, Any]) -> dict[str, Any]:
    objects = section["objects"]

    def keys(status: str) -> set[Key]:
        return {(o["group"], o["kind"], o["namespace"], o["name"]) for o in objects if o["change"] == status}

    return {
        "added": keys("added"),
        "removed": keys("removed"),
        "changed": {
            (o["group"], o["kind"], o["namespace"], o["name"]): {f["path"] for f in o["fields"]}
            for o in objects if o["change"] == "changed"
        },
    }


@pytest.mark.tools
def test_diff_of_two_commits_matches_the_real_kustomize_at_both(tmp_path: Path) -> None:
    kustomize = require_real_tool("kustomize")
    repo = tmp_path / "repo"
    first, second = make_repo(repo)
    before = kustomize_at(repo, first, kustomize, tmp_path / "k")
    after = kustomize_at(repo, second, kustomize, tmp_path / "k")
    status_before = git(repo, "status", "--porcelain")

    result = run_rosgit("diff", first, second, "-o", "json", "--no-chart", cwd=repo)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    sections = {s["name"]: s for s in report["sections"]}
    assert set(sections) == set(before) | set(after)
    assert sections["overlays/old"]["status"] == "removed"
    assert sections["overlays/new"]["status"] == "added"
    for name in sorted(set(before) & set(after)):
        expected = expected_changes(before[name], after[name])
        assert reported(sections[name]) == expected, name
    # the fixture's own changes, so an empty expectation could not pass unnoticed
    dev = sections["overlays/dev"]
    assert dev["images"] == [
        {"workload": "Deployment/web", "container": "web", "before": "quay.io/example/web:1.0",
         "after": "quay.io/example/web:1.1"}
    ]
    assert dev["totals"]["before"]["memory_limits_bytes"] == 256 * 2**20
    assert dev["totals"]["after"]["memory_limits_bytes"] == 2**30
    prod = sections["overlays/prod"]
    assert ("", "Service", "demo-prod", "web") in reported(prod)["removed"]
    assert (prod["totals"]["before"]["pods"], prod["totals"]["after"]["pods"]) == (2, 3)
    # the user's repository is untouched: no worktree, no change to the index or the files
    assert git(repo, "status", "--porcelain") == status_before
    assert git(repo, "worktree", "list").count("\n") == 0


@pytest.mark.tools
def test_default_base_is_the_merge_base_and_head_the_working_tree(tmp_path: Path) -> None:
    require_real_tool("kustomize")
    repo = tmp_path / "repo"
    first, _ = make_repo(repo)
    git(repo, "checkout", "-q", "-b", "feature", first)
    deployment = repo / "base/web/deployment.yaml"
    deployment.write_text(deployment.read_text().replace("replicas: 1", "replicas: 4"))  # not committed
    result = run_rosgit("diff", "--no-chart", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert f"rosgit diff {first}..working tree" in result.stdout
    assert "spec.replicas: 1 -> 4" in result.stdout
    assert run_rosgit("diff", "--no-chart", "--exit-code", cwd=repo).returncode == 1
    assert run_rosgit("diff", "no-such-rev", "--no-chart", cwd=repo).stderr.strip().endswith(
        "unknown revision 'no-such-rev'"
    )


def _many_objects(count: int, tag: str) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"settings-{i}", "namespace": "ns"},
            "data": {f"key-{j}": f"{tag}-{i}-{j}" for j in range(20)},
        }
        for i in range(count)
    ]


def test_markdown_for_a_huge_change_fits_a_github_comment_and_says_what_it_left_out() -> None:
    before = Render(objects={f"overlays/o{n}": _many_objects(300, "a") for n in range(6)})
    after = Render(objects={f"overlays/o{n}": _many_objects(300, "b") for n in range(6)})
    markdown = render_report(diff_renders("a" * 40, "b" * 40, before, after), "markdown")
    assert len(markdown) <= COMMENT_LIMIT
    assert "**Truncated:**" in markdown
    assert markdown.count("<details>") == markdown.count("</details>")
    assert markdown.count("```") % 2 == 0
    # the summary table names every overlay even when their details did not fit
    for n in range(6):
        assert f"| `overlays/o{n}` | 300 changed |" in markdown


def test_secret_values_never_reach_the_report() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"password": "c2VjcmV0"}}
    changed = {**secret, "data": {"password": "b3RoZXI=", "token": "eA=="}}
    diff = diff_renders("a", "b", Render(objects={"charts/x": [secret]}), Render(objects={"charts/x": [changed]}))
    for output in ("text", "json", "markdown"):
        text = render_report(diff, output)
        assert "c2VjcmV0" not in text and "b3RoZXI=" not in text and "eA==" not in text
        assert "data.token" in text


def test_a_generated_name_whose_hash_changed_is_one_changed_object() -> None:
    def config(suffix: str, level: str) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"app-{suffix}"}, "data": {"l": level}}

    diff = diff_renders(
        "a", "b", Render(objects={"overlays/x": [config("5dg2bmk9h7", "info")]}),
        Render(objects={"overlays/x": [config("t8fm6gtb4c", "debug")]}),
    )
    (change,) = diff.sections[0].objects
    assert (change.status, change.renamed_from, [f.path for f in change.fields]) == (
        "changed", "app-5dg2bmk9h7", ["data.l"]
    )


def test_the_pull_request_workflow_posts_the_markdown_diff() -> None:
    import shlex

    import yaml

    from rosgit.cli import app
    from tests.conftest import REPO_ROOT

    workflow = yaml.safe_load((REPO_ROOT / ".github/workflows/rosgit-diff.yaml").read_text())
    assert list(workflow[True]) == ["pull_request"]  # YAML 1.1 reads the key `on` as true
    assert workflow["permissions"]["pull-requests"] == "write"
    steps = workflow["jobs"]["diff"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    runs = "\n".join(step.get("run", "") for step in steps)
    commands = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    for line in runs.splitlines():
        words = shlex.split(line)
        if words and words[0] == "rosgit":
            assert words[1] in commands
    assert "--output markdown --out diff.md" in runs
    assert 'gh pr comment "$PR" --body-file diff.md' in runs
