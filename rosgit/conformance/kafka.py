"""Kafka 4.1 KRaft, started the way the apache/kafka image starts, from the broker pod's generated env; then
the broker's own view of each setting, the topic Job's script, every topic the contracts name, and a
produce/consume round trip.

The image's entrypoint (apache/kafka@1eb76443 docker/resources/common-scripts/run, configure, docker/jvm/launch;
read, not copied) checks CLUSTER_ID in KRaft mode, derives KAFKA_LISTENERS from KAFKA_ADVERTISED_LISTENERS when
unset, then runs `kafka.docker.KafkaDockerWrapper setup` (inside kafka_2.13.jar: every KAFKA_* variable but the
JVM/launcher ones becomes a server.properties line, `_`->`.`, `__`->`_`, `___`->`-`; then `kafka-storage
format` with CLUSTER_ID) and `kafka-server-start.sh` on the result. The tool scripts the Job calls are the
distribution's `kafka-run-class.sh` wrappers around the same classes, written here for the installed jars.
"""

from __future__ import annotations

import re
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

IMAGE = "docker.io/apache/kafka"
START_TIMEOUT = 180.0  # a JVM start and the storage format, on a shared 2-core machine
JOB_TIMEOUT = 240.0
PINS = ("kafka",)
HEAP = "-Xmx1G -Xms1G"  # kafka-server-start.sh's default KAFKA_HEAP_OPTS
# bin/*.sh of the distribution -> the class kafka-run-class.sh runs
TOOLS = {
    "kafka-topics.sh": "org.apache.kafka.tools.TopicCommand",
    "kafka-configs.sh": "kafka.admin.ConfigCommand",
    "kafka-console-producer.sh": "org.apache.kafka.tools.ConsoleProducer",
    "kafka-console-consumer.sh": "org.apache.kafka.tools.consumer.ConsoleConsumer",
}
LOG4J2 = """Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
"""
START_SCRIPT = r"""
set -eu
if [[ -n "${KAFKA_PROCESS_ROLES-}" ]]; then
  [[ -n "${CLUSTER_ID-}" ]] || { echo "CLUSTER_ID environment variable not set"; exit 1; }
fi
if [[ -z "${KAFKA_LISTENERS-}" && "${KAFKA_PROCESS_ROLES-}" != controller \
      && -n "${KAFKA_ADVERTISED_LISTENERS-}" ]]; then
  export KAFKA_LISTENERS=$(echo "$KAFKA_ADVERTISED_LISTENERS" | sed -e 's|://[^:]*:|://0.0.0.0:|g')
fi
export CLUSTER_ID="${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}"
java -cp "$SANDBOX_KAFKA_LIB/*" kafka.docker.KafkaDockerWrapper setup --default-configs-dir "$SANDBOX_KAFKA_DEFAULTS" \
  --mounted-configs-dir "$SANDBOX_KAFKA_MOUNTED" --final-configs-dir "$SANDBOX_KAFKA_FINAL"
echo "===> server.properties written"
exec java $SANDBOX_JAVA_HEAP -Dlog4j2.configurationFile="$SANDBOX_KAFKA_FINAL/log4j2.yaml" \
  -cp "$SANDBOX_KAFKA_LIB/*" kafka.Kafka \
  "$SANDBOX_KAFKA_FINAL/server.properties"
"""


def is_broker_pod(container: Container) -> bool:
    """The apache/kafka image run by its own entrypoint in a long-running workload (a Job is a client)."""
    return (split_image(container.image)[0] == IMAGE and not container.command
            and not container.owner.startswith(("Job/", "CronJob/")))


def tool_bin(home: Path) -> tuple[Path, Path]:
    """A bin directory of the distribution's tool scripts for the installed jars, and the jar directory."""
    lib = require_program("kafka") / "lib"
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, main in TOOLS.items():
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nexec java -Xmx256M -cp "{lib}/*" {main} "$@"\n', encoding="utf-8")
        script.chmod(0o755)
    return bin_dir, lib


