"""A network namespace with only `lo`, and a private mount namespace whose /etc/hosts maps every Service name of
the overlay to 127.0.0.1, so generated host names (`koku-db:5432`, `kafka:9092`, `http://minio:9000`) are used
unchanged and a wildcard bind (`--bind 0.0.0.0`, `PLAINTEXT://:9092`) reaches nothing outside.

One holder process (`unshare --net --mount`, then `sleep`) owns the namespaces; every program enters them with
`nsenter`, as the pod's user (`setpriv`). Every process started is registered by PID and stopped by `stop()`,
which the context manager calls even when a check fails; `leftovers()` lists any process still in the
namespace. The sandbox's /etc/passwd adds the pods' numeric users (PostgreSQL's initdb must look its user up,
as sclorg's image arranges with nss_wrapper).
"""

from __future__ import annotations

import os
import socket
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType

from rosgit.conformance.result import WaitTimeout
from rosgit.tools import BackgroundProcess, ProcessResult, run_process, start_process, tool_dirs

NAMESPACE_SETUP = (
    'set -e; ip link set lo up; mount --bind "$SANDBOX_HOSTS" /etc/hosts; '
    'mount --bind "$SANDBOX_PASSWD" /etc/passwd; mount --bind "$SANDBOX_GROUP" /etc/group; '
    ': > "$SANDBOX_READY"; exec sleep 2147483647'
)
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The network namespaces this process's sandboxes made (their `net:[inode]` ids), for a final leftover check.
STARTED_NAMESPACES: list[str] = []
# An open descriptor of each keeps it from being freed: a freed namespace's inode number can be given to a
# new namespace (another test process's sandbox), whose processes the leftover check would then count.
_HELD_NAMESPACES: list[int] = []
# Names the images give their numeric users (a client such as pg_isready defaults its role to that name).
IMAGE_USERS = {26: "postgres"}


def hosts_file(names: Iterable[str], namespace: str, addresses: Mapping[str, str] | None = None) -> str:
    """/etc/hosts for the sandbox: each Service by its short and cluster names, all on loopback (127.0.0.1, or
    the loopback address `addresses` gives it, for peers that listen on the same port at the same time)."""
    # the pod's own host name resolves in a pod (the kubelet writes it); here the machine's stands in for it
    lines = ["127.0.0.1 localhost", "::1 localhost", f"127.0.0.1 {socket.gethostname()}"]
    for name in sorted(set(names)):
        address = (addresses or {}).get(name, "127.0.0.1")
        if "." in name:  # a host outside the cluster (an OIDC provider): no Service names
            lines.append(f"{address} {name}")
            continue
        lines.append(f"{address} {name} {name}.{namespace} {name}.{namespace}.svc {name}.{namespace}.svc.cluster.local")
    return "\n".join(lines) + "\n"


def _with_users(text: str, users: Iterable[int], kind: str) -> str:
    taken = {line.split(":")[2] for line in text.splitlines() if line.count(":") >= 3}
    extra = []
    for uid in sorted(set(users)):
        if str(uid) not in taken:
            name = IMAGE_USERS.get(uid, f"pod{uid}")
            extra.append(f"{name}:x:{uid}:{uid}:pod user:/tmp:/bin/sh" if kind == "passwd" else f"{name}:x:{uid}:")
    return text.rstrip("\n") + "\n" + "".join(line + "\n" for line in extra)


