"""Hostile files where rosgit reads resources: each class refused in one line, exit 2, the tree untouched."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from rosgit.userfiles import MAX_DEPTH
from tests.hostile.conftest import refuses_and_keeps_tree, rosgit, tree_hash

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hostile\ndata:\n"


def _billion_laughs() -> str:
    lines = ['  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        name, previous = chr(97 + index), chr(96 + index)
        lines.append(f"  {name}: &{name} [{','.join(['*' + previous] * 9)}]")
    return CONFIGMAP.replace("data:\n", "spec:\n") + "\n".join(lines) + "\n"


def _deep(levels: int) -> str:
    return CONFIGMAP + "  x: '" + "'\nspec: " + "[" * levels + "]" * levels + "\n"


def _write(text: str | bytes) -> Callable[[Path], None]:
    def plant(path: Path) -> None:
        path.unlink()
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return plant


def _symlink_loop(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.name)


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


# (class, how the resource file is replaced, what the one line must say)
CASES: list[tuple[str, Callable[[Path], None], tuple[str, ...]]] = [
    ("latin1", _write(CONFIGMAP.encode() + b"  x: caf\xe9\n"), ("service.yaml", "not a UTF-8 text file", "line 6")),
    ("binary", _write(os.urandom(64).replace(b"\xef", b"\x00") + b"\x00"), ("service.yaml", "not a UTF-8 text file")),
    ("bom", _write(b"\xef\xbb\xbf" + CONFIGMAP.encode()), ("service.yaml", "byte-order mark")),
    ("duplicate-key", _write(CONFIGMAP + "  x: '1'\n  x: '2'\n"), ("service.yaml", "line 7", "'x' already defined")),
    ("symlink-loop", _symlink_loop, ("service.yaml", "symlink loop")),
    ("fifo", _fifo, ("service.yaml", "FIFO")),
    ("deep-400", _write(_deep(400)), ("service.yaml", f"over {MAX_DEPTH} levels", "depth limit")),
    ("deep-200000", _write(_deep(200_000)), ("service.yaml", f"over {MAX_DEPTH} levels", "depth limit")),
    ("billion-laughs", _write(_billion_laughs()), ("service.yaml", "alias limit")),
]


@pytest.mark.parametrize(("plant", "names"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_build_refuses_hostile_resource(tree: Path, plant: Callable[[Path], None], names: tuple[str, ...]) -> None:
    plant(tree / "base" / "redis" / "service.yaml")
    refuses_and_keeps_tree(tree, "build", "overlays/dev", names=names, timeout=30)


@pytest.mark.parametrize(("plant", "names"), [case[1:] for case in CASES if case[0] != "duplicate-key"],
                         ids=[case[0] for case in CASES if case[0] != "duplicate-key"])
def test_validate_refuses_hostile_file(tree: Path, plant: Callable[[Path], None], names: tuple[str, ...]) -> None:
    # duplicate keys are a validation error of that one document (kubeconform -strict), not a refusal
    plant(tree / "base" / "redis" / "service.yaml")
    refuses_and_keeps_tree(tree, "validate", "base/redis/service.yaml", names=names, timeout=30)


def test_validate_refuses_random_bytes_on_stdin(tree: Path) -> None:
    noise = bytes(range(128, 256)) * 4
    refuses_and_keeps_tree(tree, "validate", "-", stdin=noise, names=("stdin", "not a UTF-8 text file"))


def test_validate_refuses_an_alias_bomb_on_stdin(tree: Path) -> None:
    refuses_and_keeps_tree(tree, "validate", "-", stdin=_billion_laughs().encode(), names=("stdin", "alias limit"))


def test_add_crd_refuses_hostile_files(tree: Path) -> None:
    _fifo_path = tree / "crd.yaml"
    os.mkfifo(_fifo_path)
    refuses_and_keeps_tree(tree, "schemas", "add-crd", "crd.yaml", "--output-dir", "schemas",
                           names=("crd.yaml", "FIFO"), timeout=30)
    _fifo_path.unlink()
    (tree / "crd.yaml").write_bytes(b"kind: Custom\xe9\n")
    refuses_and_keeps_tree(tree, "schemas", "add-crd", "crd.yaml", "--output-dir", "schemas",
                           names=("crd.yaml", "not a UTF-8 text file"))


def test_generate_refuses_a_hostile_catalog(tree: Path) -> None:
    catalog = tree / "rosgit.yaml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_bytes(b"\xef\xbb\xbf" + text.encode())
    refuses_and_keeps_tree(tree, "generate", names=("rosgit.yaml", "byte-order mark"))
    catalog.write_bytes(text.encode() + b"# caf\xe9\n")
    refuses_and_keeps_tree(tree, "generate", names=("rosgit.yaml", "not a UTF-8 text file"))
    catalog.write_text(text.replace("project:", "project: {}\nproject:", 1), encoding="utf-8")
    refuses_and_keeps_tree(tree, "generate", names=("rosgit.yaml:", "duplicate"))
    catalog.write_text(text + "deep: " + "[" * 400 + "]" * 400 + "\n", encoding="utf-8")
    refuses_and_keeps_tree(tree, "generate", names=("rosgit.yaml", "depth limit"))
    catalog.unlink()
    os.mkfifo(catalog)
    refuses_and_keeps_tree(tree, "generate", names=("rosgit.yaml", "FIFO"), timeout=20)


def test_a_catalog_symlinked_from_elsewhere_keeps_the_tree_in_this_repository(tree: Path, tmp_path: Path) -> None:
    """The tree is beside the link, where the user runs rosgit; nothing lands beside the link's target."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tree / "rosgit.yaml").rename(elsewhere / "rosgit.yaml")
    (tree / "rosgit.yaml").symlink_to(elsewhere / "rosgit.yaml")
    for command in (("generate",), ("generate", "--check"), ("lint",)):
        result = rosgit(tree, *command)
        assert result.returncode == 0, (command, result.stdout[-1000:], result.stderr)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["rosgit.yaml"], "generate wrote beside the link target"


def test_check_reports_an_alias_bomb_under_argocd(tree: Path) -> None:
    """argocd/ is generated, but a user can edit it: the Argo CD stage reads it under the same limits."""
    target = tree / "argocd" / "applications" / "dev.yaml"
    assert target.is_file()
    target.write_text(_billion_laughs(), encoding="utf-8")
    before = tree_hash(tree)
    skipped = "generate,build,kustomize,validate,lint,secrets,helm"
    result = rosgit(tree, "check", "--skip", skipped, "--output", "json", timeout=60)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    assert "alias limit" in result.stdout
    assert tree_hash(tree) == before
