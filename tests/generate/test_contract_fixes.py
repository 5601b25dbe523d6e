"""Defects the image contracts (rosgit/contracts/data) revealed, checked on the built overlays.

Same style as test_runtime_defects: each expectation names the upstream source it comes from.
"""

from __future__ import annotations

import re
import shlex

import pytest

from tests.generate.test_runtime_defects import (
    NOOBAA_HTTPS_POD_PORT,
    OPENSHIFT,
    OVERLAYS,
    STORAGE_NAMESPACE,
    Obj,
    literal_env,
    main_container,
    objects_of,
    resolved_env,
    template,
)

# ---------------------------------------------------------------- 1. buckets on every platform
# insights-onprem/cost-onprem-chart@42f34282 scripts/install-helm-chart.sh:684-700, 768-1040: on ODF the
# installer creates the three buckets itself, with the noobaa-admin account, against
# https://s3.openshift-storage.svc:443. The programs never create them (contracts ingress, koku: CON009).
BUCKETS = {"insights-upload-perma", "koku-bucket", "ros-data"}
BUCKET_JOB = "minio-buckets"
_VAR = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")
_WAIT = re.compile(r"/dev/tcp/([^/]+)/([^)\s]+)\)")


def bucket_script(overlay: str) -> str:
    container = main_container(template(overlay, BUCKET_JOB))
    return "\n".join([*container.get("command", []), *container.get("args", [])])


def expand(value: str, env: dict[str, str]) -> str:
    match = _VAR.match(value)
    if match is None:
        return value
    assert match.group(1) in env, f"${match.group(1)} is not set on the container"
    return env[match.group(1)]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_bucket_job_creates_the_three_buckets_on_every_platform(overlay: str) -> None:
    jobs = objects_of(overlay, "Job")
    assert BUCKET_JOB in jobs, f"{overlay}: nothing creates the buckets"
    script = bucket_script(overlay)
    assert re.search(r"\bmc mb\b", script)
    assert set(re.findall(r"[a-z][a-z0-9.-]+", script)) >= BUCKETS


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_bucket_job_talks_to_the_endpoint_koku_uses(overlay: str) -> None:
    container = main_container(template(overlay, BUCKET_JOB))
    env = resolved_env(overlay, container)
    alias = next(line for line in bucket_script(overlay).splitlines() if "mc alias set" in line)
    words = shlex.split(alias[alias.index("mc alias set") + len("mc alias set") :])
    # mc alias set [--flag value ...] ALIAS URL ACCESSKEY SECRETKEY
    positional = [w for i, w in enumerate(words) if not w.startswith("--") and not words[i - 1].startswith("--")]
    endpoint = expand(positional[1], env)
    koku = resolved_env(overlay, main_container(template(overlay, "koku-listener")))["S3_ENDPOINT"]
    assert endpoint == koku


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_bucket_job_waits_only_for_what_the_overlay_reaches(overlay: str) -> None:
    pod = template(overlay, BUCKET_JOB)
    services = set(objects_of(overlay, "Service"))
    storage_host = objects_of(overlay, "ConfigMap")["object-storage"]["data"]["host"]
    waits = pod.spec.get("initContainers", [])
    assert waits, "the Job must wait for the object storage before it runs mc"
    for wait in waits:
        env = resolved_env(overlay, wait)
        script = " ".join(wait["command"])
        found = _WAIT.search(script)
        assert found is not None, wait["name"]
        host = expand(found.group(1), env)
        assert host in services or host == storage_host, f"{wait['name']} waits for {host}, absent here"


def trusted_ca_dirs(overlay: str, name: str) -> set[str]:
    pod = template(overlay, name)
    container = main_container(pod)
    service_ca = {v["name"] for v in pod.spec.get("volumes", []) if v.get("configMap", {}).get("name") == "service-ca"}
    mounted = {m["mountPath"] for m in container.get("volumeMounts", []) if m["name"] in service_ca}
    return mounted & set(literal_env(container).get("SSL_CERT_DIR", "").split(":"))


# mc is Go: minio/mc@ee725719 cmd/certs.go:101-107 -> minio/pkg v3.1.0 certs/ca-certs.go GetRootCAs ->
# cert_pool_nix.go loadSystemRoots -> x509.SystemCertPool(), which reads SSL_CERT_DIR.
@pytest.mark.parametrize("overlay", OPENSHIFT)
def test_bucket_job_trusts_the_service_ca(overlay: str) -> None:
    assert trusted_ca_dirs(overlay, BUCKET_JOB), "mc would fail with x509: unknown authority against NooBaa"


