"""Each liveness/readiness/startup probe of a pod, run against its running program in the sandbox with the
probe's own path, port and command, the way the kubelet runs it: httpGet to the pod's address (127.0.0.1 in
the sandbox), 200-399 passes; tcpSocket connects; exec runs the command with the container's env and user."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping

from rosgit.conformance.pod import Container, Probe
from rosgit.conformance.result import Check, failed, passed
from rosgit.conformance.sandbox import Sandbox

POD_ADDRESS = "127.0.0.1"
HTTP_GET = (
    "import sys, urllib.request, urllib.error\n"
    "try:\n"
    "    code = urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])).status\n"
    "except urllib.error.HTTPError as error:\n"
    "    code = error.code\n"
    "except Exception as error:\n"
    "    print(f'no answer: {error}'); sys.exit(2)\n"
    "print(code); sys.exit(0 if 200 <= code < 400 else 1)\n"
)


def describe(probe: Probe) -> str:
    if probe.action == "httpGet":
        return f"{probe.kind} probe httpGet {probe.path} on port {probe.port}"
    if probe.action == "tcpSocket":
        return f"{probe.kind} probe tcpSocket on port {probe.port}"
    return f"{probe.kind} probe exec {' '.join(probe.command)}"


def run_probe(probe: Probe, container: Container, sandbox: Sandbox, env: Mapping[str, str],
              timeout: float = 5.0) -> str:
    """Empty when the probe passes, else why not."""
    if probe.action in ("httpGet", "tcpSocket") and probe.port is None:
        return "its port names no port of the container"
    if probe.action == "tcpSocket":
        return "" if sandbox.port_open(POD_ADDRESS, probe.port or 0) else f"nothing accepts connections on {probe.port}"
    if probe.action == "httpGet":
        url = f"http://{POD_ADDRESS}:{probe.port}{probe.path}"
        result = sandbox.run([sys.executable, "-c", HTTP_GET, url, str(timeout)], env={"PATH": env.get("PATH", "")},
                             timeout=timeout + 5)
        answer = result.stdout.strip() or result.stderr.strip().splitlines()[-1:]
        return "" if result.returncode == 0 else f"GET {url} answered {answer}"
    if probe.action == "exec":
        result = sandbox.run(list(probe.command), env=env, user=container.run_as_user, timeout=timeout + 5)
        if result.returncode == 0:
            return ""
        lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        return f"exit code {result.returncode}" + (f": {lines[-1]}" if lines else "")
    return f"{probe.action} probes are not checked"


def probe_checks(container: Container, sandbox: Sandbox, env: Mapping[str, str]) -> Iterator[Check]:
    for probe in container.probes:
        name = describe(probe)
        problem = run_probe(probe, container, sandbox, env)
        yield passed(container.workload, name) if not problem else failed(
            container.workload, name, f"{container.where} {probe.kind}Probe.{probe.action}: {problem}")
