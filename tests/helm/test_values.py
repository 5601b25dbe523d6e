"""Where components live in values.yaml, and what profiles and platforms set."""

from __future__ import annotations

from rosgit.catalog import Catalog, resolve_profile
from rosgit.helm.values import (
    chart_components,
    config_vars,
    default_values,
    platform_values,
    profile_values,
    values_path,
)


def _path(catalog: Catalog, name: str) -> str:
    component = catalog.component(name)
    assert component is not None
    return ".".join(values_path(catalog, component))


def test_plan_layout(catalog: Catalog) -> None:
    assert _path(catalog, "koku-api-reads") == "koku.api.reads"
    assert _path(catalog, "koku-api-writes") == "koku.api.writes"
    assert _path(catalog, "koku-celery-beat") == "koku.celery.beat"
    assert _path(catalog, "koku-worker-priority-xl") == "koku.celery.workers.priorityXl"
    assert _path(catalog, "koku-worker-cost-model") == "koku.celery.workers.costModel"
    assert _path(catalog, "koku-worker-subs-extraction") == "koku.celery.workers.subsExtraction"
    assert _path(catalog, "trino-coordinator") == "trino.coordinator"
    assert _path(catalog, "trino-worker") == "trino.worker"
    assert _path(catalog, "hive-metastore") == "trino.metastore"
    assert _path(catalog, "hive-metastore-db") == "trino.metastore.database"
    assert _path(catalog, "rosocp-api") == "ros.api"
    assert _path(catalog, "rosocp-processor") == "ros.processor"
    assert _path(catalog, "ros-db") == "ros.database"
    assert _path(catalog, "koku-db") == "koku.database"
    assert _path(catalog, "ros-db-migrate") == "ros.dbMigrate"
    assert _path(catalog, "redis") == "infrastructure.redis"
    assert _path(catalog, "kafka-topics") == "infrastructure.kafkaTopics"


def test_every_component_has_its_own_section(catalog: Catalog) -> None:
    paths = [values_path(catalog, c) for c in chart_components(catalog)]
    assert len(set(paths)) == len(paths)


def test_values_yaml_has_every_component_with_all_keys(catalog: Catalog) -> None:
    values = default_values(catalog)
    for component in chart_components(catalog):
        node = values
        for part in values_path(catalog, component):
            node = node[part]
        assert node["enabled"] is component.enabled
        assert node["image"]
        assert set(node["resources"]) == {"requests", "limits"}
        if component.runs_pods_continuously:
            assert isinstance(node["replicas"], int)
    # enabled in the catalog, run in analytics trino mode (the templates also check global.analytics)
    assert values["koku"]["celery"]["workers"]["subsExtraction"]["enabled"] is True
    assert values["global"]["analytics"] == "trino"


def test_profiles_differ_where_the_catalog_says(catalog: Catalog) -> None:
    minimal = profile_values(catalog, resolve_profile(catalog, "minimal"))
    prod = profile_values(catalog, resolve_profile(catalog, "prod"))
    assert minimal["koku"]["api"]["reads"]["replicas"] == 2
    assert prod["koku"]["api"]["reads"]["replicas"] == 3
    assert prod["global"] == {
        "antiAffinity": True, "podDisruptionBudgets": True, "authorization": {"mode": "rbac"},
        "analytics": "trino",
        # the default catalog sets no site knobs (docs/site-knobs.md): every key present, every value empty
        "site": {"profile": {
            "storageClassNames": {}, "nodeSelector": {}, "tolerations": [], "affinity": {}, "imagePullSecrets": [],
            "labels": {}, "annotations": {}, "host": "", "tlsSecretName": "",
        }},
    }
    assert minimal["global"]["authorization"] == {"mode": "org-admin"}
    assert prod["trino"]["vars"]["trinoCoordinatorHeap"] == "6G"
    assert prod["koku"]["database"]["storage"] == {"data": "200Gi"}


def test_trino_vars_live_under_trino(catalog: Catalog) -> None:
    """Trino's under trino; the gateway's (derived from the authorization mode) under its group."""
    sections = config_vars(catalog)
    assert set(sections) == {"trino", "infrastructure"}
    assert all(var.startswith("trino") for var in sections["trino"])
    assert sections["infrastructure"] == ["identityOrgAdminForAll"]


def test_openshift_values_switch_platform_and_valkey(catalog: Catalog) -> None:
    values = platform_values(catalog, "openshift")
    assert values["global"]["platform"]["openshift"] is True
    redis = values["infrastructure"]["redis"]
    assert redis["image"] == str(catalog.images["valkey"])
    assert redis["command"][:2] == ["/bin/sh", "-c"] and redis["command"][2].startswith("exec valkey-server - ")
    assert values["global"]["objectStorage"]["secure"] is True