@dataclass(frozen=True)
class Topic:
    name: str
    user: Container
    source: str  # the contract fact's source, spelt out
    env: str  # the env naming it, or empty for a fixed name


def contract_topics(overlay: Overlay) -> list[Topic]:
    """Every topic a container of the overlay produces or consumes according to its image contract."""
    found: list[Topic] = []
    for container, contract, mode in held_modes(overlay.containers, overlay.catalog, overlay.contracts):
        kafka = mode.kafka
        for fact in [*kafka.produces, *kafka.consumes]:
            name = container.env.get(fact.env, fact.topic) if fact.env else fact.topic
            found.append(Topic(name, container, contract.cite(fact.source), fact.env or ""))
    return found


def _env_of(prop: str, env: dict[str, str]) -> str:
    """The KAFKA_* variable a server.properties key came from (the wrapper's translation, undone for naming)."""
    flat = re.sub(r"[._-]", "", prop)
    return next((name for name in env if name.startswith("KAFKA_")
                 and re.sub(r"_", "", name.removeprefix("KAFKA_").lower()) == flat), prop)


def checks(overlay: Overlay, container: Container, sandbox: Sandbox) -> Iterator[Check]:
    component = container.workload
    relocation = Relocation(sandbox.root / component, container.mounts)
    home = relocation.home
    bin_dir, lib = tool_bin(home)
    for name in ("defaults", "mounted", "final"):
        (home / name).mkdir(parents=True, exist_ok=True)
    for name in ("log4j2.yaml", "tools-log4j2.yaml"):
        (home / "defaults" / name).write_text(LOG4J2, encoding="utf-8")
    (home / "defaults" / "server.properties").write_text("", encoding="utf-8")
    for mount in container.mounts:
        relocation.path(mount).mkdir(parents=True, exist_ok=True)
    (home / "start.sh").write_text(START_SCRIPT, encoding="utf-8")
    give_to(home, container.run_as_user)
    env = sandbox.environment({
        **{k: relocation.text(v) for k, v in container.env.items()},
        "SANDBOX_KAFKA_LIB": str(lib), "SANDBOX_KAFKA_DEFAULTS": str(home / "defaults"),
        "SANDBOX_KAFKA_MOUNTED": str(home / "mounted"),
        "SANDBOX_KAFKA_FINAL": str(home / "final"),
        "SANDBOX_JAVA_HEAP": HEAP,  # not KAFKA_*: the wrapper would make every such variable a setting
    }, [bin_dir])
    host = overlay.service_of(component)
    port = container.ports.get("kafka", 9092)
    process = sandbox.spawn(component, ["bash", str(home / "start.sh")], env, user=container.run_as_user)
    name = "the broker starts from the generated env (KafkaDockerWrapper setup, then kafka.Kafka)"
    try:
        sandbox.wait_port(host, port, START_TIMEOUT, process)
    except WaitTimeout as error:
        yield failed(component, name, f"{container.where} env: {error}")
        return
    yield passed(component, name)
    client_env = sandbox.environment({}, [bin_dir])
    bootstrap = f"{host}:{port}"
    yield from _settings(container, sandbox, client_env, bootstrap, home / "final" / "server.properties")
    yield from probe_checks(container, sandbox, env)
    job = overlay.container("kafka-topics", "Job")
    if job is not None:
        yield _topic_job(job, sandbox, bin_dir, relocation)
    yield from _topics(overlay, sandbox, client_env, bootstrap)


