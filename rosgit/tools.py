"""The pinned real tools: their one pin list (tools.txt), where to find them, and the one way to run them.

A tool is looked up in ROSGIT_TOOLS_BIN, then in the .tools/bin of the checkout being worked in (the nearest
directory holding rosgit.yaml) or of the rosgit source checkout (an editable install), then on PATH; so an
installed rosgit works outside any checkout once the tools are on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rosgit.errors import UsageError

PINS_FILE = Path(__file__).with_name("tools.txt")
INSTALL_SCRIPT = "scripts/install-tools.sh"


@dataclass(frozen=True)
class Pin:
    name: str
    module: str  # what `go install MODULE@VERSION` builds
    version: str
    main_module: str  # the main module `go version -m` records in the binary


@cache
def pins() -> dict[str, Pin]:
    """tools.txt, by tool name; scripts/install-tools.sh reads the same file."""
    found: dict[str, Pin] = {}
    for line in PINS_FILE.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            name, module, version, main_module = fields
            found[name] = Pin(name, module, version, main_module)
    return found


def project_root() -> Path:
    """The repository root: the nearest parent holding rosgit.yaml, else the current directory."""
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "rosgit.yaml").is_file():
            return candidate
    return here


def _source_checkout() -> Path | None:
    """The rosgit checkout this package runs from (an editable install), None for an installed package."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / INSTALL_SCRIPT).is_file() else None


def tool_dirs() -> list[Path]:
    """Where pinned tools are looked for before PATH, in order."""
    dirs: list[Path] = []
    env_dir = os.environ.get("ROSGIT_TOOLS_BIN")
    if env_dir:
        dirs.append(Path(env_dir))
    for checkout in (project_root(), _source_checkout()):
        if checkout is not None and checkout / ".tools" / "bin" not in dirs:
            dirs.append(checkout / ".tools" / "bin")
    return dirs


def find_tool(name: str) -> Path | None:
    """The tool's executable (see the module docstring for the order), else None."""
    for directory in tool_dirs():
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    return Path(found) if found else None


def missing_tool_message(name: str) -> str:
    pin = pins().get(name)
    if pin is None:
        return f"{name} is not installed; put it on PATH or in ROSGIT_TOOLS_BIN"
    return (
        f"{name} {pin.version} is not installed; run {INSTALL_SCRIPT} in a rosgit checkout, or "
        f"`go install {pin.module}@{pin.version}` and put it on PATH or in ROSGIT_TOOLS_BIN"
    )


def require_tool(name: str) -> Path:
    path = find_tool(name)
    if path is None:
        raise UsageError(missing_tool_message(name))
    return path


class ToolFailed(UsageError):
    """A pinned tool exited with an error; the message ends with the line of stderr that says why."""


@dataclass(frozen=True)
class ToolResult:
    command: str  # `kustomize build`, `helm template`, `kubeconform`: what the messages call it
    returncode: int
    stdout: str
    stderr: str

    def reason(self) -> str:
        """The line saying why it failed: Go CLIs print `Error: ...` last but may add advice after it."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error:")]
        if errors or lines:
            return (errors or lines)[-1]
        out = [line.strip() for line in self.stdout.splitlines() if line.strip()]
        return out[-1] if out else f"exit code {self.returncode}"

    def error(self, *, location: str | None = None) -> ToolFailed:
        return ToolFailed(f"{self.command} failed: {self.reason()}", location=location)

    def output(self, *, location: str | None = None) -> str:
        """stdout of a successful run; a ToolFailed otherwise."""
        if self.returncode != 0:
            raise self.error(location=location)
        return self.stdout


def _argv(tool: str | Path, args: Sequence[str]) -> tuple[list[str], str]:
    binary = tool if isinstance(tool, Path) else require_tool(tool)
    name = binary.name if isinstance(tool, Path) else tool
    command = f"{name} {args[0]}" if args and not args[0].startswith("-") else name
    return [str(binary), *args], command


def run_tool(tool: str | Path, args: Sequence[str], *, cwd: Path | None = None) -> ToolResult:
    """Run a pinned tool (by name, or an already found executable) to completion; never raises on its exit code."""
    argv, command = _argv(tool, args)
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return ToolResult(command, proc.returncode, proc.stdout, proc.stderr)


class RunningTool:
    """A pinned tool started in the background; `result()` waits for it."""

    def __init__(self, tool: str | Path, args: Sequence[str], *, cwd: Path | None = None) -> None:
        argv, self.command = _argv(tool, args)
        self._proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def result(self) -> ToolResult:
        stdout, stderr = self._proc.communicate()
        return ToolResult(self.command, self._proc.returncode, stdout, stderr)


def start_tool(tool: str | Path, args: Sequence[str], *, cwd: Path | None = None) -> RunningTool:
    return RunningTool(tool, args, cwd=cwd)
