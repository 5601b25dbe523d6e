"""The sandbox: only a loopback interface, the overlay's Service names on 127.0.0.1, bounded waits that say
what they waited for, and no process left once it is stopped (even when a check fails)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rosgit.conformance.result import WaitTimeout
from rosgit.conformance.sandbox import BASE_PATH, Sandbox

pytestmark = pytest.mark.conformance
ENV = {"PATH": BASE_PATH}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    root = Path(tempfile.mkdtemp(prefix="rosgit-sandbox-test-"))
    box = Sandbox(root, ["koku-db", "kafka"], namespace="ros-ocp", users=[26])
    try:
        box.start()
        yield box
    finally:
        box.stop()
        shutil.rmtree(root, ignore_errors=True)
        assert box.leftovers() == []


def test_only_loopback_and_service_names_resolve_to_it(sandbox: Sandbox) -> None:
    links = sandbox.run(["ip", "-o", "link"], env=ENV).stdout.splitlines()
    assert [line.split(":")[1].strip() for line in links] == ["lo"]
    hosts = sandbox.run(["getent", "hosts", "koku-db", "kafka.ros-ocp.svc.cluster.local"], env=ENV).stdout
    assert [line.split()[0] for line in hosts.splitlines()] == ["127.0.0.1", "127.0.0.1"]
    assert "koku-db" not in Path("/etc/hosts").read_text(encoding="utf-8"), "the machine's /etc/hosts changed"


def test_a_server_in_the_sandbox_is_not_reachable_outside_it(sandbox: Sandbox) -> None:
    server = sandbox.spawn("listener", ["python3", "-m", "http.server", "--bind", "0.0.0.0", "18765"], ENV)
    sandbox.wait_port("koku-db", 18765, 20.0, server)
    outside = sandbox.run(["true"], env=ENV)  # the namespace is alive; now look from the machine itself
    assert outside.returncode == 0
    import socket

    with socket.socket() as probe:
        probe.settimeout(1.0)
        assert probe.connect_ex(("127.0.0.1", 18765)) != 0


def test_programs_run_as_the_pods_user(sandbox: Sandbox) -> None:
    assert sandbox.run(["id", "-un"], env=ENV, user=26).stdout.strip() == "postgres"


def test_a_wait_that_runs_out_names_what_it_waited_for(sandbox: Sandbox) -> None:
    with pytest.raises(WaitTimeout, match=r"timed out after 0.5s waiting for kafka:9092 to accept connections"):
        sandbox.wait_port("kafka", 9092, 0.5)


def test_a_program_that_exits_first_is_reported_with_its_log(sandbox: Sandbox) -> None:
    gone = sandbox.spawn("gone", ["sh", "-c", "echo cannot bind; exit 3"], ENV)
    with pytest.raises(WaitTimeout, match=r"exited with code 3 first; last log line: cannot bind"):
        sandbox.wait_port("kafka", 9092, 10.0, gone)


def test_stop_ends_every_process_even_their_children() -> None:
    root = Path(tempfile.mkdtemp(prefix="rosgit-sandbox-test-"))
    with Sandbox(root, []) as box:
        box.spawn("parent", ["sh", "-c", "sleep 300 & sleep 300 & wait"], ENV)
        box.wait_until("two sleeps", lambda: len(box.leftovers()) >= 3, 10.0)
        pids = box.leftovers()
    shutil.rmtree(root, ignore_errors=True)
    assert box.leftovers() == []
    assert all(not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in pids)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_checkout_below_an_owner_only_directory_is_not_reachable_by_the_pods_users() -> None:
    """A `mktemp -d` clone is mode 700: the sandbox then lets the pod's user read and search (never write)."""
    from rosgit.conformance.sandbox import _reachable_by_others

    # pytest's own temporary root is mode 700, so the tree is made beside it, in the system temp directory
    root = Path(tempfile.mkdtemp())
    try:
        tools = root / "clone" / ".tools" / "bin"
        tools.mkdir(parents=True)
        for step in (root, root / "clone", tools.parent, tools):
            step.chmod(0o755)
        assert _reachable_by_others([tools]), "a tree every user may enter"
        (root / "clone").chmod(0o700)
        assert not _reachable_by_others([tools])
        assert _reachable_by_others([root / "missing"])
    finally:
        shutil.rmtree(root)
