"""The pinned real tools and programs: their one pin list (tools.txt), where to find them, and the one way to
run them (this is the only module that starts processes).

A tool is looked up in ROSGIT_TOOLS_BIN, then in the .tools/bin of the checkout being worked in (the nearest
directory holding rosgit.yaml) or of the rosgit source checkout (an editable install), then on PATH; so an
installed rosgit works outside any checkout once the tools are on PATH. The programs of the other kinds (npm,
deb, maven, pip) live beside that bin directory, in .tools/KIND/NAME, stamped with the version installed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rosgit.errors import UsageError

PINS_FILE = Path(__file__).with_name("tools.txt")
INSTALL_SCRIPT = "scripts/install-tools.sh"


KINDS = ("go", "gomod", "npm", "deb", "maven", "pip", "venv")
# Kinds installed as one executable in .tools/bin, found like any tool.
BINARY_KINDS = ("go", "gomod")


@dataclass(frozen=True)
class Pin:
    name: str
    kind: str  # go | gomod | npm | deb | maven | pip | venv: how scripts/install-tools.sh installs it
    package: str  # go/gomod: the package built; npm/deb: the package; maven: groupId:artifactId
    version: str
    detail: str  # go: the main module `go version -m` records; gomod: the helper module (scripts/gomod/DETAIL);
    # deb: the suite; maven: the classpath it joins

    @property
    def install_command(self) -> str:
        return f"{INSTALL_SCRIPT} --kind {self.kind}"

    @property
    def directory_name(self) -> str:
        """Its directory under .tools/KIND (a maven pin shares its classpath's)."""
        return self.detail if self.kind == "maven" else self.name


@cache
def pins() -> dict[str, Pin]:
    """tools.txt, by name; scripts/install-tools.sh reads the same file."""
    found: dict[str, Pin] = {}
    for line in PINS_FILE.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            name, kind, package, version, detail = fields
            if kind not in KINDS:
                raise ValueError(f"{PINS_FILE}: {name}: unknown kind {kind}")
            found[name] = Pin(name, kind, package, version, detail)
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
    if pin.kind == "gomod":
        return f"{name} {pin.version} is not installed; run {pin.install_command} in a rosgit checkout"
    if pin.kind != "go":
        return (
            f"{name} {pin.version} ({pin.kind} {pin.package}) is not installed; "
            f"run {pin.install_command} in a rosgit checkout"
        )
    return (
        f"{name} {pin.version} is not installed; run {INSTALL_SCRIPT} in a rosgit checkout, or "
        f"`go install {pin.package}@{pin.version}` and put it on PATH or in ROSGIT_TOOLS_BIN"
    )


def require_tool(name: str) -> Path:
    path = find_tool(name)
    if path is None:
        raise UsageError(missing_tool_message(name))
    return path


class NotInstalled(UsageError):
    """A pinned program is missing: the message names it and the command installing it."""


def find_program(name: str) -> Path | None:
    """The directory holding an installed npm/deb/maven pin at its pinned version (.tools/KIND/NAME), else None."""
    pin = pins()[name]
    for directory in tool_dirs():
        home = directory.parent / pin.kind / pin.directory_name
        stamp = home / ".version"
        if stamp.is_file() and _stamp_matches(stamp.read_text(encoding="utf-8").strip(), pin):
            return home
    return None


def _stamp_matches(stamp: str, pin: Pin) -> bool:
    if pin.kind == "maven":  # one stamp for the whole classpath: every member with its version
        return f"{pin.package}:{pin.version}" in stamp.split()
    return stamp == pin.version


def require_program(name: str) -> Path:
    """find_program or find_tool (go and gomod pins), raising NotInstalled with the install command."""
    pin = pins()[name]
    found = find_tool(name) if pin.kind in BINARY_KINDS else find_program(name)
    if found is None:
        raise NotInstalled(missing_tool_message(name))
    return found


def installed(name: str) -> bool:
    """Whether the pin `name` is installed at its version (a go pin: found where tools are looked up)."""
    pin = pins()[name]
    return (find_tool(name) if pin.kind in BINARY_KINDS else find_program(name)) is not None


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


# Go's collector target for the Go tools rosgit runs (unless GOGC is set): they live about a second and
# allocate ~100 MB, and at Go's default of 100 a third of their CPU is collection. 400 takes kustomize on
# the largest overlay from 1.48 to 1.02 s of CPU, for a peak of 138 MB instead of 72.
GO_TOOL_GOGC = "400"


def _argv(tool: str | Path, args: Sequence[str]) -> tuple[list[str], str, dict[str, str] | None]:
    """The argv, the name messages call the run by, and the environment (None: this process's own)."""
    binary = tool if isinstance(tool, Path) else require_tool(tool)
    name = binary.name if isinstance(tool, Path) else tool
    command = f"{name} {args[0]}" if args and not args[0].startswith("-") else name
    return [str(binary), *args], command, _environment(binary.name)


def _environment(name: str) -> dict[str, str] | None:
    pin = pins().get(name)
    if pin is None or pin.kind not in BINARY_KINDS or "GOGC" in os.environ:
        return None
    return {**os.environ, "GOGC": GO_TOOL_GOGC}


def run_tool(tool: str | Path, args: Sequence[str], *, cwd: Path | None = None) -> ToolResult:
    """Run a pinned tool (by name, or an already found executable) to completion; never raises on its exit code."""
    argv, command, env = _argv(tool, args)
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return ToolResult(command, proc.returncode, proc.stdout, proc.stderr)


class RunningTool:
    """A pinned tool started in the background; `result()` waits for it."""

    def __init__(self, tool: str | Path, args: Sequence[str], *, cwd: Path | None = None) -> None:
        argv, self.command, env = _argv(tool, args)
        self._proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def result(self) -> ToolResult:
        stdout, stderr = self._proc.communicate()
        return ToolResult(self.command, self._proc.returncode, stdout, stderr)


def start_tool(tool: str | Path, args: Sequence[str], *, cwd: Path | None = None) -> RunningTool:
    return RunningTool(tool, args, cwd=cwd)


@dataclass(frozen=True)
class ProcessResult:
    argv0: str
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


def run_process(
    argv: Sequence[str], *, env: Mapping[str, str], input_text: str | None = None, timeout: float = 60.0,
    cwd: Path | None = None,
) -> ProcessResult:
    """Run a program to completion within `timeout` seconds; values it needs come in `env`, never in argv."""
    try:
        proc = subprocess.run(
            list(argv), env=dict(env), input=input_text, capture_output=True, text=True, timeout=timeout,
            cwd=cwd, check=False,
        )
    except subprocess.TimeoutExpired as expired:
        return ProcessResult(argv[0], -1, _text(expired.stdout), _text(expired.stderr), timed_out=True)
    return ProcessResult(argv[0], proc.returncode, proc.stdout, proc.stderr)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


class BackgroundProcess:
    """A long-running program writing to a log file; it leads its own process group, so `stop` ends it and
    whatever it started."""

    def __init__(self, argv: Sequence[str], *, env: Mapping[str, str], log: Path, cwd: Path | None = None) -> None:
        self.log = log
        with log.open("ab") as out:
            self._proc = subprocess.Popen(
                list(argv), env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid = self._proc.pid

    def poll(self) -> int | None:
        return self._proc.poll()

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the group, SIGKILL after `grace` seconds, then reap."""
        if self._proc.poll() is None:
            self._signal(signal.SIGTERM)
            deadline = time.monotonic() + grace
            while self._proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
        self._signal(signal.SIGKILL)  # the leader may be gone while its children are not
        self._proc.wait()

    def _signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)


def start_process(
    argv: Sequence[str], *, env: Mapping[str, str], log: Path, cwd: Path | None = None
) -> BackgroundProcess:
    return BackgroundProcess(argv, env=env, log=log, cwd=cwd)
