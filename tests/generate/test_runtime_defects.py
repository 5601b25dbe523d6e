"""Runtime defects of issue 10: facts the programs read at start, checked on the built overlays.

Each expectation names the upstream source it comes from; the overlays are built with the builtin engine
(byte-identical to kustomize, see tests/kustomize), so these run without the pinned tools.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.catalog.profiles import resolve_profile
from rosgit.k8s.podspec import PodTemplate, pod_template_of, pod_templates
from rosgit.quantity import bytes_of, millicores
from tests.conftest import REPO_ROOT

Obj = dict[str, Any]
OVERLAYS = ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]
KUBERNETES = [o for o in OVERLAYS if not o.startswith("openshift-")]
OPENSHIFT = [o for o in OVERLAYS if o.startswith("openshift-")]
CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")


@cache
def built(overlay: str) -> tuple[Obj, ...]:
    return tuple(build_objects(REPO_ROOT / "overlays" / overlay))


def objects_of(overlay: str, kind: str) -> dict[str, Obj]:
    return {o["metadata"]["name"]: o for o in built(overlay) if o["kind"] == kind}


def template(overlay: str, name: str) -> PodTemplate:
    matches = [t for t in pod_templates(list(built(overlay))) if t.name == name]
    assert len(matches) == 1, f"{overlay}: no single workload {name}"
    return matches[0]


def main_container(pod: PodTemplate) -> Obj:
    container: Obj = pod.spec["containers"][0]
    return container


def literal_env(container: Obj) -> dict[str, str]:
    return {var["name"]: var["value"] for var in container.get("env", []) if "value" in var}


def resolved_env(overlay: str, container: Obj) -> dict[str, str]:
    """Literal values plus those read from ConfigMaps of the overlay."""
    config_maps = objects_of(overlay, "ConfigMap")
    values = literal_env(container)
    for var in container.get("env", []):
        ref = var.get("valueFrom", {}).get("configMapKeyRef")
        if ref is not None:
            values[var["name"]] = config_maps[ref["name"]]["data"][ref["key"]]
    return values


def container_port(container: Obj, ref: str | int) -> int:
    for port in container.get("ports", []):
        if ref in (port.get("name"), port["containerPort"]):
            return int(port["containerPort"])
    raise AssertionError(f"container {container['name']} declares no port {ref!r}")


# ---------------------------------------------------------------- 1. Kruize starts
# kruize/autotune@c671ae30 src/main/java/com/autotune/operator/InitializeDeployment.java:55-58: without
# monitoringendpoint (or monitoringagent + monitoringservice) it throws MonitoringAgentNotFoundException and
# Autotune.java:181 calls System.exit(1). KruizeHibernateUtil.java:51-59 passes the nine hibernate_* settings
# (names: KruizeConstants.java:761-769) to Hibernate; values of insights-onprem/cost-onprem-chart@42f34282
# cost-onprem/values.yaml:477-485 (templates/kruize/deployment.yaml).
KRUIZE_HIBERNATE = {
    "hibernate_dialect": "org.hibernate.dialect.PostgreSQLDialect",
    "hibernate_driver": "org.postgresql.Driver",
    "hibernate_c3p0minsize": "2",
    "hibernate_c3p0maxsize": "5",
    "hibernate_c3p0timeout": "300",
    "hibernate_c3p0maxstatements": "100",
    "hibernate_hbm2ddlauto": "none",
    "hibernate_showsql": "false",
    "hibernate_timezone": "UTC",
}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kruize_has_a_monitoring_endpoint(overlay: str) -> None:
    env = literal_env(main_container(template(overlay, "kruize")))
    assert env.get("monitoringendpoint"), "kruize exits 1 at start without monitoringendpoint"
    assert env.get("monitoringservice")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kruize_has_the_nine_hibernate_settings(overlay: str) -> None:
    env = literal_env(main_container(template(overlay, "kruize")))
    assert {name: env.get(name) for name in KRUIZE_HIBERNATE} == KRUIZE_HIBERNATE


# ---------------------------------------------------------------- 2. pg_stat_statements before migrations
# project-koku/koku@d8055ac2 koku/api/migrations/0055_install_pg_stat_statements.py runs
# `create extension if not exists pg_stat_statements` as the Koku user; the extension is not trusted, so a
# superuser must create it first. sclorg/postgresql-container@134bb39 16/root/usr/bin/run-postgresql sources
# postgresql-init/*.sh *before* create_users makes POSTGRESQL_DATABASE, and postgresql-start/*.sh after it,
# on every start, while the server listens on the local socket only (pg_ctl start -o "-h ''").
START_HOOKS = "/opt/app-root/src/postgresql-start"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_koku_db_creates_pg_stat_statements_as_superuser_in_the_koku_database(overlay: str) -> None:
    pod = template(overlay, "koku-db")
    container = main_container(pod)
    env = literal_env(container)
    mounted = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
    config_maps = objects_of(overlay, "ConfigMap")
    scripts = []
    for volume in pod.spec.get("volumes", []):
        if "configMap" in volume and mounted.get(volume["name"]) == START_HOOKS:
            data = config_maps[volume["configMap"]["name"]]["data"]
            scripts += [text for key, text in data.items() if key.endswith(".sh")]
    assert scripts, f"koku-db mounts no start hook at {START_HOOKS}"
    script = "\n".join(scripts)
    assert "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" in script
    database = re.search(r'--dbname[= ]"?\$?\{?([A-Za-z_]+)\}?"?', script)
    assert database is not None, "the script must connect to the Koku database, not postgres"
    assert env.get(database.group(1), database.group(1)) == env["POSTGRESQL_DATABASE"] == "koku"


# ---------------------------------------------------------------- 3. ROS metrics port, Kruize metrics path
# RedHatInsights/ros-ocp-backend@ae8c990b internal/config/config.go:208: with Clowder off PROMETHEUS_PORT
# defaults to 5005; internal/utils/utils.go:314-323 (processor, poller) and internal/api/server.go:47-52
# (api) serve /metrics there. cmd/start.go: the housekeeper serves no metrics.
ROS_METRICS_DEFAULT = "5005"
# kruize/autotune@c671ae30 src/main/java/com/autotune/utils/ServerContext.java:30, Autotune.java:301-305.
KRUIZE_METRICS_PATH = "/metrics"


def ros_metrics_port(container: Obj) -> int:
    return int(literal_env(container).get("PROMETHEUS_PORT", ROS_METRICS_DEFAULT))


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("name", ["rosocp-api", "rosocp-processor", "rosocp-recommendation-poller"])
def test_ros_metrics_probes_and_ports_hit_prometheus_port(overlay: str, name: str) -> None:
    container = main_container(template(overlay, name))
    served = ros_metrics_port(container)
    assert container_port(container, "metrics") == served
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(kind, {}).get("httpGet")
        if probe is not None and probe["path"] == "/metrics":
            assert container_port(container, probe["port"]) == served, f"{kind} of {name}"


def monitored_port(overlay: str, monitor: Obj) -> tuple[Obj, int]:
    """The container and the container port a ServiceMonitor endpoint scrapes, through its Service."""
    service = objects_of(overlay, "Service")[monitor["metadata"]["name"]]
    (endpoint,) = monitor["spec"]["endpoints"]
    (service_port,) = [p for p in service["spec"]["ports"] if p["name"] == endpoint["port"]]
    selector = service["spec"]["selector"]
    for obj in built(overlay):
        pod = pod_template_of(obj)
        if pod is not None and all(pod.labels.get(k) == v for k, v in selector.items()):
            container = main_container(pod)
            return container, container_port(container, service_port["targetPort"])
    raise AssertionError(f"Service {service['metadata']['name']} selects no pod")


@pytest.mark.parametrize("overlay", OPENSHIFT)
def test_service_monitors_scrape_what_the_programs_serve(overlay: str) -> None:
    monitors = objects_of(overlay, "ServiceMonitor")
    for name in ("rosocp-api", "rosocp-processor", "rosocp-recommendation-poller"):
        container, port = monitored_port(overlay, monitors[name])
        assert port == ros_metrics_port(container), f"ServiceMonitor {name} scrapes {port}"
        assert monitors[name]["spec"]["endpoints"][0]["path"] == "/metrics"


@pytest.mark.parametrize("overlay", OPENSHIFT)
def test_kruize_service_monitor_scrapes_the_path_kruize_serves(overlay: str) -> None:
    monitor = objects_of(overlay, "ServiceMonitor")["kruize"]
    assert [e["path"] for e in monitor["spec"]["endpoints"]] == [KRUIZE_METRICS_PATH]


# ---------------------------------------------------------------- 4. OpenShift S3
# noobaa/noobaa-operator@2583ea7a deploy/internal/service-s3.yaml: Service s3 maps 443 to pod port 6443;
# NetworkPolicy ports are pod ports (k8s.io/api networking/v1 NetworkPolicyPort).
NOOBAA_HTTPS_POD_PORT = 6443
STORAGE_NAMESPACE = {"kubernetes.io/metadata.name": "openshift-storage"}


# Programs that read or write the buckets (insights-ingress-go stages uploads, ROS downloads them, Koku's
# listener and workers process them, Trino and the metastore read and write Parquet).
S3_CLIENTS = {
    "ingress",
    "rosocp-processor",
    "koku-listener",
    "koku-worker-ocp",
    "trino-coordinator",
    "hive-metastore",
}


@pytest.mark.parametrize("overlay", OPENSHIFT)
def test_egress_to_noobaa_allows_its_pod_port(overlay: str) -> None:
    reaching: dict[str, set[int]] = {}
    for policy in objects_of(overlay, "NetworkPolicy").values():
        selected = policy["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for rule in policy["spec"].get("egress", []):
            peers = [peer.get("namespaceSelector", {}).get("matchLabels") for peer in rule["to"]]
            if STORAGE_NAMESPACE in peers:
                reaching.setdefault(selected, set()).update(port["port"] for port in rule.get("ports", []))
    assert set(reaching) >= S3_CLIENTS
    assert {name: ports for name, ports in reaching.items() if NOOBAA_HTTPS_POD_PORT not in ports} == {}


# insights-onprem/cost-onprem-chart@42f34282 templates/ingress/deployment.yaml:102-105 and
# templates/ros/processor/deployment.yaml:105-108: the Go clients need the service CA (x509: unknown
# authority otherwise) besides the system roots. Go's crypto/x509 (root_unix.go, go1.20+: loadSystemRoots)
# reads the first system bundle file unless SSL_CERT_FILE replaces it, then every file of the SSL_CERT_DIR
# directories: SSL_CERT_DIR=<service CA dir> adds the CA and keeps the system roots.
GO_S3_CLIENTS = ["ingress", "rosocp-processor"]


@pytest.mark.parametrize("overlay", OPENSHIFT)
@pytest.mark.parametrize("name", GO_S3_CLIENTS)
def test_go_clients_trust_the_service_ca_and_the_system_roots(overlay: str, name: str) -> None:
    pod = template(overlay, name)
    container = main_container(pod)
    service_ca_volumes = {
        v["name"] for v in pod.spec.get("volumes", []) if v.get("configMap", {}).get("name") == "service-ca"
    }
    ca_dirs = {m["mountPath"] for m in container.get("volumeMounts", []) if m["name"] in service_ca_volumes}
    assert ca_dirs, f"{name} mounts no service CA"
    env = literal_env(container)
    assert "SSL_CERT_FILE" not in env, "SSL_CERT_FILE to the bare service CA would drop the system roots"
    assert ca_dirs & set(env.get("SSL_CERT_DIR", "").split(":")), (
        f"{name}: SSL_CERT_DIR={env.get('SSL_CERT_DIR')}"
    )


# insights-onprem/cost-onprem-chart@881175b5: an S3_ENDPOINT with the default port :443 breaks pre-signed
# URL signatures between botocore (Koku) and Go clients, which omit default ports in the Host header.
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_koku_s3_endpoint_has_no_default_port(overlay: str) -> None:
    endpoint = resolved_env(overlay, main_container(template(overlay, "koku-api-reads")))["S3_ENDPOINT"]
    scheme, _, rest = endpoint.partition("://")
    assert not rest.endswith({"https": ":443", "http": ":80"}[scheme]), endpoint


# ---------------------------------------------------------------- 5. Kubernetes: verifiable non-root users
# Images whose USER is a name, or root: kubelet cannot verify runAsNonRoot without a numeric runAsUser
# ("cannot verify user is non-root"), or refuses root. project-koku/koku@d8055ac2 Dockerfile:69-71
# (`adduser koku -u 1000 -g 0`, `USER koku`); trinodb/trino (`USER trino:trino`, uid 1000);
# apache/kafka docker/jvm/Dockerfile (`USER appuser`); ubi9/ubi-minimal, redis, minio, mc: no USER (root).
NAMED_OR_ROOT_USER = {"koku", "trino", "hive-metastore", "kafka", "wait", "redis", "minio", "minio-client"}


def effective(pod: PodTemplate, container: Obj, field: str) -> Any:
    return container.get("securityContext", {}).get(field, pod.spec.get("securityContext", {}).get(field))


@pytest.mark.parametrize("overlay", KUBERNETES)
def test_kubernetes_containers_of_named_user_images_run_as_a_numeric_uid(overlay: str) -> None:
    images = {str(CATALOG.images[key]) for key in NAMED_OR_ROOT_USER}
    unverifiable = []
    for pod in pod_templates(list(built(overlay))):
        for container in pod.containers():
            uid = effective(pod, container, "runAsUser")
            if container["image"] in images and not (isinstance(uid, int) and uid > 0):
                unverifiable.append(f"{pod.name}/{container['name']}")
    assert unverifiable == []


@pytest.mark.parametrize("overlay", KUBERNETES)
def test_koku_pods_run_as_the_image_user_and_group(overlay: str) -> None:
    # koku's APP_HOME is only group-writable (`chmod ug+rw`, group 0): the image's gid, not 1000.
    koku = str(CATALOG.images["koku"])
    pods = [p for p in pod_templates(list(built(overlay))) if main_container(p)["image"] == koku]
    assert pods
    for pod in pods:
        container = main_container(pod)
        assert (effective(pod, container, "runAsUser"), effective(pod, container, "runAsGroup")) == (1000, 0)


# ---------------------------------------------------------------- 6. the ingress image
# b72e28e is insights-onprem/cost-onprem-chart commit "Update ingress image to Konflux build" (2026-05-03),
# never an image tag. Since c1825677 (#172) the chart runs quay.io/iop/ingress:master, which the
# insights-ingress-go workflow also publishes as sha-<short commit>; the catalog pins the build of the commit
# the ingress contract was read at (RedHatInsights/insights-ingress-go@b16f1c27).
def test_ingress_image_is_what_upstream_runs_pinned_to_the_contracts_commit() -> None:
    assert str(CATALOG.images["ingress"]) == "quay.io/iop/ingress:sha-b16f1c2"


# ---------------------------------------------------------------- 7. Celery workers for the busy queues
# insights-onprem/cost-onprem-chart@42f34282 cost-onprem/values.yaml:316-324 (priority), 340-348 (summary),
# 376-384 (ocp): what the shipped chart gives the workers of the busy queues.
SHIPPED_WORKER_SIZES = {
    "koku-worker-priority": (("250m", "1Gi"), ("500m", "2Gi")),
    "koku-worker-summary": (("250m", "1Gi"), ("500m", "2Gi")),
    "koku-worker-ocp": (("250m", "512Mi"), ("500m", "1Gi")),
}


@pytest.mark.parametrize("profile", sorted(CATALOG.profiles))
@pytest.mark.parametrize("worker", sorted(SHIPPED_WORKER_SIZES))
def test_busy_queue_workers_are_sized_at_least_like_the_shipped_chart(profile: str, worker: str) -> None:
    component = CATALOG.component(worker)
    assert component is not None
    size = resolve_profile(CATALOG, profile).sizes[component.size]
    (cpu_request, memory_request), (cpu_limit, memory_limit) = SHIPPED_WORKER_SIZES[worker]
    assert millicores(size.requests.cpu) >= millicores(cpu_request)
    assert bytes_of(size.requests.memory) >= bytes_of(memory_request)
    assert millicores(size.limits.cpu) >= millicores(cpu_limit)
    assert bytes_of(size.limits.memory) >= bytes_of(memory_limit)
