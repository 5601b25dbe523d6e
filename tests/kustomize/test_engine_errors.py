"""Builtin engine errors: one line, naming the kustomization file; no network, ever."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from rosgit.errors import UsageError
from rosgit.kustomize import build_text
from tests.conftest import run_rosgit

K = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the builtin engine opened a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(
    ("field", "entry"),
    [
        ("resources", "https://github.com/example/repo//deploy?ref=v1"),
        ("resources", "github.com/example/repo/base?ref=main"),
        ("resources", "git@github.com:example/repo.git"),
        ("components", "https://example.com/component.git"),
    ],
)
def test_remote_entries_fail_without_network(tmp_path: Path, no_network: None, field: str, entry: str) -> None:
    write(tmp_path, {"kustomization.yaml": K + f"{field}:\n- {entry}\n"})
    with pytest.raises(UsageError) as caught:
        build_text(tmp_path)
    message = str(caught.value)
    assert entry in message
    assert "--engine kustomize" in message
    assert "kustomization.yaml" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "field",
    ["helmCharts", "helmGlobals", "vars", "generators", "transformers", "validators", "crds",
     "configurations", "openapi", "buildMetadata"],
)
def test_unsupported_fields_name_the_field(tmp_path: Path, field: str) -> None:
    write(tmp_path, {"kustomization.yaml": K + f"{field}: []\n"})
    with pytest.raises(UsageError) as caught:
        build_text(tmp_path)
    assert f"field '{field}'" in str(caught.value)
    assert "--engine kustomize" in str(caught.value)


def test_error_names_the_nested_kustomization(tmp_path: Path) -> None:
    write(tmp_path, {
        "kustomization.yaml": K + "resources:\n- base\n",
        "base/kustomization.yaml": K + "resources:\n- missing.yaml\n",
    })
    with pytest.raises(UsageError) as caught:
        build_text(tmp_path)
    assert caught.value.location is not None
    assert caught.value.location.endswith("base/kustomization.yaml")
    assert "missing.yaml" in caught.value.message


def test_self_reference_is_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, {"kustomization.yaml": K + "resources:\n- .\n"})
    with pytest.raises(UsageError, match="cycle detected"):
        build_text(tmp_path)


def test_deep_chain_builds_and_long_cycle_fails_fast(tmp_path: Path) -> None:
    files = {f"l{i}/kustomization.yaml": K + f"resources:\n- ../l{i + 1}\n" for i in range(30)}
    files["l30/kustomization.yaml"] = K + "resources:\n- cm.yaml\n"
    files["l30/cm.yaml"] = CM
    write(tmp_path, files)
    assert "name: c" in build_text(tmp_path / "l0")
    write(tmp_path, {"l30/kustomization.yaml": K + "resources:\n- ../l0\n"})
    with pytest.raises(UsageError, match="cycle detected"):
        build_text(tmp_path / "l0")


def test_symlinked_directory_resource_may_live_anywhere(tmp_path: Path) -> None:
    write(tmp_path, {
        "shared/kustomization.yaml": K + "resources:\n- cm.yaml\n",
        "shared/cm.yaml": CM,
        "app/kustomization.yaml": K + "resources:\n- link\n",
    })
    (tmp_path / "app" / "link").symlink_to(tmp_path / "shared")
    assert "name: c" in build_text(tmp_path / "app")


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a directory"):
        build_text(tmp_path / "nope")


def test_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    write(tmp_path, {"kustomization.yaml": K + "resources:\n- a.yaml\n- b.yaml\n", "a.yaml": CM, "b.yaml": CM})
    proc = run_rosgit("build", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "may not add resource with an already registered id" in lines[0]
    assert "kustomization.yaml" in lines[0]
