"""The one fallback policy for a failing builtin engine, and Builds: each overlay built once per run."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from rosgit import build
from rosgit.errors import UsageError
from tests.conftest import REPO_ROOT, require_real_tool

MINIMAL = REPO_ROOT / "overlays/minimal"


def fail_builtin(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def broken(path: Path) -> tuple[str, str | None]:
        raise error

    monkeypatch.setattr(build, "builtin_build_and_inputs", broken)


def test_the_builtin_engine_is_used_when_it_works() -> None:
    built = build.build_with_fallback(MINIMAL)
    assert (built.engine, built.fallback, built.name) == ("builtin", None, "minimal")
    assert built.objects and built.text.startswith("apiVersion")


@pytest.mark.tools
@pytest.mark.parametrize("error", [RuntimeError("engine bug"), UsageError("unsupported field")])
def test_any_builtin_failure_falls_back_to_kustomize_and_says_so(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    require_real_tool("kustomize")
    expected = build.run_kustomize(MINIMAL)
    fail_builtin(monkeypatch, error)
    built = build.build_with_fallback(MINIMAL)
    assert (built.engine, built.text) == ("kustomize", expected)
    assert built.fallback == build.failure_text(error)


def test_without_kustomize_the_builtin_error_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    fail_builtin(monkeypatch, RuntimeError("engine bug"))
    monkeypatch.setattr(build, "find_tool", lambda name: None)
    with pytest.raises(RuntimeError, match="engine bug"):
        build.build_with_fallback(MINIMAL)


@pytest.mark.tools
def test_when_kustomize_fails_too_the_builtin_error_is_raised(tmp_path: Path) -> None:
    require_real_tool("kustomize")
    (tmp_path / "kustomization.yaml").write_text("resources:\n- missing.yaml\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        build.build_with_fallback(tmp_path)
    assert "kustomize build failed" not in str(caught.value)  # the overlay's error, not the tool's


def test_an_explicit_kustomize_engine_never_falls_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fail_builtin(monkeypatch, AssertionError("the builtin engine must not run"))
    monkeypatch.setattr(build, "run_kustomize", lambda path: "kind: ConfigMap\nmetadata: {name: a}\n")
    built = build.build_with_fallback(tmp_path, engine="kustomize")
    config_map = {"kind": "ConfigMap", "metadata": {"name": "a"}}
    assert (built.engine, built.fallback, built.objects) == ("kustomize", None, [config_map])


def test_builds_build_each_overlay_once_and_remember_failures(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    built: list[str] = []
    original = build.builtin_build_and_inputs

    def counting(path: Path) -> tuple[str, str | None]:
        built.append(path.name)
        return original(path)

    monkeypatch.setattr(build, "builtin_build_and_inputs", counting)
    monkeypatch.setattr(build, "find_tool", lambda name: None)
    builds = build.Builds()
    first = builds.get(MINIMAL)
    assert builds.get(REPO_ROOT / "overlays/../overlays/minimal") is first
    (tmp_path / "kustomization.yaml").write_text("resources:\n- missing.yaml\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(UsageError):
            builds.get(tmp_path)
    assert built == ["minimal", tmp_path.name]


def test_builds_given_to_a_check_are_not_rebuilt(monkeypatch: pytest.MonkeyPatch) -> None:
    done = build.build_with_fallback(MINIMAL)
    fail_builtin(monkeypatch, AssertionError("rebuilt"))
    builds = build.Builds(built=[done])
    assert builds.get(MINIMAL) is done
    builds.add_failure(REPO_ROOT / "overlays/dev", "overlays/dev: broken")
    with pytest.raises(UsageError, match="overlays/dev: broken"):
        builds.get(REPO_ROOT / "overlays/dev")


def test_only_tools_py_starts_processes_and_only_build_py_decides_the_fallback() -> None:
    package = REPO_ROOT / "rosgit"
    for module in sorted(package.rglob("*.py")):
        source = module.read_text(encoding="utf-8")
        rel = module.relative_to(package).as_posix()
        if rel != "tools.py":
            assert "subprocess" not in source, f"{rel} runs a process itself; use rosgit.tools.run_tool"
        if rel != "build.py":
            assert 'engine="kustomize"' not in source, f"{rel} retries with kustomize; use build_with_fallback"
            assert "run_kustomize(" not in source, f"{rel} runs kustomize itself; use rosgit.build"


def test_a_build_is_keyed_on_the_outermost_of_the_directories_it_read() -> None:
    """Each tree is hashed once: a root inside another read root is dropped (lexically, as
    Path.is_relative_to decides), whatever the order, duplicates, names sharing a prefix, or `..` parts."""
    outermost = build._outermost  # noqa: SLF001 (the rule itself, on inputs no repository has)
    parts = ["a", "b", "b-x", "b.y", ".."]
    chance = random.Random(17)
    for _ in range(2000):
        roots = [
            Path(("/" if chance.random() < 0.5 else "") + "/".join(chance.choices(parts, k=chance.randint(0, 4))))
            for _ in range(chance.randint(0, 8))
        ]
        unique = sorted(set(roots))
        expected = tuple(str(r) for r in unique if not any(r != o and r.is_relative_to(o) for o in unique))
        assert outermost(roots) == expected, roots
    assert outermost([Path("/r/b-x"), Path("/r/b/k"), Path("/r/b"), Path("/r/b")]) == ("/r/b", "/r/b-x")
