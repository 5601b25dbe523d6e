"""MinIO started with the generated args and root credentials; its probes; then the bucket Job's script (with
`mc`), run twice: it must create every bucket the image contracts name, and succeed again on a second run.

The image's entrypoint puts `minio` before args that do not start with it
(minio/minio@7aac2a2c dockerscripts/docker-entrypoint.sh:3-7), so `server /data ...` runs `minio server /data ...`.
The module proxy serves no RELEASE.* tag, so the installed builds are the pseudo-versions in rosgit/tools.txt.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rosgit.conformance.adjust import Relocation
from rosgit.conformance.clients import held_modes
from rosgit.conformance.overlay import Overlay
from rosgit.conformance.pod import Container
from rosgit.conformance.probes import probe_checks
from rosgit.conformance.result import Check, WaitTimeout, failed, passed
from rosgit.conformance.sandbox import Sandbox, give_to
from rosgit.kustomize import split_image
from rosgit.tools import require_program

IMAGE = "quay.io/minio/minio"
BUCKET_JOB = "minio-buckets"
START_TIMEOUT = 60.0
JOB_TIMEOUT = 120.0
PINS = ("minio", "mc")


def is_server_pod(container: Container) -> bool:
    return split_image(container.image)[0] == IMAGE and "server" in container.argv


@dataclass(frozen=True)
class Bucket:
    name: str
    user: Container
    source: str
    env: str


def contract_buckets(overlay: Overlay) -> list[Bucket]:
    """Every bucket a container uses according to its image contract (the env's value, else the default)."""
    found: list[Bucket] = []
    for container, contract, mode in held_modes(overlay.containers, overlay.catalog, overlay.contracts):
        for fact in mode.buckets:
            name = container.env.get(fact.env, "") if fact.env else ""
            if fact.env and fact.env in container.secret_env:
                continue
            name = name or (fact.default or "")
            if name:
                found.append(Bucket(name, container, contract.cite(fact.source), fact.env or ""))
    return found


def _bin(home: Path) -> Path:
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in ("minio", "mc"):
        link = bin_dir / name
        if not link.exists():
            link.symlink_to(require_program(name))
    return bin_dir


def checks(overlay: Overlay, container: Container, sandbox: Sandbox) -> Iterator[Check]:
    component = container.workload
    relocation = Relocation(sandbox.root / component, container.mounts)
    bin_dir = _bin(relocation.home)
    for mount in container.mounts:
        relocation.path(mount).mkdir(parents=True, exist_ok=True)
    give_to(relocation.home, container.run_as_user)
    argv = [relocation.text(word) for word in container.argv]
    if argv and argv[0] != "minio":
        argv = ["minio", *argv]
    env = sandbox.environment({k: relocation.text(v) for k, v in container.env.items()}, [bin_dir])
    host = overlay.service_of(component)
    port = container.ports.get("api", 9000)
    process = sandbox.spawn(component, argv, env, user=container.run_as_user)
    name = "minio starts with the generated args and root credentials"
    try:
        sandbox.wait_port(host, port, START_TIMEOUT, process)
    except WaitTimeout as error:
        yield failed(component, name, f"{container.where} args: {error}")
        return
    yield passed(component, name)
    sandbox.wait_until("minio to report ready", lambda: _ready(sandbox, env, host, port), START_TIMEOUT, process)
    yield from probe_checks(container, sandbox, env)
    job = overlay.container(BUCKET_JOB, "Job")
    if job is None:
        return
    job_relocation = Relocation(sandbox.root / job.workload, job.mounts)
    for mount in job.mounts:
        job_relocation.path(mount).mkdir(parents=True, exist_ok=True)
    give_to(job_relocation.home, job.run_as_user)
    job_env = sandbox.environment({k: job_relocation.text(v) for k, v in job.env.items()}, [bin_dir])
    for attempt in ("runs to completion", "runs again to completion (idempotent)"):
        yield _run_job(job, sandbox, job_env, [job_relocation.text(w) for w in job.argv], attempt)
    yield from _buckets(overlay, job, sandbox, job_env)


def _ready(sandbox: Sandbox, env: dict[str, str], host: str, port: int) -> bool:
    from rosgit.conformance.probes import HTTP_GET

    result = sandbox.run(["python3", "-c", HTTP_GET, f"http://{host}:{port}/minio/health/ready", "2"],
                         env=env, timeout=10.0)
    return result.returncode == 0


def _run_job(job: Container, sandbox: Sandbox, env: dict[str, str], argv: list[str], attempt: str) -> Check:
    name = f"{job.owner} script {attempt}"
    result = sandbox.run(argv, env=env, user=job.run_as_user, timeout=JOB_TIMEOUT)
    if result.returncode == 0:
        return passed(job.workload, name)
    why = "timed out" if result.timed_out else f"exit code {result.returncode}"
    lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    return failed(job.workload, name, f"{job.where} command: {why}" + (f": {lines[-1]}" if lines else ""))


def _buckets(overlay: Overlay, job: Container, sandbox: Sandbox, env: dict[str, str]) -> Iterator[Check]:
    listed = sandbox.run(["mc", "ls", "--json", "store"], env=env, user=job.run_as_user, timeout=30.0)
    existing = {part.split('"key":"', 1)[1].split('"', 1)[0].rstrip("/")
                for part in listed.stdout.splitlines() if '"key":"' in part}
    seen: set[str] = set()
    for bucket in contract_buckets(overlay):
        if bucket.name in seen:
            continue
        seen.add(bucket.name)
        name = f"bucket {bucket.name} exists (needed by {bucket.user.owner})"
        field = f" env {bucket.env}" if bucket.env else ""
        yield passed(job.workload, name) if bucket.name in existing else failed(
            job.workload, name, f"{bucket.user.where}{field}: bucket {bucket.name} does not exist after "
            f"{job.owner} ran; the server has {sorted(existing)} [contract source {bucket.source}]")
