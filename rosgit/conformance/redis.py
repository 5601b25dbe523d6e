"""Redis 7 (Debian's redis-server) or Valkey 8 (Debian backports' valkey-server), whichever the pod's command
names, started with the generated command line; then every `--setting value` of it is read back with CONFIG GET,
a write lands in the append-only file where persistence is on, and the probes are run.

Debian ships `redis-server`/`valkey-server` as a link to the check-rdb binary: the program picks its mode by the
name it is called by, so the sandbox links each name the image has on its PATH to the installed binary.

The pod may start the server through `sh -c 'exec redis-server - ARGS <<EOF ... requirepass $VAR ... EOF'` (the
password read from stdin, never on the command line): the script itself is run, its ARGS are the settings read
back, and the password variable it names is what clients authenticate with (REDISCLI_AUTH, never argv).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

from rosgit.conformance.adjust import Relocation
from rosgit.conformance.overlay import Overlay
from rosgit.conformance.pod import Container
from rosgit.conformance.probes import probe_checks
from rosgit.conformance.result import Check, WaitTimeout, failed, passed
from rosgit.conformance.sandbox import Sandbox, give_to
from rosgit.tools import require_program

# the server's name -> (server pin, tools pin, {name on the image's PATH: binary in the tools package})
FLAVOURS: dict[str, tuple[str, str, dict[str, str]]] = {
    "redis-server": ("redis-server", "redis-tools", {"redis-server": "redis-check-rdb", "redis-cli": "redis-cli"}),
    "valkey-server": ("valkey-server", "valkey-tools",
                      {"valkey-server": "valkey-check-rdb", "valkey-cli": "valkey-cli"}),
}
LIBRARIES = ("libjemalloc2", "liblzf1")
START_TIMEOUT = 20.0
# settings whose value the sandbox moves (adjust.py) or that only say where to listen
_NOT_READ_BACK = {"bind", "port", "dir"}
_UNITS = {"k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}


_SHELLS = {"sh", "bash"}
_REQUIREPASS = re.compile(r"^\s*requirepass\s+\$\{?(\w+)\}?\s*$", re.MULTILINE)


def _script(container: Container) -> str | None:
    argv = container.argv
    if len(argv) >= 3 and Path(argv[0]).name in _SHELLS and argv[1] == "-c":
        return argv[2]
    return None


def server_argv(container: Container) -> tuple[str, ...] | None:
    """The server's own command line: the container's, or the `exec` line of its `sh -c` script."""
    argv = container.argv
    if argv and Path(argv[0]).name in FLAVOURS:
        return argv
    script = _script(container)
    if script is None:
        return None
    first = script.strip().splitlines()[0].split("<<")[0] if script.strip() else ""
    try:
        words = shlex.split(first)
    except ValueError:
        return None
    if words[:1] == ["exec"]:
        words = words[1:]
    return tuple(words) if words and Path(words[0]).name in FLAVOURS else None


def password_variable(container: Container) -> str | None:
    """The env variable whose value the script hands the server as `requirepass` (on stdin)."""
    script = _script(container)
    match = _REQUIREPASS.search(script) if script else None
    return match.group(1) if match else None


def is_cache_pod(container: Container) -> bool:
    return server_argv(container) is not None


def pins(container: Container) -> tuple[str, ...]:
    server = server_argv(container)
    assert server is not None
    server_pin, tools_pin, _ = FLAVOURS[Path(server[0]).name]
    return (server_pin, tools_pin, *LIBRARIES)


def installed_bin(home: Path, server: str) -> tuple[Path, str]:
    """A bin directory with the image's names linked to the installed binaries, and LD_LIBRARY_PATH."""
    server_pin, tools_pin, names = FLAVOURS[server]
    require_program(server_pin)
    tools = require_program(tools_pin) / "root/usr/bin"
    libraries = [str(require_program(name) / "root/usr/lib/x86_64-linux-gnu") for name in LIBRARIES]
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, binary in names.items():
        link = bin_dir / name
        if not link.exists():
            link.symlink_to(tools / binary)
    return bin_dir, os.pathsep.join(libraries)


def settings(argv: tuple[str, ...]) -> dict[str, str]:
    """`--name value` pairs of a redis-server command line, by name."""
    found: dict[str, str] = {}
    words = list(argv[1:])
    for index, word in enumerate(words):
        if word.startswith("--") and index + 1 < len(words) and not words[index + 1].startswith("--"):
            found[word[2:]] = words[index + 1]
    return found


