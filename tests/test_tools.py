"""The pinned tools: one pin list for the installer and rosgit, the lookup order, and the one way to run them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from rosgit import tools
from rosgit.errors import UsageError
from tests.conftest import REPO_ROOT


def test_the_install_script_installs_exactly_the_pins_rosgit_names() -> None:
    listed = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts/install-tools.sh"), "--list"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    pins = tools.pins()
    assert listed == [f"{p.name} {p.kind} {p.package} {p.version} {p.detail}" for p in pins.values()]
    go_tools = {"kustomize", "kubeconform", "helm", "helm3", "kubeseal", "minio", "mc", "registry",
                "sealed-secrets-controller"}
    assert {name for name, pin in pins.items() if pin.kind == "go"} == go_tools
    assert {"postgresql", "postgresql-client", "redis-server", "valkey-server", "kafka"} <= set(pins)
    script = (REPO_ROOT / "scripts/install-tools.sh").read_text(encoding="utf-8")
    assert all(p.version not in script for p in pins.values()), "a version is pinned in the script again"


def test_each_gomod_pin_is_the_version_its_helper_module_requires() -> None:
    """scripts/install-tools.sh refuses a helper whose selected version differs; this catches it without Go."""
    gomods = [pin for pin in tools.pins().values() if pin.kind == "gomod"]
    assert {pin.name for pin in gomods} >= {"kube-apiserver", "etcd", "kwok", "argocd"}
    for pin in gomods:
        helper = REPO_ROOT / "scripts/gomod" / pin.detail
        required: dict[str, str] = {}
        for line in (helper / "go.mod").read_text(encoding="utf-8").splitlines():
            fields = line.removeprefix("require ").split()
            if len(fields) >= 2 and "=>" not in fields and fields[1].startswith("v"):
                required.setdefault(fields[0], fields[1])
        module = max((m for m in required if pin.package == m or pin.package.startswith(m + "/")), key=len)
        assert required[module] == pin.version, f"{helper}/go.mod requires {module} {required[module]}"
        assert (helper / "go.sum").is_file()


def fake_tool(directory: Path, name: str, script: str = 'echo "$0"') -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A checkout (rosgit.yaml + .tools/bin), an env dir and a PATH dir, each with its own fake kustomize;
    the rosgit source checkout is hidden, as for an installed package."""
    checkout = tmp_path / "checkout"
    (checkout / "sub").mkdir(parents=True)
    (checkout / "rosgit.yaml").write_text("project: {}\n", encoding="utf-8")
    dirs = {"env": tmp_path / "env", "checkout": checkout / ".tools/bin", "path": tmp_path / "path"}
    for directory in dirs.values():
        fake_tool(directory, "kustomize")
    monkeypatch.chdir(checkout / "sub")
    monkeypatch.setenv("ROSGIT_TOOLS_BIN", str(dirs["env"]))
    monkeypatch.setenv("PATH", f"{dirs['path']}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setattr(tools, "_source_checkout", lambda: None)
    return dirs


def test_lookup_order_is_env_then_checkout_then_path(places: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    assert tools.find_tool("kustomize") == places["env"] / "kustomize"
    monkeypatch.delenv("ROSGIT_TOOLS_BIN")
    assert tools.find_tool("kustomize") == places["checkout"] / "kustomize"
    monkeypatch.chdir(places["path"].parent)  # outside any checkout: an installed rosgit uses PATH
    assert tools.find_tool("kustomize") == places["path"] / "kustomize"
    (places["path"] / "kustomize").unlink()
    assert tools.find_tool("kustomize") is None


def test_a_non_executable_file_is_not_a_tool(places: dict[str, Path]) -> None:
    (places["env"] / "kustomize").chmod(0o644)
    assert tools.find_tool("kustomize") == places["checkout"] / "kustomize"


def test_a_missing_tool_is_one_line_with_version_and_install_command(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(places["path"].parent)
    monkeypatch.delenv("ROSGIT_TOOLS_BIN")
    with pytest.raises(UsageError) as caught:
        tools.require_tool("kubeseal")
    message = str(caught.value)
    pin = tools.pins()["kubeseal"]
    assert "\n" not in message and message.startswith(f"kubeseal {pin.version} is not installed")
    assert "scripts/install-tools.sh" in message and f"go install {pin.package}@{pin.version}" in message


def test_a_missing_program_names_its_package_and_install_command(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(places["path"].parent)
    monkeypatch.delenv("ROSGIT_TOOLS_BIN")
    with pytest.raises(tools.NotInstalled) as caught:
        tools.require_program("valkey-server")
    pin = tools.pins()["valkey-server"]
    assert str(caught.value) == (
        f"valkey-server {pin.version} (deb valkey-server) is not installed; "
        "run scripts/install-tools.sh --kind deb in a rosgit checkout"
    )


def test_a_program_counts_as_installed_only_at_its_pinned_version(places: dict[str, Path]) -> None:
    home = places["env"].parent / "deb" / "redis-tools"
    home.mkdir(parents=True)
    (home / ".version").write_text("5:6.0.0-1\n", encoding="utf-8")
    assert tools.find_program("redis-tools") is None
    (home / ".version").write_text(tools.pins()["redis-tools"].version + "\n", encoding="utf-8")
    assert tools.find_program("redis-tools") == home


def test_a_failing_tool_says_why_in_one_line(tmp_path: Path) -> None:
    tool = tmp_path / "kustomize"
    tool.write_text(
        "#!/bin/sh\necho 'Error: accumulating resources: missing.yaml' >&2\necho 'Run --help for usage' >&2\nexit 1\n",
        encoding="utf-8",
    )
    tool.chmod(0o755)
    result = tools.run_tool(tool, ["build", "overlays/x"])
    assert result.returncode == 1
    with pytest.raises(tools.ToolFailed) as caught:
        result.output(location="overlays/x")
    assert str(caught.value) == "overlays/x: kustomize build failed: Error: accumulating resources: missing.yaml"
    running = tools.start_tool(tool, ["build"])
    assert running.result().reason() == "Error: accumulating resources: missing.yaml"


def test_a_tool_that_prints_nothing_fails_with_its_exit_code(tmp_path: Path) -> None:
    tool = tmp_path / "kubeconform"
    tool.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    tool.chmod(0o755)
    assert str(tools.run_tool(tool, ["-strict"]).error()) == "kubeconform failed: exit code 3"


def test_go_tools_run_with_a_lazier_collector_unless_the_user_chose_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Go tools rosgit runs live for about a second and spend a third of it collecting at Go's default
    GOGC=100 (kustomize on this repository's largest overlay: 1.48 s of CPU at 100, 1.02 s at 400)."""
    monkeypatch.delenv("GOGC", raising=False)
    prints_gogc = 'printf "%s" "${GOGC-unset}"'
    kustomize, git = fake_tool(tmp_path, "kustomize", prints_gogc), fake_tool(tmp_path, "git", prints_gogc)
    assert tools.run_tool(kustomize, ["build"]).stdout == tools.GO_TOOL_GOGC
    assert tools.start_tool(kustomize, ["build"]).result().stdout == tools.GO_TOOL_GOGC
    assert tools.run_tool(git, ["status"]).stdout == "unset"  # not a Go pin: its environment is the user's
    monkeypatch.setenv("GOGC", "50")
    assert tools.run_tool(kustomize, ["build"]).stdout == "50"
    assert tools.start_tool(kustomize, ["build"]).result().stdout == "50"
    assert os.environ["GOGC"] == "50"
