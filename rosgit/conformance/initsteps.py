"""A pod's init containers other than the waits (the adapters start a pod's dependencies first): run in its
sandbox, as the pod's user, with its mount paths moved as the main container's are. A ConfigMap that OpenShift
fills at run time (the service CA bundle, `service.beta.openshift.io/inject-cabundle`) is empty in the overlay:
a stand-in CA made here for the run takes its place (adjust.py), so the trust step's keytool imports a real
certificate and the main container finds the truststore its JAVA_TOOL_OPTIONS names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from rosgit.conformance.adjust import Relocation
from rosgit.conformance.pod import Container, InitStep
from rosgit.conformance.result import Check, failed, passed
from rosgit.conformance.sandbox import Sandbox, give_to
from rosgit.generate.catrust import SERVICE_CA_CONFIG, SERVICE_CA_FILE
from rosgit.generate.workloads import wait_container_name

STEP_TIMEOUT = 120.0
SERVICE_CA_KEY = SERVICE_CA_FILE.rsplit("/", 1)[1]


def _is_wait(step: InitStep) -> bool:
    return step.name.startswith(wait_container_name(""))


def _stand_in_ca(sandbox: Sandbox, directory: Path) -> tuple[bool, str]:
    """A self-signed CA certificate (PEM) at directory/service-ca.crt, as OpenShift's injection would put it."""
    directory.mkdir(parents=True, exist_ok=True)
    result = sandbox.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=rosgit-conformance-stand-in-service-ca", "-keyout", str(directory / "stand-in.key"),
         "-out", str(directory / SERVICE_CA_KEY)], env={"PATH": "/usr/bin:/bin"}, timeout=60.0)
    return result.returncode == 0, (result.stderr.strip().splitlines() or [""])[-1]


def run_init_steps(
    container: Container, sandbox: Sandbox, relocation: Relocation, extra_env: Mapping[str, str],
    path: list[Path] | None = None,
) -> Iterator[Check]:
    """One check per init container that is not a wait; a failed one stops the rest (as the kubelet does)."""
    for step in container.init_steps:
        if _is_wait(step):
            continue
        moved = Relocation(relocation.home, (*relocation.mounts, *step.mounts))
        for mount in step.mounts:
            moved.path(mount).mkdir(parents=True, exist_ok=True)
        moved.place(step.files)
        injected = [mount for mount, name in step.config_maps.items() if name == SERVICE_CA_CONFIG]
        for mount in injected:
            ok, why = _stand_in_ca(sandbox, moved.path(mount))
            if not ok:
                yield failed(container.workload, f"init container {step.name}: a stand-in service CA", why)
                return
        give_to(relocation.home, container.run_as_user)
        env = sandbox.environment({**{k: moved.text(v) for k, v in step.env.items()}, **extra_env}, path or [])
        argv = [moved.text(word) for word in (*step.command, *step.args)]
        result = sandbox.run(argv, env=env, user=container.run_as_user, timeout=STEP_TIMEOUT)
        stand_in = " (the service CA a stand-in)" if injected else ""
        name = f"init container {step.name} runs to completion{stand_in}"
        if result.returncode == 0:
            yield passed(container.workload, name)
            continue
        lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        why = "timed out" if result.timed_out else f"exit code {result.returncode}"
        yield failed(container.workload, name, f"{container.owner} init container {step.name} command: {why}"
                     + (f": {lines[-1]}" if lines else ""))
        return
