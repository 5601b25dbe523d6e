"""The analytics switch: what `analytics: trino` refuses (one line, exit 2), and what each mode generates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.catalog.refusal import assert_generate_refuses
from tests.conftest import REPO_ROOT, run_rosgit

CATALOG = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")

# (case id, text to replace, replacement, marker on the line the error must name, reason regex)
CASES = [
    (
        "trino-without-bucket",
        "trino:\n  bucket: koku-bucket\n",
        "trino:\n",
        "    analytics: trino",
        r"profile 'minimal': analytics trino needs trino\.bucket",
    ),
    (
        "bucket-not-koku-bucket",
        "  bucket: koku-bucket\n",
        "  bucket: other-bucket\n",
        "{name: REQUESTED_BUCKET, value: koku-bucket}",
        r"env REQUESTED_BUCKET 'koku-bucket' is not trino\.bucket 'other-bucket'",
    ),
    (
        "warehouse-not-on-the-koku-bucket",
        "<value>s3a://koku-bucket/data/</value>",
        "<value>s3a://ros-data/data/</value>",
        None,
        r"metastore\.warehouse\.dir 's3a://ros-data/data/' is not 's3a://koku-bucket/data/'",
    ),
    (
        "query-memory-above-heap",
        "trinoQueryMaxMemoryPerNode: 512MB",
        "trinoQueryMaxMemoryPerNode: 900MB",
        "trinoCoordinatorHeap: 1G",
        r"query\.max-memory-per-node 900MB plus the heap headroom .* is above jvm\.config -Xmx1G: Trino refuses",
    ),
    (
        "heap-above-limit",
        "trinoCoordinatorHeap: 1G",
        "trinoCoordinatorHeap: 3G",
        "trinoCoordinatorHeap: 3G",
        r"jvm\.config -Xmx3G is above the container's memory limit 2Gi",
    ),
    (
        "catalog-koku-does-not-use",
        "        catalog/postgres.properties: |\n          connector.name=postgresql\n          connection-url=jdbc:postgresql://koku-db:5432/koku\n"
        "          connection-user=koku\n          connection-password=${ENV:POSTGRES_PASSWORD}\n"
        "          postgresql.array-mapping=AS_ARRAY\n",
        "        catalog/koku.properties: |\n          connector.name=postgresql\n          connection-url=jdbc:postgresql://koku-db:5432/koku\n"
        "          connection-user=koku\n          connection-password=${ENV:POSTGRES_PASSWORD}\n"
        "          postgresql.array-mapping=AS_ARRAY\n",
        None,
        r"config file 'catalog/koku\.properties': Koku's SQL uses only the Trino catalogs hive, postgres, not 'koku'",
    ),
    (
        "analytics-unknown-mode",
        "    analytics: trino\n",
        "    analytics: presto\n",
        "    analytics: presto",
        r"'presto' is not one of",
    ),
]


@pytest.mark.parametrize(("old", "new", "marker", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_analytics_input_is_one_line_error(
    tmp_path: Path, old: str, new: str, marker: str | None, reason: str
) -> None:
    assert old in CATALOG
    assert_generate_refuses(tmp_path, CATALOG.replace(old, new, 1), marker, reason)


def _objects(text: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def _env_names(obj: dict) -> dict[str, str | None]:
    spec = obj["spec"].get("jobTemplate", {}).get("spec", obj["spec"])["template"]["spec"]
    return {var["name"]: var.get("value") for c in spec["containers"] for var in c.get("env", [])}


@pytest.fixture(scope="module")
def postgresql_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default catalog plus a postgresql-mode profile and overlay, generated into a fresh tree."""
    root = tmp_path_factory.mktemp("pg")
    text = CATALOG.replace(
        "\nplatforms:\n",
        "\n  postgresql:\n    description: upstream's PostgreSQL-native stack\n    extends: minimal\n"
        "    analytics: postgresql\n\nplatforms:\n",
        1,
    ).replace(
        "overlays:\n  - {name: minimal,",
        "overlays:\n  - {name: pg, profile: postgresql, platform: kubernetes, namespace: ros-pg}\n"
        "  - {name: openshift-pg, profile: postgresql, platform: openshift, namespace: ros-pg}\n  - {name: minimal,",
        1,
    )
    (root / "rosgit.yaml").write_text(text, encoding="utf-8")
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    result = run_rosgit("generate", "--catalog", str(root / "rosgit.yaml"))
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.parametrize("overlay", ["pg", "openshift-pg"])
def test_postgresql_mode_has_no_trino_object_and_no_trino_env(postgresql_tree: Path, overlay: str) -> None:
    result = run_rosgit("build", str(postgresql_tree / "overlays" / overlay))
    assert result.returncode == 0, result.stderr
    objects = _objects(result.stdout)
    names = {o["metadata"]["name"] for o in objects}
    assert not sorted(n for n in names if "trino" in n or "hive" in n)
    assert "rosocp-housekeeper" in names and "koku-sources" not in names
    for obj in objects:
        if obj["kind"] in {"Deployment", "StatefulSet", "Job", "CronJob"} and "/koku:" in str(obj["spec"]):
            env = _env_names(obj)
            assert env.get("ONPREM") == "True", obj["metadata"]["name"]
            assert not [n for n in env if n.startswith("TRINO_")], obj["metadata"]["name"]


def test_trino_mode_koku_settings() -> None:
    result = run_rosgit("build", str(REPO_ROOT / "overlays" / "minimal"))
    assert result.returncode == 0, result.stderr
    objects = {o["metadata"]["name"]: o for o in _objects(result.stdout)}
    masu = _env_names(objects["koku-masu"])
    assert masu["ONPREM"] == "False"
    assert (masu["TRINO_HOST"], masu["TRINO_PORT"], masu["TRINO_S3A_OR_S3"]) == ("trino-coordinator", "8080", "s3a")
    assert masu["UNLEASH_CACHE_DIR"].startswith("/tmp/")
    assert "S3_BUCKET_NAME" not in masu and masu["REQUESTED_BUCKET"] == "koku-bucket"
    assert "rosocp-housekeeper" not in objects
    assert _env_names(objects["koku-sources"])["DEVELOPMENT"] == "True"
    assert _env_names(objects["koku-api-reads"])["DEVELOPMENT"] == "False"
    assert {"koku-worker-subs-extraction", "koku-worker-subs-transmission", "hive-metastore"} <= set(objects)
    coordinator_config = next(
        o
        for o in objects.values()
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("trino-coordinator")
    )
    port = next(
        line.split("=", 1)[1]
        for line in coordinator_config["data"]["config.properties"].splitlines()
        if line.startswith("http-server.http.port=")
    )
    assert port == masu["TRINO_PORT"]
    catalogs = sorted(k for k in coordinator_config["data"] if k.endswith(".properties") and "catalog" in k)
    assert [k.rsplit("hive", 1)[0] != k or "postgres" in k for k in catalogs] == [True, True], catalogs


@pytest.mark.parametrize("overlay", ["pg", "openshift-pg"])
def test_postgresql_mode_lints_clean_and_matches_the_chart(postgresql_tree: Path, overlay: str) -> None:
    catalog = str(postgresql_tree / "rosgit.yaml")
    lint = run_rosgit("lint", "--catalog", catalog, overlay, cwd=postgresql_tree)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    helm = run_rosgit("helm-diff", "--catalog", catalog, "--overlay", overlay, cwd=postgresql_tree)
    assert helm.returncode == 0, helm.stdout + helm.stderr