def _settings(container: Container, sandbox: Sandbox, env: dict[str, str], bootstrap: str,
              properties: Path) -> Iterator[Check]:
    """Each line the wrapper wrote is a setting the broker knows, with the value it was given."""
    broker = container.env.get("KAFKA_NODE_ID", "1")
    result = sandbox.run(["kafka-configs.sh", "--bootstrap-server", bootstrap, "--entity-type", "brokers",
                          "--entity-name", broker, "--describe", "--all"], env=env, timeout=90.0)
    known: dict[str, str] = {}
    for line in result.stdout.splitlines():
        match = re.match(r"\s+([a-z0-9._-]+)=(.*?) sensitive=", line)
        if match:
            known[match.group(1)] = match.group(2)
    if result.returncode != 0 or not known:
        yield failed(container.workload, "the broker describes its configuration",
                     f"kafka-configs --describe --all: {(result.stderr.strip().splitlines() or ['no output'])[-1]}")
        return
    for line in properties.read_text(encoding="utf-8").splitlines():
        if "=" not in line or line.startswith("#"):
            continue
        key, value = line.split("=", 1)
        field = _env_of(key, container.env)
        check = f"env {field} is broker setting {key}={value}"
        if known.get(key, "null") == "null" and value:  # a name the broker does not define reads as null
            yield failed(container.workload, check, f"{container.where} env {field}: becomes {key}, which the "
                         f"broker does not know: it reports {key}={known.get(key, '(nothing)')} "
                         "(kafka-configs --describe --all)")
        elif known[key] != value and key not in ("log.dirs",):
            yield failed(container.workload, check,
                         f"{container.where} env {field}: the broker has {key}={known[key]}")
        else:
            yield passed(container.workload, check)


def _topic_job(job: Container, sandbox: Sandbox, bin_dir: Path, relocation: Relocation) -> Check:
    name = f"{job.owner} script runs to completion"
    env = sandbox.environment({k: relocation.text(v) for k, v in job.env.items()}, [bin_dir])
    argv = [relocation.text(word) for word in job.argv]
    result = sandbox.run(argv, env=env, user=job.run_as_user, timeout=JOB_TIMEOUT)
    if result.returncode == 0:
        return passed(job.workload, name)
    why = "timed out" if result.timed_out else f"exit code {result.returncode}"
    lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    return failed(job.workload, name, f"{job.where} command: {why}" + (f": {lines[-1].strip()}" if lines else ""))


def _topics(overlay: Overlay, sandbox: Sandbox, env: dict[str, str], bootstrap: str) -> Iterator[Check]:
    listed = sandbox.run(["kafka-topics.sh", "--bootstrap-server", bootstrap, "--list"], env=env, timeout=90.0)
    existing = {line.strip() for line in listed.stdout.splitlines() if line.strip()}
    seen: set[str] = set()
    wanted = contract_topics(overlay)
    for topic in wanted:
        if topic.name in seen:
            continue
        seen.add(topic.name)
        name = f"topic {topic.name} exists (needed by {topic.user.owner})"
        field = f" env {topic.env}" if topic.env else ""
        yield passed("kafka-topics", name) if topic.name in existing else failed(
            "kafka-topics", name, f"{topic.user.where}{field}: topic {topic.name} does not exist after the topic "
            f"Job ran; the broker has {sorted(existing)} [contract source {topic.source}]")
    if wanted and wanted[0].name in existing:
        yield _round_trip(sandbox, env, bootstrap, wanted[0].name)


def _round_trip(sandbox: Sandbox, env: dict[str, str], bootstrap: str, topic: str) -> Check:
    name = f"a message produced to {topic} is consumed back"
    message = "rosgit-conformance-round-trip"
    produced = sandbox.run(["kafka-console-producer.sh", "--bootstrap-server", bootstrap, "--topic", topic],
                           env=env, input_text=message + "\n", timeout=90.0)
    consumed = sandbox.run(["kafka-console-consumer.sh", "--bootstrap-server", bootstrap, "--topic", topic,
                            "--from-beginning", "--max-messages", "1", "--timeout-ms", "60000"], env=env,
                           timeout=90.0)
    if produced.returncode == 0 and message in consumed.stdout:
        return passed("kafka", name)
    return failed("kafka", name, f"produce exit {produced.returncode}, consumed {consumed.stdout.strip()!r}: "
                  f"{(consumed.stderr.strip().splitlines() or [''])[-1]}")

