"""Hive metastore 3.1.3: the standalone metastore of that release (Maven) with the PostgreSQL driver and Hadoop's S3
jars beside it, as Koku's ubi-hive image links them into its lib (RedHatInsights/ubi-hive@2f89bfbe Dockerfile),
started as that image's entrypoint starts it (default/scripts/entrypoint.sh, read, not copied): `schematool -dbType
postgres -info`, and only when that fails `-initSchema`; then the metastore. Both read metastore-site.xml from
METASTORE_CONF_DIR (the generated ConfigMap file) and resolve its `${env.NAME}` from the pod's env (Hadoop's
Configuration). The schema goes into the database the file's javax.jdo.option.ConnectionURL names, served by the
real PostgreSQL started from that database's pod.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rosgit.conformance import minio, postgresql
from rosgit.conformance.adjust import Relocation
from rosgit.conformance.overlay import Overlay
from rosgit.conformance.pod import Container
from rosgit.conformance.probes import probe_checks
from rosgit.conformance.result import Check, WaitTimeout, failed, passed
from rosgit.conformance.sandbox import Sandbox, give_to
from rosgit.kustomize import split_image
from rosgit.tools import require_program

IMAGE = "quay.io/redhat-services-prod/cost-mgmt-dev-tenant/ubi-hive"
PINS = ("hive-metastore", "hadoop-common", "hadoop-mapreduce", "postgresql-jdbc", "hadoop-aws", *postgresql.PINS,
        *minio.PINS)
DISTRIBUTION = "apache-hive-metastore-3.1.3-bin"
SCHEMA_TOOL = "org.apache.hadoop.hive.metastore.tools.MetastoreSchemaTool"
METASTORE = "org.apache.hadoop.hive.metastore.HiveMetaStore"
CONF_ENV = "METASTORE_CONF_DIR"
SITE = "metastore-site.xml"
SCHEMA_TIMEOUT = 180.0
START_TIMEOUT = 180.0
CREATED = "Hive metastore schema created."
VERIFIED = "Hive metastore schema verified."

# The entrypoint's steps, as a bash driver run as the pod's user (java -cp: no Hadoop installation here).
START_SCRIPT = r"""
set -u
CP="$METASTORE_CONF_DIR:$SANDBOX_HIVE_HOME/lib/*:$SANDBOX_HADOOP_LIB/*"
OPTS="${HADOOP_OPTS:-} ${VM_OPTIONS:-} ${GC_SETTINGS:-}"
if java $OPTS -cp "$CP" "$SANDBOX_SCHEMA_TOOL" -dbType postgres -info -verbose; then
  echo "Hive metastore schema verified."
else
  if java $OPTS -cp "$CP" "$SANDBOX_SCHEMA_TOOL" -dbType postgres -initSchema -verbose; then
    echo "Hive metastore schema created."
  else
    echo "Error creating hive metastore: $?"
  fi
fi
exec java $OPTS -cp "$CP" "$SANDBOX_METASTORE"
"""


def is_metastore_pod(container: Container) -> bool:
    return split_image(container.image)[0] == IMAGE and not container.command


def site_settings(container: Container) -> dict[str, str]:
    """name -> value of the metastore-site.xml in the pod's METASTORE_CONF_DIR."""
    text = container.files.get(container.env.get(CONF_ENV, ""), {}).get(SITE, "")
    return {m.group(1): m.group(2).strip() for m in
            re.finditer(r"<name>([^<]+)</name>\s*<value>([^<]*)</value>", text)}


def thrift_port(container: Container) -> int:
    return int(site_settings(container).get("metastore.thrift.port", container.ports.get("thrift", 8000)))


def database_host(container: Container) -> str:
    url = site_settings(container).get("javax.jdo.option.ConnectionURL", "")
    match = re.match(r"jdbc:postgresql://([^:/?]+)", url)
    return match.group(1).split(".")[0] if match else ""


def database_pod(overlay: Overlay, container: Container) -> Container | None:
    host = database_host(container)
    return next((c for c in overlay.containers if postgresql.is_database_pod(c)
                 and overlay.service_of(c.workload) == host), None)


def checks(overlay: Overlay, container: Container, sandbox: Sandbox) -> Iterator[Check]:
    """Its database pod's PostgreSQL and the overlay's MinIO (the metastore makes the default database's
    directory in its S3 warehouse as it starts), then the metastore on them, then its probes."""
    pod = database_pod(overlay, container)
    if pod is None:
        where = f"{container.where} ConfigMap file {container.env.get(CONF_ENV)}/{SITE}"
        yield failed(container.workload, "its database pod exists",
                     f"{where} javax.jdo.option.ConnectionURL: no database pod serves {database_host(container)!r}")
        return
    started, db = postgresql.start_check(pod, sandbox, overlay.service_of(pod.workload))
    yield started
    if db is None:
        return
    storage = next((c for c in overlay.containers if minio.is_server_pod(c)), None)
    if storage is not None:
        yield from minio.checks(overlay, storage, sandbox)
    yield from start(container, sandbox)
    yield from probe_checks(container, sandbox, container.env)