class Sandbox:
    def __init__(self, root: Path, hosts: Iterable[str], *, namespace: str = "default",
                 users: Iterable[int] = (), addresses: Mapping[str, str] | None = None) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # the pods' users must reach their directories below it
        self._hosts = list(hosts)
        self._namespace = namespace
        self._addresses = dict(addresses or {})
        self._users = sorted(set(users))
        self._holder: BackgroundProcess | None = None
        self._processes: list[tuple[str, BackgroundProcess]] = []
        self.netns: str | None = None

    # --- lifetime -----------------------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> None:
        etc = self.root / "etc"
        etc.mkdir(exist_ok=True)
        (etc / "hosts").write_text(hosts_file(self._hosts, self._namespace, self._addresses), encoding="utf-8")
        (etc / "passwd").write_text(
            _with_users(Path("/etc/passwd").read_text(encoding="utf-8"), self._users, "passwd"), encoding="utf-8")
        (etc / "group").write_text(
            _with_users(Path("/etc/group").read_text(encoding="utf-8"), self._users, "group"), encoding="utf-8")
        for name in ("hosts", "passwd", "group"):
            (etc / name).chmod(0o644)
        ready = etc / "ready"
        # a ready mark left by an earlier sandbox on this root would end the wait before unshare has run
        ready.unlink(missing_ok=True)
        env = {"PATH": BASE_PATH, "SANDBOX_HOSTS": str(etc / "hosts"), "SANDBOX_PASSWD": str(etc / "passwd"),
               "SANDBOX_GROUP": str(etc / "group"), "SANDBOX_READY": str(ready)}
        self._holder = start_process(
            ["unshare", "--net", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", NAMESPACE_SETUP],
            env=env, log=self.root / "sandbox.log",
        )
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if self._holder.poll() is not None:
                log = (self.root / "sandbox.log").read_text(encoding="utf-8", errors="replace").strip()
                raise WaitTimeout(f"the sandbox's namespaces could not be set up (unshare --net --mount): {log}")
            if time.monotonic() > deadline:
                raise WaitTimeout(f"timed out after {timeout:g}s waiting for the sandbox's namespaces")
            time.sleep(0.02)
        try:
            self.netns = os.readlink(f"/proc/{self._holder.pid}/ns/net")
        except OSError:
            self.netns = None
        if self.netns is not None and self.netns == os.readlink("/proc/self/ns/net"):
            # never this process's own namespace: the leftover check would count every process of the machine
            raise WaitTimeout("the sandbox's holder is still in the machine's network namespace (unshare --net)")
        if self.netns is not None:
            _HELD_NAMESPACES.append(os.open(f"/proc/{self._holder.pid}/ns/net", os.O_RDONLY))
            STARTED_NAMESPACES.append(self.netns)

    def stop(self) -> None:
        """Stop every registered process (last started first), then the namespaces' holder."""
        for _, process in reversed(self._processes):
            process.stop()
        if self._holder is not None:
            self._holder.stop(grace=2.0)

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def processes(self) -> list[tuple[str, BackgroundProcess]]:
        """The registered processes with their labels, in start order."""
        return list(self._processes)

    def process(self, label: str) -> BackgroundProcess | None:
        return next((process for name, process in self._processes if name == label), None)

    @property
    def pids(self) -> list[int]:
        return [p.pid for _, p in self._processes] + ([self._holder.pid] if self._holder else [])

    def leftovers(self) -> list[int]:
        """PIDs of processes still alive that this sandbox started or that live in its network namespace."""
        alive = [pid for pid in self.pids if Path(f"/proc/{pid}").exists() and not _is_zombie(pid)]
        inside = processes_in([self.netns] if self.netns else [])
        return alive + [pid for pid in inside if pid not in alive]

    # --- running programs inside ----------------------------------------------------------------------------
    def _argv(self, argv: list[str], user: int | None) -> list[str]:
        if self._holder is None:
            raise RuntimeError("sandbox not started")
        enter = ["nsenter", f"--target={self._holder.pid}", "--net", "--mount", "--"]
        if user is not None and user != 0:
            enter += ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
            if not _reachable_by_others(tool_dirs()):
                # The checkout sits below a directory only its owner may enter (e.g. a `mktemp -d` clone, mode
                # 700), so the pod's user could not even start the installed program. Grant it read and
                # search only: every write is still judged as the pod's user, which is what the tier checks.
                enter += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
            enter.append("--")
        return [*enter, *argv]

    def environment(self, env: Mapping[str, str], path: Iterable[Path] = ()) -> dict[str, str]:
        """The pod's env plus a PATH with the installed programs first (as the image has them on its PATH)."""
        full = {"HOME": "/tmp", "LANG": "C.UTF-8"}
        full.update(env)
        full["PATH"] = os.pathsep.join([*(str(p) for p in path), BASE_PATH])
        return full

    def spawn(self, label: str, argv: list[str], env: Mapping[str, str], *, user: int | None = None,
              cwd: Path | None = None) -> BackgroundProcess:
        log = self.root / f"{label}.log"
        process = start_process(self._argv(argv, user), env=env, log=log, cwd=cwd)
        self._processes.append((label, process))
        return process

    def run(self, argv: list[str], env: Mapping[str, str], *, user: int | None = None, timeout: float = 60.0,
            input_text: str | None = None, cwd: Path | None = None) -> ProcessResult:
        return run_process(self._argv(argv, user), env=env, timeout=timeout, input_text=input_text, cwd=cwd)

    def port_open(self, host: str, port: int) -> bool:
        result = self.run(["bash", "-c", 'exec 3<>"/dev/tcp/$1/$2"', "-", host, str(port)],
                          env={"PATH": BASE_PATH}, timeout=5.0)
        return result.returncode == 0

    def wait_until(self, what: str, ready: Callable[[], bool], timeout: float,
                   process: BackgroundProcess | None = None, interval: float = 0.2) -> None:
        """Poll `ready()` until true; a clear error naming `what` on timeout or when `process` exits first."""
        deadline = time.monotonic() + timeout
        while not ready():
            if process is not None and process.poll() is not None:
                raise WaitTimeout(f"{what}: the program exited with code {process.poll()} first; "
                                  f"last log line: {last_line(process.log)}")
            if time.monotonic() > deadline:
                raise WaitTimeout(f"timed out after {timeout:g}s waiting for {what}"
                                  + (f"; last log line: {last_line(process.log)}" if process else ""))
            time.sleep(interval)

    def wait_port(self, host: str, port: int, timeout: float, process: BackgroundProcess | None = None) -> None:
        self.wait_until(f"{host}:{port} to accept connections", lambda: self.port_open(host, port), timeout, process)


def _reachable_by_others(directories: Iterable[Path]) -> bool:
    """Whether a user other than the owner may search every directory down to each existing one."""
    for directory in directories:
        if not directory.exists():
            continue
        for step in [directory.resolve(), *directory.resolve().parents]:
            if not step.stat().st_mode & stat.S_IXOTH:
                return False
    return True


def release_namespaces() -> None:
    """Let the kernel free the namespaces STARTED_NAMESPACES names (after the leftover check)."""
    while _HELD_NAMESPACES:
        os.close(_HELD_NAMESPACES.pop())
    STARTED_NAMESPACES.clear()


def processes_in(namespaces: list[str]) -> list[int]:
    """Live processes whose network namespace is one of `namespaces` (`net:[inode]` ids)."""
    wanted = set(namespaces)
    found: list[int] = []
    if not wanted:
        return found
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "ns" / "net") in wanted and not _is_zombie(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def last_line(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return "(no log)"
    return lines[-1].strip() if lines else "(empty log)"


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def give_to(path: Path, user: int | None) -> None:
    """`path` and everything below it belong to the pod's user, as its volumes do (fsGroup, in a cluster)."""
    if user is None:
        return
    for directory, _, files in os.walk(path):
        os.chown(directory, user, user)
        for name in files:
            os.chown(os.path.join(directory, name), user, user)
