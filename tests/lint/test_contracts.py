"""CON001-CON011: one planted violation per class gives its finding (id, object, field, source); the
correct overlay gives none."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.contracts import load_contracts
from rosgit.findings import Finding
from rosgit.lint.context import LintContext
from rosgit.lint.contract_steps import check_steps
from rosgit.lint.contracts import check_contracts
from rosgit.lint.runner import lint_objects
from tests.contracts.fixture import FIXTURES, contract_context, fixture_catalog
from tests.lint.factory import NS, Obj, container, deployment, obj

APP_ENV = [
    {"name": "DATABASE_HOST", "value": "db"},
    {"name": "DATABASE_USER", "value": "app"},
    {"name": "DATABASE_NAME", "value": "app"},
]
SOURCE = "example/app@0123abcd:"
APP_FILE = str(FIXTURES / "app.yaml")


def _env(*extra: tuple[str, str]) -> list[dict[str, str]]:
    return [*copy.deepcopy(APP_ENV), *({"name": k, "value": v} for k, v in extra)]


def _pod(run_as: int = 1001) -> dict[str, Any]:
    return {"securityContext": {"runAsUser": run_as}}


def good_overlay() -> list[Obj]:
    api = container(
        "api",
        image="quay.io/x/app:1.0",
        command=["gunicorn", "app.wsgi"],
        env=_env(("UPLOAD_TOPIC", "app.uploads"), ("BUCKET", "app-bucket"), ("DEBUG", "4"), ("WORKERS", "2")),
        ports=[{"name": "http", "containerPort": 8000}, {"name": "metrics", "containerPort": 9000}],
        readinessProbe={"httpGet": {"path": "/health", "port": "http"}},
        livenessProbe={"tcpSocket": {"port": 9000}},
        volumeMounts=[{"name": "tmp", "mountPath": "/tmp"}],
    )
    api["securityContext"]["readOnlyRootFilesystem"] = True
    worker = container(
        "worker",
        image="quay.io/x/app:1.0",
        command=["/bin/sh", "-c", "exec celery -A app worker -Q $WORKER_QUEUES"],
        env=_env(("WORKER_QUEUES", "reports,celery")),
    )
    broker = container(
        "kafka",
        image="quay.io/x/broker:2.0",
        env=[{"name": "KAFKA_AUTO_CREATE_TOPICS_ENABLE", "value": "false"}],
        ports=[{"name": "kafka", "containerPort": 9092}],
    )
    topics = container(
        "topics",
        image="quay.io/x/broker:2.0",
        command=["/bin/bash", "-c", "for t in app.uploads other; do kafka-topics.sh --create --topic $t; done"],
    )
    buckets = container("mc", image="quay.io/x/mc:1", command=["/bin/sh", "-c", "mc mb store/app-bucket"])
    database = container(
        "postgres",
        image="quay.io/x/db:16",
        env=[{"name": "POSTGRESQL_USER", "value": "app"}, {"name": "POSTGRESQL_DATABASE", "value": "app"}],
        ports=[{"name": "postgres", "containerPort": 5432}],
        volumeMounts=[{"name": "init", "mountPath": "/init"}],
    )
    db = deployment(
        "db", database, kind="StatefulSet",
        pod={"securityContext": {"runAsUser": 26}, "volumes": [{"name": "init", "configMap": {"name": "db-init"}}]},
    )
    db["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] = "database"
    return [
        deployment("api", api, pod={**_pod(), "volumes": [{"name": "tmp", "emptyDir": {}}]}),
        deployment("worker", worker, pod=_pod()),
        deployment("kafka", broker, kind="StatefulSet"),
        deployment("kafka-topics", topics, kind="Job", pod=_pod(1000)),
        deployment("buckets", buckets, kind="Job"),
        db,
        obj("ConfigMap", "db-init", data={"init.sh": "psql -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'"}),
        obj("Service", "db", spec={"selector": {"app.kubernetes.io/name": "db"}, "ports": [{"port": 5432}]}),
        obj(
            "Service", "api", metadata={"name": "api", "namespace": NS, "labels": {"app": "api"}},
            spec={
                "selector": {"app.kubernetes.io/name": "api"},
                "ports": [{"name": "http", "port": 80, "targetPort": "http"},
                          {"name": "metrics", "port": 9000, "targetPort": "metrics"}],
            },
        ),
        obj(
            "ServiceMonitor", "api", api_version="monitoring.coreos.com/v1",
            spec={"selector": {"matchLabels": {"app": "api"}}, "endpoints": [{"port": "metrics", "path": "/metrics"}]},
        ),
    ]


def _named(objects: list[Obj], name: str, kind: str | None = None) -> Obj:
    return next(o for o in objects if o["metadata"]["name"] == name and (kind is None or o["kind"] == kind))


def _container(objects: list[Obj], workload: str) -> dict[str, Any]:
    result: dict[str, Any] = _named(objects, workload)["spec"]["template"]["spec"]["containers"][0]
    return result


def _set_env(objects: list[Obj], workload: str, name: str, value: str | None) -> None:
    entries = [e for e in _container(objects, workload)["env"] if e["name"] != name]
    if value is not None:
        entries.append({"name": name, "value": value})
    _container(objects, workload)["env"] = entries


def _findings(objects: list[Obj], platform: str = "kubernetes") -> list[Finding]:
    context = contract_context(platform)
    return sorted([*check_contracts(objects, context), *check_steps(objects, context)])


def test_the_correct_overlay_gives_no_finding_on_either_platform() -> None:
    assert _findings(good_overlay()) == []
    assert _findings(good_overlay(), "openshift") == []


def test_contract_rules_run_from_the_rule_table_and_skip_without_contracts() -> None:
    objects = good_overlay()
    _set_env(objects, "api", "DATABASE_USER", None)
    assert [f.id for f in lint_objects(objects, contract_context(), select={"CON001"})] == ["CON001"]
    assert check_contracts(objects, LintContext()) == check_steps(objects, LintContext()) == []


def _plant_drop_required(o: list[Obj]) -> None:
    _set_env(o, "api", "DATABASE_USER", None)


def _plant_typo(o: list[Obj]) -> None:
    _set_env(o, "api", "DATABSE_NAME", "app")


def _plant_bad_bool(o: list[Obj]) -> None:
    _set_env(o, "api", "DEBUG", "enabled")


def _plant_bad_int(o: list[Obj]) -> None:
    _set_env(o, "worker", "WORKERS", "two")


def _plant_probe_port(o: list[Obj]) -> None:
    _container(o, "api")["livenessProbe"] = {"tcpSocket": {"port": 9001}}


def _plant_probe_path(o: list[Obj]) -> None:
    _container(o, "api")["readinessProbe"] = {"httpGet": {"path": "/healthz", "port": "http"}}


def _plant_worker_probe(o: list[Obj]) -> None:
    worker = _container(o, "worker")
    worker["ports"] = [{"name": "http", "containerPort": 8000}]
    worker["readinessProbe"] = {"httpGet": {"path": "/health", "port": "http"}}


def _plant_moved_metrics_port(o: list[Obj]) -> None:
    # the program moves its metrics port by env: the probe on 9000 no longer hits it
    _set_env(o, "api", "METRICS_PORT", "5005")


def _plant_monitor_port(o: list[Obj]) -> None:
    _named(o, "api", "ServiceMonitor")["spec"]["endpoints"] = [{"port": "http", "path": "/metrics"}]


def _plant_monitor_path(o: list[Obj]) -> None:
    _named(o, "api", "ServiceMonitor")["spec"]["endpoints"] = [{"port": "metrics", "path": "/q/metrics"}]


def _plant_no_run_as_user(o: list[Obj]) -> None:
    del _named(o, "api")["spec"]["template"]["spec"]["securityContext"]["runAsUser"]


def _plant_root_image(o: list[Obj]) -> None:
    del _named(o, "db")["spec"]["template"]["spec"]["securityContext"]["runAsUser"]


def _plant_no_tmp(o: list[Obj]) -> None:
    _container(o, "api")["volumeMounts"] = []


def _plant_rename_topic(o: list[Obj]) -> None:
    _set_env(o, "api", "UPLOAD_TOPIC", "app.upload")


def _plant_remove_bucket_job(o: list[Obj]) -> None:
    o.remove(_named(o, "buckets"))


def _plant_drop_worker_queue(o: list[Obj]) -> None:
    _set_env(o, "worker", "WORKER_QUEUES", "celery")


def _plant_drop_extension_init(o: list[Obj]) -> None:
    _named(o, "db-init")["data"] = {"init.sh": "echo nothing to do"}


def _plant_drop_database(o: list[Obj]) -> None:
    _set_env(o, "api", "DATABASE_NAME", "reports")


PLANTED: list[tuple[str, Callable[[list[Obj]], None], str, str, str]] = [
    # (class, plant, object, field, source)
    ("CON001", _plant_drop_required, "Deployment/shop/api", "container api env DATABASE_USER", "app/settings.py:10"),
    ("CON002", _plant_typo, "Deployment/shop/api", "container api env DATABSE_NAME",
     APP_FILE),
    ("CON003", _plant_bad_bool, "Deployment/shop/api", "container api env DEBUG: value 'enabled'",
     "app/settings.py:12"),
    ("CON003", _plant_bad_int, "Deployment/shop/worker", "container worker env WORKERS: value 'two'",
     "app/settings.py:13"),
    ("CON004", _plant_probe_port, "Deployment/shop/api", "container api livenessProbe tcpSocket port 9001",
     "gunicorn_conf.py:5"),
    ("CON004", _plant_probe_path, "Deployment/shop/api",
     "container api readinessProbe httpGet port http path /healthz", "gunicorn_conf.py:5"),
    ("CON004", _plant_worker_probe, "Deployment/shop/worker", "container worker readinessProbe httpGet port http: "
     "port 8000 is not served by the program in mode worker", APP_FILE),
    ("CON005", _plant_monitor_port, "ServiceMonitor/shop/api", "endpoint port http path /metrics",
     "app/metrics.py:8"),
    ("CON005", _plant_monitor_path, "ServiceMonitor/shop/api", "endpoint port metrics path /q/metrics",
     "app/metrics.py:8"),
    ("CON006", _plant_no_run_as_user, "Deployment/shop/api", "container api securityContext.runAsNonRoot",
     "Dockerfile:20"),
    ("CON006", _plant_root_image, "StatefulSet/shop/db", "container postgres securityContext.runAsNonRoot",
     "example/db@fedcba98:Dockerfile:3"),
    ("CON007", _plant_no_tmp, "Deployment/shop/api", "container api path /tmp", "app/settings.py:40"),
    ("CON008", _plant_rename_topic, "Deployment/shop/api", "container api topic app.upload", "app/kafka.py:30"),
    ("CON009", _plant_remove_bucket_job, "Deployment/shop/api", "container api bucket app-bucket", "app/s3.py:12"),
    ("CON010", _plant_drop_worker_queue, "Deployment/shop/api", "container api Celery queue reports",
     "app/celery.py:50"),
    ("CON011", _plant_drop_extension_init, "Deployment/shop/api",
     "container api extension pg_stat_statements (database pod db)", "app/migrations/0055.py:9"),
    ("CON011", _plant_drop_database, "Deployment/shop/api", "container api database reports (database pod db)",
     "app/settings.py:11"),
]


@pytest.mark.parametrize(("rule_id", "plant", "subject", "field", "source"), PLANTED,
                         ids=[f"{p[0]}-{p[1].__name__[7:]}" for p in PLANTED])
def test_a_planted_violation_gives_its_finding(
    rule_id: str, plant: Callable[[list[Obj]], None], subject: str, field: str, source: str
) -> None:
    objects = good_overlay()
    plant(objects)
    findings = _findings(objects)
    assert [(f.id, f.object) for f in findings] == [(rule_id, subject)], findings
    message = findings[0].message
    assert message.startswith(field), message
    origin = source if source == APP_FILE or "@" in source else SOURCE + source
    assert f"source {origin}" in message, message
    assert findings[0].severity == "error"


def test_a_port_moved_by_env_breaks_the_probe_and_the_servicemonitor_on_the_old_port() -> None:
    objects = good_overlay()
    _plant_moved_metrics_port(objects)
    findings = _findings(objects)
    assert [(f.id, f.object) for f in findings] == [
        ("CON004", "Deployment/shop/api"), ("CON005", "ServiceMonitor/shop/api")
    ]
    assert findings[0].message.startswith("container api livenessProbe tcpSocket port 9000: port 9000 is not served")
    assert "metrics 5005" in findings[0].message


def test_runasnonroot_is_not_judged_on_openshift() -> None:
    objects = good_overlay()
    _plant_no_run_as_user(objects)
    _plant_root_image(objects)
    assert _findings(objects, "openshift") == []


def test_django_environ_reads_any_non_zero_integer_as_true() -> None:
    objects = good_overlay()
    _set_env(objects, "api", "DEBUG", "-1")
    assert _findings(objects) == []


def test_a_topic_needs_no_step_when_the_broker_auto_creates_topics() -> None:
    objects = good_overlay()
    _plant_rename_topic(objects)
    _set_env(objects, "kafka", "KAFKA_AUTO_CREATE_TOPICS_ENABLE", None)  # Kafka's default: true
    assert _findings(objects) == []


def test_a_kafkatopic_object_creates_its_topic() -> None:
    objects = good_overlay()
    objects.remove(_named(objects, "kafka-topics"))
    topic = obj("KafkaTopic", "uploads", api_version="kafka.strimzi.io/v1beta2", spec={"topicName": "app.uploads"})
    objects.append(topic)
    assert _findings(objects) == []


def test_an_objectbucketclaim_creates_its_bucket() -> None:
    objects = good_overlay()
    _plant_remove_bucket_job(objects)
    objects.append(obj("ObjectBucketClaim", "app", api_version="objectbucket.io/v1alpha1",
                       spec={"bucketName": "app-bucket"}))
    assert _findings(objects, "openshift") == []


def test_a_bucket_named_by_its_claims_configmap_is_created() -> None:
    objects = good_overlay()
    _plant_remove_bucket_job(objects)
    objects.append(obj("ObjectBucketClaim", "app", api_version="objectbucket.io/v1alpha1",
                       spec={"generateBucketName": "app"}))
    env = [e for e in _container(objects, "api")["env"] if e["name"] != "BUCKET"]
    env.append({"name": "BUCKET", "valueFrom": {"configMapKeyRef": {"name": "app", "key": "BUCKET_NAME"}}})
    _container(objects, "api")["env"] = env
    assert _findings(objects, "openshift") == []


def _extension_job(wave: str) -> Obj:
    job = deployment(
        "db-setup",
        container("setup", image="quay.io/x/db:16",
                  command=["psql", "-h", "db", "-c", "CREATE EXTENSION pg_stat_statements"]),
        kind="Job", pod={"securityContext": {"runAsUser": 26}},
    )
    job["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": wave}
    return job


def test_an_extension_created_by_an_earlier_job_counts_and_a_same_wave_one_does_not() -> None:
    objects = good_overlay()
    _plant_drop_extension_init(objects)
    assert _findings([*objects, _extension_job("-5")]) == []
    assert [f.id for f in _findings([*objects, _extension_job("0")])] == ["CON011"]


def test_an_env_value_from_a_secret_is_not_guessed() -> None:
    objects = good_overlay()
    env = [e for e in _container(objects, "api")["env"] if e["name"] != "DATABASE_NAME"]
    env.append({"name": "DATABASE_NAME", "valueFrom": {"secretKeyRef": {"name": "db", "key": "name"}}})
    _container(objects, "api")["env"] = env
    assert _findings(objects) == []


def test_every_rule_sees_only_the_facts_whose_when_holds(tmp_path: Path) -> None:
    """The same contract facts (a required env, a written path, a routed queue) made conditional on DEBUG:
    the rules report them while the container's DEBUG reads true ("4": int != 0), not once it reads false."""
    for path in FIXTURES.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    app = tmp_path / "app.yaml"
    when = ', when: {env: DEBUG, is: "True", source: "APP:app/settings.py:30"}}'
    text = app.read_text(encoding="utf-8")
    for fact in ('source: "APP:app/settings.py:10"}', 'source: "APP:app/settings.py:40"}',
                 'source: "APP:app/celery.py:50"}'):
        assert fact in text
        text = text.replace(fact, fact[:-1] + when, 1)
    app.write_text(text, encoding="utf-8")
    context = LintContext(fixture_catalog(), "kubernetes", "shop", "overlays/test", load_contracts(tmp_path))
    planted = good_overlay()
    _plant_drop_required(planted)
    _plant_no_tmp(planted)
    _plant_drop_worker_queue(planted)

    def found(objects: list[Obj]) -> list[str]:
        return sorted(f.id for f in [*check_contracts(objects, context), *check_steps(objects, context)])

    assert found(planted) == ["CON001", "CON007", "CON010"]
    secret = copy.deepcopy(planted)
    _set_env(secret, "api", "DEBUG", None)
    _container(secret, "api")["env"].append(
        {"name": "DEBUG", "valueFrom": {"secretKeyRef": {"name": "app-flags", "key": "debug"}}}
    )
    assert found(secret) == ["CON001", "CON007", "CON010"]  # a value the overlay does not show: the facts apply
    unset = copy.deepcopy(planted)
    _set_env(unset, "api", "DEBUG", None)
    assert found(unset) == []  # unset: the program's default "false" decides
    for spelling in ("false", "0", "no"):
        off = copy.deepcopy(planted)
        _set_env(off, "api", "DEBUG", spelling)
        _set_env(off, "worker", "DEBUG", spelling)
        assert found(off) == [], spelling
