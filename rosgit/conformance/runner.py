"""Runs the conformance checks of one built overlay: each program adapter on the components it serves, each in
its own sandbox (stopped, with every process it started, before the next one starts)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rosgit.conformance import envoy, hive, kafka, minio, postgresql, redis, trino
from rosgit.conformance.clients import needs
from rosgit.conformance.overlay import Overlay, load_overlay
from rosgit.conformance.pod import Container
from rosgit.conformance.probes import probe_checks
from rosgit.conformance.result import Check, failed, passed
from rosgit.conformance.sandbox import Sandbox
from rosgit.errors import RosgitError
from rosgit.tools import INSTALL_SCRIPT, NotInstalled, installed, pins

__all__ = ["Overlay", "load_overlay", "run", "selected"]


@dataclass(frozen=True)
class Program:
    """One adapter: which components it runs, and how it checks one of them."""

    name: str
    selects: Callable[[Overlay, Container], bool]
    check: Callable[[Overlay, Container, Sandbox], Iterator[Check]]
    pins: Callable[[Container], tuple[str, ...]]  # what must be installed (names in rosgit/tools.txt)


def _programs() -> list[Program]:
    return [
        Program("postgresql", lambda _, c: postgresql.is_database_pod(c), _postgresql_checks,
                lambda _: postgresql.PINS),
        Program("redis", lambda _, c: redis.is_cache_pod(c), redis.checks, redis.pins),
        Program("kafka", lambda _, c: kafka.is_broker_pod(c), kafka.checks, lambda _: kafka.PINS),
        Program("minio", lambda _, c: minio.is_server_pod(c), minio.checks, lambda _: minio.PINS),
        Program("hive-metastore", lambda _, c: hive.is_metastore_pod(c), hive.checks, lambda _: hive.PINS),
        # the worker runs inside the coordinator's checks: queries need both at once
        Program("trino", lambda _, c: trino.is_coordinator(c), trino.checks,
                lambda _: (*trino.PINS, *postgresql.PINS, *hive.PINS, *minio.PINS)),
        Program("envoy", lambda _, c: envoy.is_gateway(c), envoy.checks, lambda _: envoy.PINS),
    ]


def _postgresql_checks(overlay: Overlay, container: Container, sandbox: Sandbox) -> Iterator[Check]:
    host = overlay.service_of(container.workload)
    started, db = postgresql.start_check(container, sandbox, host)
    yield started
    if db is None:
        return
    yield from postgresql.own_user_checks(db)
    for need in needs(overlay.objects, overlay.containers, overlay.catalog, overlay.contracts):
        if need.database_pod == container.workload:
            yield postgresql.need_check(db, need)
    yield from probe_checks(container, sandbox, db.env)


def selected(overlay: Overlay, component: str | None = None) -> list[tuple[Program, Container]]:
    """(adapter, container) for every component of the overlay a program here can run."""
    chosen: list[tuple[Program, Container]] = []
    for container in overlay.containers:
        if component is not None and container.workload != component:
            continue
        for program in _programs():
            if program.selects(overlay, container):
                chosen.append((program, container))
                break
    return chosen


def missing_programs(chosen: list[tuple[Program, Container]]) -> list[str]:
    """The pins (by name) the chosen components need that are not installed, in pin-list order."""
    wanted = {pin for program, container in chosen for pin in program.pins(container)}
    return [name for name in pins() if name in wanted and not installed(name)]


def require_programs(chosen: list[tuple[Program, Container]]) -> None:
    """NotInstalled, in one line naming every missing program and the install command, when any is missing."""
    missing = missing_programs(chosen)
    if missing:
        kinds = sorted({pins()[name].kind for name in missing})
        named = ", ".join(f"{name} {pins()[name].version} ({pins()[name].kind} {pins()[name].package})"
                          for name in missing)
        command = f"{INSTALL_SCRIPT} --kind {kinds[0]}" if len(kinds) == 1 else INSTALL_SCRIPT
        raise NotInstalled(f"not installed: {named}; run {command} in a rosgit checkout")


def run_component(overlay: Overlay, program: Program, container: Container, workdir: Path) -> list[Check]:
    """One component's checks in a fresh sandbox, stopped even when a check raises."""
    users = [c.run_as_user for c in overlay.containers]
    sandbox = Sandbox(workdir / container.workload, overlay.services, namespace=overlay.namespace, users=users)
    results: list[Check] = []
    try:
        sandbox.start()
        results.extend(program.check(overlay, container, sandbox))
    except RosgitError as error:
        results.append(failed(container.workload, f"{program.name} checks", str(error)))
    finally:
        sandbox.stop()
    left = sandbox.leftovers()
    if left:
        results.append(failed(container.workload, "every process stopped", f"still running: PIDs {left}"))
    return results


def run(overlay: Overlay, *, component: str | None = None, keep: Path | None = None) -> list[Check]:
    """Every check of the overlay (or of one component); a scratch directory is removed afterwards unless `keep`."""
    workdir = keep or Path(tempfile.mkdtemp(prefix="rosgit-conformance-"))
    workdir.chmod(0o755)  # the pods' users must reach their directories below it
    try:
        results: list[Check] = []
        chosen = selected(overlay, component)
        for program, container in chosen:
            results.extend(run_component(overlay, program, container, workdir))
        if component is None and not any(program.name == "envoy" for program, _ in chosen):
            results.append(passed("envoy", envoy.NO_GATEWAY))
        return results
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