def database_beside(db: postgresql.RunningDatabase, pod: Container) -> Check:
    """Create `pod`'s user and database (its sclorg POSTGRESQL_* env) on the running server of another database pod
    listening on the same port, as that pod's own init would on its server (adjust.SHARED_DATABASE_SERVER)."""
    user, database = pod.env.get("POSTGRESQL_USER", ""), pod.env.get("POSTGRESQL_DATABASE", "")
    password = pod.env.get("POSTGRESQL_PASSWORD", "").replace("'", "''")
    name = f"{pod.workload}'s user {user} and database {database} exist (its POSTGRESQL_* env, on {db.host}'s server)"
    for sql, on in ((f"CREATE ROLE \"{user}\" LOGIN PASSWORD '{password}'", "postgres"),
                    (f"CREATE DATABASE \"{database}\" OWNER \"{user}\"", "postgres")):
        ok, output = db.admin(sql, on)
        if not ok and "already exists" not in output:
            return failed(pod.workload, name, f"{pod.where} env POSTGRESQL_USER/POSTGRESQL_DATABASE: {output}")
    return passed(pod.workload, name)


def start(container: Container, sandbox: Sandbox) -> Iterator[Check]:
    """Start the metastore on its (running) database: the start, the schema step, and a second `schematool -info`
    (what the entrypoint of a restarted pod runs) finding the schema. Raises nothing: a failure is a failed check."""
    # the ConfigMap's mount path moves too: METASTORE_CONF_DIR names it
    relocation = Relocation(sandbox.root / container.workload, (*container.mounts, *container.files))
    home = relocation.home
    for mount in container.mounts:
        relocation.path(mount).mkdir(parents=True, exist_ok=True)
    relocation.place(container.files)
    (home / "start.sh").write_text(START_SCRIPT, encoding="utf-8")
    give_to(home, container.run_as_user)
    # the classpath directory whose stamp holds every pin of it (the driver and hadoop-aws among them)
    installed = require_program("hadoop-aws")
    env = sandbox.environment(
        {**{k: relocation.text(v) for k, v in container.env.items()},
         "SANDBOX_HIVE_HOME": str(installed / DISTRIBUTION), "METASTORE_HOME": str(installed / DISTRIBUTION),
         "SANDBOX_HADOOP_LIB": str(installed / "lib"),
         "SANDBOX_SCHEMA_TOOL": SCHEMA_TOOL, "SANDBOX_METASTORE": METASTORE})  # the machine's java (17), as Kafka
    process = sandbox.spawn(container.workload, ["bash", str(home / "start.sh")], env, user=container.run_as_user,
                            cwd=home)
    port = thrift_port(container)
    conf = f"{container.env.get(CONF_ENV)}/{SITE}"
    name = f"the metastore starts with the generated {conf} and env on port {port}"
    try:
        sandbox.wait_port("127.0.0.1", port, SCHEMA_TIMEOUT + START_TIMEOUT, process)
    except WaitTimeout as error:
        log = process.log.read_text(encoding="utf-8", errors="replace")
        cause = next((line.strip() for line in log.splitlines() if "Exception:" in line or "FATAL" in line), "")
        yield failed(container.workload, name, f"{container.where} ConfigMap file {conf}: {error}"
                     + (f"; {cause}" if cause else ""))
        return
    yield passed(container.workload, name)
    log = process.log.read_text(encoding="utf-8", errors="replace")
    url = site_settings(container).get("javax.jdo.option.ConnectionURL", "")
    schema = f"schematool -info, else -initSchema, puts the schema into {url}"
    yield passed(container.workload, schema) if CREATED in log or VERIFIED in log else failed(
        container.workload, schema, f"{container.where} ConfigMap file {conf} javax.jdo.option.*: the schema step "
        "did not succeed")
    cp = f"{relocation.path(container.env.get(CONF_ENV, ''))}:{installed / DISTRIBUTION}/lib/*:{installed}/lib/*"
    again = sandbox.run(["java", "-cp", cp, SCHEMA_TOOL, "-dbType", "postgres", "-info"], env=env,
                        user=container.run_as_user, timeout=SCHEMA_TIMEOUT)
    restart = "a restarted pod finds the schema (schematool -info succeeds: no second -initSchema)"
    yield passed(container.workload, restart) if again.returncode == 0 else failed(
        container.workload, restart, f"{container.where} ConfigMap file {conf}: schematool -info exit code "
        f"{again.returncode}")
