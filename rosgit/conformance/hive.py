"""Hive metastore 3.1.3: the standalone metastore of the same release (Maven) stands in for the metastore service of
quay.io/insights-onprem/hive:3.1.3 (a copy of apache/hive:3.1.3), started as that image's entrypoint starts it
with the pod's generated env (apache/hive@1592b744 packaging/src/docker/entrypoint.sh, read, not copied):
DB_DRIVER defaults to derby; unless IS_RESUME is true, `schematool -dbType $DB_DRIVER -initSchema` (Hive < 4);
HADOOP_CLIENT_OPTS gains `-Xmx1G $SERVICE_OPTS`; SERVICE_NAME=metastore runs the metastore on METASTORE_PORT
(9083), any other value starts nothing. The image's conf/hive-site.xml (apache/hive@357714ab packaging/src/docker/
conf/hive-site.xml) sets no JDBC settings, so the metastore uses embedded Derby in derby.system.home; of that
file the metastore reads hive.metastore.warehouse.dir, which the sandbox's conf repeats (adjust.IMAGE_FILES).
METASTORE_DB_* env is read by no part of this image (see rosgit/contracts/data/hive-metastore.yaml).
"""

from __future__ import annotations

from collections.abc import Iterator

from rosgit.conformance.adjust import IMAGE_FILES, POD_TMP, Relocation
from rosgit.conformance.overlay import Overlay
from rosgit.conformance.pod import Container
from rosgit.conformance.probes import probe_checks
from rosgit.conformance.result import Check, WaitTimeout, failed, passed
from rosgit.conformance.sandbox import Sandbox, give_to
from rosgit.kustomize import split_image
from rosgit.tools import require_program

IMAGE = "quay.io/insights-onprem/hive"
PINS = ("hive-metastore", "hadoop-common", "hadoop-mapreduce")
DISTRIBUTION = "apache-hive-metastore-3.1.3-bin"
SCHEMA_TOOL = "org.apache.hadoop.hive.metastore.tools.MetastoreSchemaTool"
METASTORE = "org.apache.hadoop.hive.metastore.HiveMetaStore"
SCHEMA_TIMEOUT = 180.0
NO_SERVICE = ": no service to start"  # START_SCRIPT's last line when SERVICE_NAME names no service
START_TIMEOUT = 180.0

# The entrypoint's steps for the metastore service, as a bash driver run as the pod's user.
START_SCRIPT = r"""
set -u
DB_DRIVER="${DB_DRIVER:-derby}"
CP="$SANDBOX_HIVE_CONF:$SANDBOX_HIVE_HOME/lib/*:$SANDBOX_HADOOP_LIB/*"
HADOOP_CLIENT_OPTS="${HADOOP_CLIENT_OPTS:-} -Xmx1G ${SERVICE_OPTS:-}"
if [[ "${IS_RESUME:-false}" == "false" ]]; then
  java $HADOOP_CLIENT_OPTS -cp "$CP" "$SANDBOX_SCHEMA_TOOL" -dbType "$DB_DRIVER" "-${SCHEMA_COMMAND:-initSchema}" \
    || { echo "Schema initialization failed!"; exit 1; }
  echo "Initialized schema successfully.."
fi
if [[ "${SERVICE_NAME:-}" == "metastore" ]]; then
  export METASTORE_PORT="${METASTORE_PORT:-9083}"
  exec java $HADOOP_CLIENT_OPTS -cp "$CP" "$SANDBOX_METASTORE" -p "$METASTORE_PORT"
fi
echo "SERVICE_NAME=${SERVICE_NAME:-}: no service to start"
"""


def is_metastore_pod(container: Container) -> bool:
    return split_image(container.image)[0] == IMAGE and not container.command


def _hive_site(warehouse: str) -> str:
    return ("<?xml version=\"1.0\"?>\n<configuration>\n  <property><name>hive.metastore.warehouse.dir</name>"
            f"<value>{warehouse}</value></property>\n</configuration>\n")


def checks(_overlay: Overlay, container: Container, sandbox: Sandbox) -> Iterator[Check]:
    yield from start(container, sandbox)
    yield from probe_checks(container, sandbox, container.env)


def start(container: Container, sandbox: Sandbox) -> Iterator[Check]:
    """Start the metastore; one check (started, or why not). Raises nothing: a failed start is a failed check."""
    relocation = Relocation(sandbox.root / container.workload, (*container.mounts, POD_TMP))
    home = relocation.home
    for mount in (*container.mounts, POD_TMP):
        relocation.path(mount).mkdir(parents=True, exist_ok=True)
    conf = home / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    warehouse = relocation.path(IMAGE_FILES["hive.metastore.warehouse.dir"])
    warehouse.mkdir(parents=True, exist_ok=True)
    (conf / "hive-site.xml").write_text(_hive_site(str(warehouse)), encoding="utf-8")
    (home / "start.sh").write_text(START_SCRIPT, encoding="utf-8")
    give_to(home, container.run_as_user)
    installed = require_program("hive-metastore")
    env = sandbox.environment(
        {**{k: relocation.text(v) for k, v in container.env.items()},
         "SANDBOX_HIVE_CONF": str(conf), "SANDBOX_HIVE_HOME": str(installed / DISTRIBUTION),
         "METASTORE_HOME": str(installed / DISTRIBUTION), "SANDBOX_HADOOP_LIB": str(installed / "lib"),
         "SANDBOX_SCHEMA_TOOL": SCHEMA_TOOL, "SANDBOX_METASTORE": METASTORE})  # the machine's java (17), as Kafka
    process = sandbox.spawn(container.workload, ["bash", str(home / "start.sh")], env, user=container.run_as_user,
                            cwd=home)
    port = container.ports.get("thrift", 9083)
    name = f"the metastore starts with the generated env (SERVICE_NAME, IS_RESUME, SERVICE_OPTS) on port {port}"
    try:
        sandbox.wait_port("127.0.0.1", port, SCHEMA_TIMEOUT + START_TIMEOUT, process)
    except WaitTimeout as error:
        log = process.log.read_text(encoding="utf-8", errors="replace")
        field = (f"env SERVICE_NAME {container.env.get('SERVICE_NAME', '(unset)')}: the image's entrypoint starts no "
                 f"service for it (only metastore or hiveserver2)") if NO_SERVICE in log else "env"
        yield failed(container.workload, name, f"{container.where} {field}: {error}")
        return
    yield passed(container.workload, name)
    log = process.log.read_text(encoding="utf-8", errors="replace")
    if container.env.get("IS_RESUME", "false") == "false":
        schema = f"schematool -dbType {container.env.get('DB_DRIVER', 'derby')} -initSchema succeeds"
        yield passed(container.workload, schema) if "Initialized schema successfully.." in log else failed(
            container.workload, schema, f"{container.where} env IS_RESUME: the schema step did not succeed")
