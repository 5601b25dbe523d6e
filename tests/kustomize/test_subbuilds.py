"""Overlays built in a row share the directories they include (rosgit.kustomize.subbuilds): every build is
the text and the reads it is alone, each shared directory is accumulated once, and an edit, a file written
just before the build or a value taken from the environment is never answered with an earlier build."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from rosgit.kustomize import build_text_and_reads, subbuilds, target
from tests.conftest import REPO_ROOT

OVERLAYS = sorted(p for p in (REPO_ROOT / "overlays").iterdir() if (p / "kustomization.yaml").is_file())


def _aged(root: Path) -> None:
    past = time.time() - 60
    for path in root.rglob("*"):
        os.utime(path, (past, past))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _tree(root: Path, *, base_text: str = "k: one\n") -> tuple[Path, Path]:
    """Two overlays (other namespaces) of one base holding a ConfigMap; aged, as a checkout is."""
    _write(root / "base/kustomization.yaml", "resources:\n- cm.yaml\n")
    _write(root / "base/cm.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  {base_text}")
    for name in ("a", "b"):
        _write(root / name / "kustomization.yaml", f"namespace: ns-{name}\nresources:\n- ../base\n")
    _aged(root)
    return root / "a", root / "b"


@pytest.fixture
def accumulations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The directories the engine accumulates from here on (their names)."""
    seen: list[str] = []
    real = target._build  # noqa: SLF001 (what is counted is the accumulation itself)

    def build(directory: Path, *args: object) -> object:
        seen.append(directory.name)
        return real(directory, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(target, "_build", build)
    return seen


def test_every_overlay_built_in_a_row_is_the_text_and_the_reads_it_is_alone() -> None:
    alone = {path: build_text_and_reads(path) for path in OVERLAYS}
    with subbuilds.sharing():
        for _ in range(2):
            for path in OVERLAYS:
                text, reads = build_text_and_reads(path)
                assert text == alone[path][0], path.name
                assert set(reads.roots) == set(alone[path][1].roots), path.name
                assert reads.environment == alone[path][1].environment


def test_a_shared_directory_is_accumulated_once_in_a_scope_and_every_time_outside(
    tmp_path: Path, accumulations: list[str]
) -> None:
    first, second = _tree(tmp_path)
    with subbuilds.sharing():
        texts = [build_text_and_reads(path)[0] for path in (first, second, first)]
    assert accumulations == ["a", "base", "b", "a"]
    assert "namespace: ns-a" in texts[0] and "namespace: ns-b" in texts[1] and texts[2] == texts[0]
    accumulations.clear()
    build_text_and_reads(first)
    build_text_and_reads(second)
    assert accumulations == ["a", "base", "b", "base"]


def test_an_edit_between_two_builds_is_seen_even_with_the_same_size_and_times(
    tmp_path: Path, accumulations: list[str]
) -> None:
    first, second = _tree(tmp_path)
    cm = tmp_path / "base/cm.yaml"
    with subbuilds.sharing():
        build_text_and_reads(first)
        before = cm.stat()
        cm.write_text(cm.read_text(encoding="utf-8").replace("one", "two"), encoding="utf-8")
        os.utime(cm, ns=(before.st_atime_ns, before.st_mtime_ns))  # only the change time tells
        assert cm.stat().st_size == before.st_size
        assert "k: two" in build_text_and_reads(second)[0]
    assert accumulations.count("base") == 2


def test_a_file_written_just_before_the_build_keeps_its_directory_from_being_shared(
    tmp_path: Path, accumulations: list[str]
) -> None:
    first, second = _tree(tmp_path)
    (tmp_path / "base/cm.yaml").touch()  # modified now: within cache.RACY_NS of the build
    with subbuilds.sharing():
        build_text_and_reads(first)
        build_text_and_reads(second)
    assert accumulations.count("base") == 2


def test_a_directory_taking_a_value_from_the_environment_is_never_shared(
    tmp_path: Path, accumulations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _tree(tmp_path)
    _write(
        tmp_path / "base/kustomization.yaml",
        "resources:\n- cm.yaml\nconfigMapGenerator:\n- name: env\n  envs: []\n  literals: []\n"
        "secretGenerator:\n- name: s\n  env: vars.env\n",
    )
    _write(tmp_path / "base/vars.env", "ROSGIT_TEST_SUBBUILD_VALUE\n")
    _aged(tmp_path)
    monkeypatch.setenv("ROSGIT_TEST_SUBBUILD_VALUE", "first")
    with subbuilds.sharing():
        one, reads = build_text_and_reads(first)
        assert reads.environment == ["ROSGIT_TEST_SUBBUILD_VALUE"]
        monkeypatch.setenv("ROSGIT_TEST_SUBBUILD_VALUE", "second")
        two, reads = build_text_and_reads(second)
    assert reads.environment == ["ROSGIT_TEST_SUBBUILD_VALUE"]
    assert accumulations.count("base") == 2
    assert one.split("ROSGIT_TEST_SUBBUILD_VALUE: ")[1][:12] != two.split("ROSGIT_TEST_SUBBUILD_VALUE: ")[1][:12]


def test_a_shared_directory_is_handed_out_as_copies(tmp_path: Path) -> None:
    first, _ = _tree(tmp_path)
    with subbuilds.sharing():
        parent = target.loader.open_root(first, None)
        for _ in range(3):  # the build, then copies: what a transformer did to one is not in the next
            resources = target.build_directory(tmp_path / "base", parent)
            assert resources[0].obj["data"] == {"k": "one"} and resources[0].prev_ids == []
            resources[0].obj["data"]["k"] = "changed"
            resources[0].prev_ids.append(resources[0].cur_id())