@pytest.mark.parametrize("overlay", OPENSHIFT)
def test_bucket_job_may_reach_noobaas_pod_port(overlay: str) -> None:
    labels = template(overlay, BUCKET_JOB).labels
    ports: set[int] = set()
    for policy in objects_of(overlay, "NetworkPolicy").values():
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        if not selector or not selector.items() <= labels.items():
            continue
        for rule in policy["spec"].get("egress", []):
            peers = [peer.get("namespaceSelector", {}).get("matchLabels") for peer in rule["to"]]
            if STORAGE_NAMESPACE in peers:
                ports.update(port["port"] for port in rule.get("ports", []))
    assert NOOBAA_HTTPS_POD_PORT in ports


# ---------------------------------------------------------------- 2. the metastore starts on its database
# RedHatInsights/ubi-hive@2f89bfbe: schematool and the metastore read $METASTORE_CONF_DIR/metastore-site.xml (the
# standalone metastore's bin/metastore-config.sh); its javax.jdo.option.* name the database, metastore.thrift.port
# the port Trino's hive.metastore.uri must reach.
def _site(overlay: str) -> dict[str, str]:
    pod = template(overlay, "hive-metastore")
    conf_dir = literal_env(main_container(pod))["METASTORE_CONF_DIR"]
    mount = next(m for m in main_container(pod)["volumeMounts"] if m["mountPath"] == conf_dir)
    volume = next(v for v in pod.spec["volumes"] if v["name"] == mount["name"])
    [config] = [c for n, c in objects_of(overlay, "ConfigMap").items() if n == volume["configMap"]["name"]]
    text = config["data"]["metastore-site.xml"]
    return dict(re.findall(r"<name>([^<]+)</name>\s*<value>([^<]*)</value>", text))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_hive_metastore_uses_its_own_database_and_the_koku_bucket(overlay: str) -> None:
    site = _site(overlay)
    db = literal_env(main_container(template(overlay, "hive-metastore-db")))
    assert site["javax.jdo.option.ConnectionURL"] == f"jdbc:postgresql://hive-metastore-db:5432/{db['POSTGRESQL_DATABASE']}"
    assert site["javax.jdo.option.ConnectionUserName"] == db["POSTGRESQL_USER"]
    assert site["javax.jdo.option.ConnectionPassword"] == "${env.DATABASE_PASSWORD}"  # never the value itself
    koku = literal_env(main_container(template(overlay, "koku-masu")))
    assert site["metastore.warehouse.dir"] == f"s3a://{koku['REQUESTED_BUCKET']}/data/"
    assert site["fs.s3a.path.style.access"] == "true"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_trino_reaches_the_metastore_on_its_thrift_port(overlay: str) -> None:
    site = _site(overlay)
    [config] = [c for n, c in objects_of(overlay, "ConfigMap").items() if n.startswith("trino-coordinator-config")]
    uri = re.search(r"^hive\.metastore\.uri=(.*)$", config["data"]["catalog_hive.properties"], re.M)
    assert uri and uri.group(1) == f"thrift://hive-metastore:{site['metastore.thrift.port']}"


# ---------------------------------------------------------------- 3. Trino is ready when it has started
# trinodb/trino@0516d973 core/trino-main/src/main/java/io/trino/server/ServerInfoResource.java:141-148:
# GET /v1/info/state returns the node state, ACTIVE from construction, before startup completes; GET
# /v1/info (79-86) reports "starting" until then. The image's HEALTHCHECK runs /usr/lib/trino/bin/health-check
# (core/docker/Dockerfile:49-50), which fails while "starting" is not false.
TRINO_HEALTH_CHECK = "/usr/lib/trino/bin/health-check"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("name", ["trino-coordinator", "trino-worker"])
def test_trino_is_ready_only_when_started(overlay: str, name: str) -> None:
    container = main_container(template(overlay, name))
    readiness: Obj = container["readinessProbe"]
    assert readiness.get("exec", {}).get("command") == [TRINO_HEALTH_CHECK]
    liveness: Obj = container["livenessProbe"]
    assert "exec" not in liveness, "liveness stays cheap"
    assert liveness.get("httpGet", {}).get("path", "/v1/info") == "/v1/info"
