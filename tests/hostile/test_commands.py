"""Hostile arguments and outputs: CRDs naming paths, bad outputs, repeated arguments, parser errors,
dumb terminals and missing tools, each refused in one line with exit 2 and nothing written."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from rosgit.check.progress import Progress
from tests.hostile.conftest import assert_refused, refuses_and_keeps_tree, rosgit, tree_hash

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: GROUP
  names: {kind: "KIND", plural: widgets}
  scope: Namespaced
  versions:
  - name: "VERSION"
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object}}
"""
NAMES = {"GROUP": "example.com", "KIND": "Widget", "VERSION": "v1"}
ESCAPES = [
    ("kind", "KIND", "../../../x", "spec.names.kind"),
    ("kind-slash", "KIND", "a/b", "spec.names.kind"),
    ("group", "GROUP", "../../..", "spec.group"),
    ("group-absolute", "GROUP", "/tmp/x.io", "spec.group"),
    ("version", "VERSION", "../v1", "spec.versions"),
]


def _crd(**names: str) -> str:
    text = CRD
    for key, value in {**NAMES, **names}.items():
        text = text.replace(key, value)
    return text


@pytest.mark.parametrize(("field", "value", "words"), [c[1:] for c in ESCAPES], ids=[c[0] for c in ESCAPES])
def test_add_crd_refuses_names_that_are_paths(tree: Path, field: str, value: str, words: str) -> None:
    (tree / "crd.yaml").write_text(_crd(**{field: value}), encoding="utf-8")
    outside = tree_hash(tree.parent)
    refuses_and_keeps_tree(tree, "schemas", "add-crd", "crd.yaml", "--output-dir", "schemas/crds",
                           names=("crd.yaml", words))
    assert tree_hash(tree.parent) == outside, "add-crd wrote outside its directory"


def test_add_crd_still_writes_a_proper_crd(tree: Path) -> None:
    (tree / "crd.yaml").write_text(_crd(), encoding="utf-8")
    result = rosgit(tree, "schemas", "add-crd", "crd.yaml", "--output-dir", "schemas/crds")
    assert result.returncode == 0, result.stderr
    assert (tree / "schemas" / "crds" / "example.com" / "widget_v1.json").is_file()


def test_build_output_refused_whole(tree: Path) -> None:
    build = ("build",)  # the fast path and the Typer command both write through build.write_build_output
    (tree / "out").mkdir()
    refuses_and_keeps_tree(tree, *build, "overlays/dev", "--out", "out", names=("out", "directory"))
    refuses_and_keeps_tree(tree, *build, "overlays/dev", "--out", "missing/x.yaml", names=("missing", "does not exist"))
    # a place nobody may create files in, root included
    refuses_and_keeps_tree(tree, *build, "overlays/dev", "--out", "/proc/rosgit-build.yaml", names=("/proc",))


def test_build_output_replaces_a_file_whole(tree: Path) -> None:
    target = tree / "built.yaml"
    target.write_text("old\n", encoding="utf-8")
    result = rosgit(tree, "build", "overlays/dev", "--out", "built.yaml")
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("apiVersion") or "kind:" in target.read_text()
    assert not [p for p in tree.iterdir() if p.name.endswith(".rosgit-tmp")]


def test_lint_lints_a_repeated_overlay_once(tree: Path) -> None:
    once = rosgit(tree, "lint", "dev", timeout=120)
    started = time.monotonic()
    many = rosgit(tree, "lint", *(["dev", "overlays/dev", "./overlays/dev"] * 1000), timeout=120)
    assert many.returncode == once.returncode
    assert many.stdout == once.stdout
    assert many.stderr == once.stderr
    assert time.monotonic() - started < 60


def test_resources_refuses_a_null_spec(tree: Path) -> None:
    (tree / "odd").mkdir()
    (tree / "odd" / "kustomization.yaml").write_text("resources: [deployment.yaml]\n", encoding="utf-8")
    (tree / "odd" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: odd}\nspec: null\n", encoding="utf-8"
    )
    refuses_and_keeps_tree(tree, "resources", "odd", names=("Deployment/odd", "spec is missing or null"))


PARSER_ERRORS = [
    (("lint", "--bogus"), "rosgit: lint: No such option: --bogus (Possible options: --verbose)"),
    (("validate", "--output"), "rosgit: validate: Option '--output' requires an argument."),
    (("nosuch",), "rosgit: No such command 'nosuch'."),
    (("resources",), "rosgit: resources: Missing argument 'OVERLAY'."),
    (("resources", "a", "b"), "rosgit: resources: Got unexpected extra argument(s) (b)"),
    (("schemas", "add-crd"), "rosgit: schemas add-crd: Missing argument 'FILE'."),
    (("init", "--force=yes"), "rosgit: init: Option '--force' does not take a value."),
    (("--bogus",), "rosgit: No such option: --bogus"),
]


@pytest.mark.parametrize(("args", "line"), PARSER_ERRORS, ids=[" ".join(args) for args, _ in PARSER_ERRORS])
def test_argument_errors_are_one_line(tree: Path, args: tuple[str, ...], line: str) -> None:
    result = rosgit(tree, *args)
    assert assert_refused(result) == line


def test_dumb_terminal_gets_no_cursor_escapes(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("TERM", "dumb")
    stream = Terminal()
    progress = Progress(2, stream=stream)
    progress.step("build")
    progress.finish()
    assert stream.getvalue() == ""
    monkeypatch.setenv("TERM", "xterm-256color")
    progress = Progress(2, stream=stream)
    progress.step("build")
    assert "\x1b[K" in stream.getvalue()


def test_helm_diff_names_a_missing_helm(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checkout's own .tools/bin cannot be hidden from a subprocess, so helm goes missing in-process."""
    import rosgit.tools
    from rosgit.errors import UsageError
    from rosgit.helm.command import run_helm_diff

    monkeypatch.setattr(rosgit.tools, "find_tool", lambda name: None)
    with pytest.raises(UsageError) as caught:
        run_helm_diff(tree / "rosgit.yaml", helm="helm", engine="builtin", overlays=["dev"], chart=None)
    assert "helm" in str(caught.value) and "is not installed" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unreadable_resource_is_one_line(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root nothing is unreadable, so the refusal of the operating system is planted in-process."""
    from rosgit.build import build_overlay
    from rosgit.errors import UsageError

    target = (tree / "base" / "redis" / "service.yaml").resolve()
    real_open = os.open

    def refusing_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if Path(str(path)).resolve() == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.chdir(tree)
    with pytest.raises(UsageError) as caught:
        build_overlay(Path("overlays/dev"))
    assert str(caught.value) == "base/redis/service.yaml: cannot read: permission denied"
