"""Promotion: per-environment pins reach only that environment's overlays, Applications and chart values;
`rosgit promote` moves them in the catalog text; Renovate's regex manager reads exactly the catalog's pins."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.catalog.schema import split_image_ref
from rosgit.diff import flatten
from tests.catalog.refusal import assert_generate_refuses
from tests.check.repo_copy import copy_repo
from tests.conftest import REPO_ROOT, require_real_tool, run_rosgit

CATALOG = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
DEV_BLOCK = "  dev:\n    overlays: [dev, openshift-dev]\n    targetRevision: main\n    images: {}\n"
KOKU = load_catalog(REPO_ROOT / "rosgit.yaml").images["koku"]
BUMPED = split_image_ref(KOKU)[0] + ":0123abc"


def with_dev(images: str = "{}", revision: str = "main") -> str:
    assert DEV_BLOCK in CATALOG
    return CATALOG.replace(
        DEV_BLOCK, f"  dev:\n    overlays: [dev, openshift-dev]\n    targetRevision: {revision}\n    images: {images}\n"
    )


def files_of(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for name in ("base", "components", "overlays", "argocd", "charts")
        for p in sorted((root / name).rglob("*")) if p.is_file()
    }


def regenerate(tmp_path: Path, text: str) -> tuple[dict[str, str], dict[str, str], Path]:
    (tmp_path / "repo").mkdir()
    repo = copy_repo(tmp_path / "repo")
    before = files_of(repo)
    (repo / "rosgit.yaml").write_text(text, encoding="utf-8")
    result = run_rosgit("generate", "--catalog", str(repo / "rosgit.yaml"))
    assert result.returncode == 0, result.stderr
    return before, files_of(repo), repo


def changed_files(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {path for path in set(before) | set(after) if before.get(path) != after.get(path)}


@pytest.mark.tools
def test_a_dev_only_image_bump_changes_only_the_dev_overlays_and_chart_values(tmp_path: Path) -> None:
    before, after, repo = regenerate(tmp_path, with_dev(f"{{koku: {BUMPED}}}"))
    changed = changed_files(before, after)
    assert changed == {
        "overlays/dev/kustomization.yaml", "overlays/openshift-dev/kustomization.yaml", "charts/ros-ocp/values-dev.yaml"
    }
    for overlay in ("minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"):
        old = build_objects(REPO_ROOT / "overlays" / overlay)
        new = build_objects(repo / "overlays" / overlay)
        fields = [f for o, n in zip(old, new, strict=True) for f in flatten(o, n)]
        if overlay.endswith("dev"):
            assert fields and all(f.path.endswith(".image") for f in fields), overlay
            assert {(f.before, f.after) for f in fields} == {(KOKU, BUMPED)}
        else:
            assert not fields, overlay
    require_real_tool("helm")
    proof = run_rosgit("helm-diff", "--catalog", str(repo / "rosgit.yaml"), "--overlay", "dev",
                       "--overlay", "openshift-dev", "--overlay", "prod")
    assert proof.returncode == 0, proof.stdout + proof.stderr


def test_a_dev_revision_changes_only_the_dev_applications(tmp_path: Path) -> None:
    before, after, _ = regenerate(tmp_path, with_dev(revision="release-2.1"))
    changed = changed_files(before, after)
    assert changed == {
        "argocd/applications/dev.yaml", "argocd/applications/openshift-dev.yaml",
        "argocd/applicationsets/overlays-kubernetes.yaml", "argocd/applicationsets/overlays-openshift.yaml",
    }
    assert "targetRevision: release-2.1" in after["argocd/applications/dev.yaml"]
    # the directory generator maps each overlay to its own revision
    assert '"dev" "release-2.1"' in after["argocd/applicationsets/overlays-kubernetes.yaml"]
    assert '"prod" "main"' in after["argocd/applicationsets/overlays-kubernetes.yaml"]


def test_promote_moves_the_pins_and_keeps_every_other_line(tmp_path: Path) -> None:
    catalog = tmp_path / "rosgit.yaml"
    text = with_dev(f"{{koku: {BUMPED}}}  # the fix for the OCP summary", revision="release-2.1")
    catalog.write_text(text, encoding="utf-8")
    result = run_rosgit("promote", "dev", "prod", "--catalog", str(catalog), "--no-generate")
    assert result.returncode == 0, result.stderr
    assert f"+    images: {{koku: {BUMPED}}}" in result.stdout
    assert "+    targetRevision: release-2.1" in result.stdout
    new = catalog.read_text(encoding="utf-8")
    old_lines, new_lines = text.splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines)
    differing = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert [new_lines[i].strip() for i in differing] == ["targetRevision: release-2.1", f"images: {{koku: {BUMPED}}}"]
    promoted = load_catalog(catalog)
    assert promoted.image_pins_of("openshift-prod") == {"koku": BUMPED}
    assert promoted.target_revision_of("prod") == "release-2.1"
    # promoting again changes nothing; an unknown environment is one line
    again = run_rosgit("promote", "dev", "prod", "--catalog", str(catalog), "--no-generate")
    assert again.returncode == 0 and "already runs" in again.stderr
    unknown = run_rosgit("promote", "dev", "staging", "--catalog", str(catalog), "--no-generate")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == f"rosgit: {catalog}: unknown environment 'staging' (environments: dev, prod)"


@pytest.mark.parametrize(
    ("images", "marker", "reason"),
    [
        ("{kafka-ui: quay.io/x/y:1}", "kafka-ui", r"unknown image 'kafka-ui'"),
        ("{redis: docker.io/library/redis:7.4.3}", "redis: docker.io/library/redis:7.4.3", r"imageOverrides"),
        ("{koku: quay.io/x/koku:latest}", "koku: quay.io/x/koku:latest", r"latest"),
    ],
)
def test_bad_pins_are_refused_at_their_line(tmp_path: Path, images: str, marker: str, reason: str) -> None:
    assert_generate_refuses(tmp_path, with_dev(images), marker, reason)


def test_overlays_of_one_profile_must_run_the_same_images(tmp_path: Path) -> None:
    text = with_dev(f"{{koku: {BUMPED}}}").replace("overlays: [dev, openshift-dev]", "overlays: [dev]")
    assert_generate_refuses(tmp_path, text, "overlays: [dev]", r"'dev' and 'openshift-dev'.*values-dev.yaml")


def renovate_pattern() -> re.Pattern[str]:
    text = (REPO_ROOT / "renovate.json5").read_text(encoding="utf-8")
    # the file is JSON with comments and trailing commas (JSON5), keys quoted
    lines = [line for line in text.splitlines() if not line.strip().startswith("//")]
    plain = re.sub(r",(\s*[\]}])", r"\1", "\n".join(lines))
    config: dict[str, Any] = json.loads(plain)
    (manager,) = config["customManagers"]
    assert manager["customType"] == "regex" and manager["datasourceTemplate"] == "docker"
    assert re.search(manager["managerFilePatterns"][0].strip("/"), "rosgit.yaml")
    (match_string,) = manager["matchStrings"]
    return re.compile(match_string.replace("(?<", "(?P<"))


def test_renovate_reads_exactly_the_catalogs_image_pins() -> None:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    pins = [*catalog.images.values(), BUMPED]
    expected = {(split_image_ref(ref)[0], split_image_ref(ref)[1]) for ref in pins}
    for images in (f"{{koku: {BUMPED}}}", f"\n      koku: {BUMPED}  # ahead of prod"):
        text = with_dev(images)
        found = {(m["depName"], m["currentValue"]) for m in renovate_pattern().finditer(text)}
        assert found == expected


def test_rosgit_diff_of_a_dev_pin_shows_image_changes_in_the_dev_overlays_only(tmp_path: Path) -> None:
    from tests.diff.fixture import git

    _, _, repo = regenerate(tmp_path, CATALOG)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "before")
    (repo / "rosgit.yaml").write_text(with_dev(f"{{koku: {BUMPED}}}"), encoding="utf-8")
    assert run_rosgit("generate", "--catalog", str(repo / "rosgit.yaml")).returncode == 0
    git(repo, "commit", "-q", "-am", "dev runs the new koku")
    result = run_rosgit("diff", "HEAD~1", "HEAD", "-o", "json", "--no-chart", cwd=repo)
    assert result.returncode == 0, result.stderr
    sections = {s["name"]: s for s in json.loads(result.stdout)["sections"] if s["status"] != "unchanged"}
    assert set(sections) == {"overlays/dev", "overlays/openshift-dev"}
    for section in sections.values():
        assert {f["path"].rsplit(".", 1)[-1] for o in section["objects"] for f in o["fields"]} == {"image"}
        assert {(i["before"], i["after"]) for i in section["images"]} == {(KOKU, BUMPED)}
        assert section["totals"]["before"] == section["totals"]["after"]
