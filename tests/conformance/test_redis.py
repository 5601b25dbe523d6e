"""Redis (Kubernetes overlays) and Valkey (OpenShift overlays override the command to valkey-server), started
with the generated command line."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rosgit.conformance.redis import password_variable, server_argv
from rosgit.conformance.runner import run
from tests.conformance.conftest import failures, main_overlay

pytestmark = pytest.mark.conformance


@pytest.mark.parametrize(("overlay", "program"), [
    ("minimal", "redis"), ("prod", "redis"), ("openshift-minimal", "valkey"), ("openshift-prod", "valkey"),
])
def test_the_cache_starts_with_its_settings_in_effect_and_its_probes_pass(
    programs: Callable[[str], None], overlay: str, program: str
) -> None:
    programs(program)
    built = main_overlay(overlay)
    server = built.container("redis")
    assert server is not None
    line = server_argv(server)
    # the server reads its password from stdin through `sh -c`: the command line names the server
    assert line is not None and line[0] == f"{program}-server"
    assert password_variable(server) == "REDIS_PASSWORD"
    results = run(built, component="redis")
    names = [check.name for check in results]
    assert failures(results) == []
    assert f"{program}-server starts with the generated command line" in names
    assert "setting appendonly yes in effect (CONFIG GET)" in names
    assert "setting maxmemory-policy allkeys-lru in effect (CONFIG GET)" in names
    assert "a write is persisted in the append-only file under --dir /data" in names
    assert "requirepass from $REDIS_PASSWORD in effect: a client without the password is refused" in names
    assert "$REDIS_PASSWORD is on no process's command line" in names
    assert {name.split(" probe ")[0] for name in names if " probe " in name} == {"liveness", "readiness"}