def normalised(value: str) -> str:
    """A memory size as bytes (CONFIG GET answers bytes), anything else as given, lower-cased."""
    match = re.fullmatch(r"(\d+)([a-zA-Z]+)", value.strip())
    if match and match.group(2).lower() in _UNITS:
        return str(int(match.group(1)) * _UNITS[match.group(2).lower()])
    return value.strip().lower()


def checks(_overlay: Overlay, container: Container, sandbox: Sandbox) -> Iterator[Check]:
    server_line = server_argv(container)
    assert server_line is not None
    server = Path(server_line[0]).name
    component = container.workload
    relocation = Relocation(sandbox.root / component, container.mounts)
    for mount in container.mounts:
        relocation.path(mount).mkdir(parents=True, exist_ok=True)
    give_to(relocation.home, container.run_as_user)
    bin_dir, libraries = installed_bin(relocation.home, server)
    env = sandbox.environment({**container.env, "LD_LIBRARY_PATH": libraries}, [bin_dir])
    argv = [relocation.text(word) for word in container.argv]
    wanted = settings(server_line)
    port = int(wanted.get("port", "6379"))
    process = sandbox.spawn(component, argv, env, user=container.run_as_user)
    name = f"{server} starts with the generated command line"
    try:
        sandbox.wait_port("127.0.0.1", port, START_TIMEOUT, process)
    except WaitTimeout as error:
        yield failed(component, name, f"{container.where} command: {error}")
        return
    yield passed(component, name)
    cli = [str(bin_dir / server.replace("-server", "-cli")), "-p", str(port)]
    password = password_variable(container)
    if password is not None:
        yield _refuses_without_password(container, sandbox, cli, env, password)
        # both CLIs read the password from the environment, so it never reaches an argv
        secret = container.env.get(password, "")
        env = {**env, "REDISCLI_AUTH": secret, "VALKEYCLI_AUTH": secret}
        yield _secret_in_no_argv(container, password, secret)
    for setting, value in sorted(wanted.items()):
        if setting in _NOT_READ_BACK:
            continue
        result = sandbox.run([*cli, "--raw", "CONFIG", "GET", setting], env=env, user=container.run_as_user,
                             timeout=10.0)
        lines = result.stdout.splitlines()
        have = lines[1] if len(lines) > 1 else ""
        check = f"setting {setting} {value} in effect (CONFIG GET)"
        yield passed(component, check) if normalised(have) == normalised(value) else failed(
            component, check, f"{container.where} command --{setting} {value}: the server has {have!r}")
    if wanted.get("appendonly") == "yes" and "dir" in wanted:
        yield _persistence(container, sandbox, cli, env, relocation, wanted["dir"])
    yield from probe_checks(container, sandbox, env)


def _persistence(container: Container, sandbox: Sandbox, cli: list[str], env: dict[str, str],
                 relocation: Relocation, directory: str) -> Check:
    name = f"a write is persisted in the append-only file under --dir {directory}"
    result = sandbox.run([*cli, "SET", "rosgit-conformance", "1"], env=env, user=container.run_as_user, timeout=10.0)
    data = Path(relocation.text(directory))
    files = [p for p in data.rglob("*") if p.is_file() and ".aof" in p.name] if data.is_dir() else []
    if result.returncode == 0 and files:
        return passed(container.workload, name)
    return failed(container.workload, name,
                  f"{container.where} command --appendonly yes --dir {directory}: no append-only file in {data}")


def _refuses_without_password(container: Container, sandbox: Sandbox, cli: list[str], env: dict[str, str],
                              variable: str) -> Check:
    name = f"requirepass from ${variable} in effect: a client without the password is refused"
    result = sandbox.run([*cli, "PING"], env=env, user=container.run_as_user, timeout=10.0)
    if "NOAUTH" in result.stdout + result.stderr:
        return passed(container.workload, name)
    return failed(container.workload, name,
                  f"{container.where} command requirepass ${variable}: PING without a password answered "
                  f"{result.stdout.strip()!r}")


def _secret_in_no_argv(container: Container, variable: str, secret: str) -> Check:
    """The server got the password on stdin: no process on the machine carries it on its command line."""
    name = f"${variable} is on no process's command line"
    carriers = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if secret and secret.encode() in cmdline.read_bytes():
                carriers.append(cmdline.parent.name)
        except OSError:
            continue  # the process ended while we looked
    if not carriers:
        return passed(container.workload, name)
    return failed(container.workload, name,
                  f"{container.where} command: the value of ${variable} is in the argv of PID {', '.join(carriers)}")
