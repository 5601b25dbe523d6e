"""Runtime defects the image contracts revealed (issue 10), asserted on every built overlay.

Each fact below is taken from rosgit/contracts/data/<image>.yaml and carries the upstream source that
contract cites (KOKU = project-koku/koku@d8055ac2, ROS = RedHatInsights/ros-ocp-backend@ae8c990b,
ING = RedHatInsights/insights-ingress-go). The overlays are built with the builtin engine, so no tool is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import pytest

from rosgit.build import build_objects
from rosgit.k8s.objects import Obj
from rosgit.k8s.podspec import PodTemplate, pod_templates
from tests.conftest import REPO_ROOT

OVERLAYS = ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]
KOKU_IMAGE = "quay.io/redhat-services-prod/cost-mgmt-dev-tenant/koku:"
ROS_IMAGE = (
    "quay.io/redhat-services-prod/insights-management-tenant/insights-ocp-resource-optimization/ros-ocp-backend:"
)


@cache
def built(overlay: str) -> list[Obj]:
    return build_objects(REPO_ROOT / "overlays" / overlay)


def _containers(overlay: str, image_prefix: str) -> Iterator[tuple[PodTemplate, dict[str, object]]]:
    for template in pod_templates(built(overlay)):
        for container in template.containers():
            if str(container.get("image", "")).startswith(image_prefix):
                yield template, container


def _plain_env(container: dict[str, object]) -> dict[str, str]:
    """The container's env given as literal values (valueFrom entries map to '')."""
    entries = container.get("env") or []
    assert isinstance(entries, list)
    return {str(e["name"]): str(e.get("value", "")) for e in entries if isinstance(e, dict)}


def _command(container: dict[str, object]) -> str:
    parts: list[object] = []
    for field in ("command", "args"):
        value = container.get(field)
        parts.extend(value if isinstance(value, list) else [])
    return " ".join(str(p) for p in parts)


# ---------------------------------------------------------------- Celery queues

# Every queue the koku contract's `celery.routes` lists (modes beat, listener, worker, api).
ROUTED_QUEUES = {
    "celery": "KOKU:koku/masu/celery/tasks.py:59",
    "download": "KOKU:koku/masu/celery/tasks.py:539 (beat: trigger_delayed_tasks); masu/processor/tasks.py:272",
    "download_xl": "KOKU:koku/masu/processor/orchestrator.py:286 (manifest with more than XL_REPORT_COUNT files)",
    "summary": "KOKU:koku/masu/processor/tasks.py:532",
    "summary_xl": "KOKU:koku/masu/processor/orchestrator.py:285",
    "priority": "KOKU:koku/masu/processor/tasks.py:985",
    "cost_model": "KOKU:koku/masu/processor/tasks.py:912",
    "refresh": "KOKU:koku/masu/processor/tasks.py:704",
    "hcs": "KOKU:koku/hcs/tasks.py:203 (beat, unconditionally on day 15)",
    "ocp": "KOKU:koku/masu/external/kafka_msg_handler.py:634",
    "subs_extraction": "KOKU:koku/masu/processor/orchestrator.py:387-389",
    "subs_transmission": "KOKU:koku/subs/tasks.py:90",
}
# Routed only when ONPREM=False: the orchestrator skips the SUBS chain on-prem (orchestrator.py:371-382), and
# subs_transmission is reached only from that chain's task (subs/tasks.py:86-87). Overlays in analytics trino
# mode set ONPREM=False and must consume them too; postgresql mode (ONPREM=True) need not.
OFF_PREM_QUEUES = {"subs_extraction", "subs_transmission"}


def _consumed_queues(overlay: str) -> dict[str, list[str]]:
    consumed: dict[str, list[str]] = {}
    for template, container in _containers(overlay, KOKU_IMAGE):
        command = _command(container)
        if "celery" not in command or " worker " not in command or template.replicas == 0:
            continue
        match = re.search(r"-Q\s+(\S+)", command)
        assert match, f"{template.ref}: a Celery worker without -Q consumes only 'celery'"
        argument = match.group(1)
        if argument in ("$WORKER_QUEUES", "${WORKER_QUEUES}"):
            argument = _plain_env(container)["WORKER_QUEUES"]
        for queue in argument.split(","):
            consumed.setdefault(queue, []).append(template.name)
    return consumed


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_routed_koku_queue_has_a_worker(overlay: str) -> None:
    onprem = {_plain_env(container).get("ONPREM") for _, container in _containers(overlay, KOKU_IMAGE)}
    assert len(onprem) == 1 and onprem <= {"True", "False"}, f"{overlay}: Koku pods disagree on ONPREM: {onprem}"
    consumed = _consumed_queues(overlay)
    missing = {
        queue: source
        for queue, source in ROUTED_QUEUES.items()
        if (onprem == {"False"} or queue not in OFF_PREM_QUEUES) and queue not in consumed
    }
    assert not missing, f"{overlay}: routed queues no worker consumes: {missing}"


# ---------------------------------------------------------------- env values as the program parses them

# django-environ's bool: int(value) != 0 first, else value.lower() in its true strings (DJENV environ.py
# parse_value). A count such as "4" is therefore just True; only these spellings say what they mean.
DJANGO_ENVIRON_BOOL_SPELLINGS = {"true", "false", "yes", "no", "on", "off", "1", "0"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gunicorn_threads_is_a_boolean(overlay: str) -> None:
    # KOKU:koku/gunicorn_conf.py:44-46: ENVIRONMENT.bool("GUNICORN_THREADS"); when true, threads = POD_CPU_LIMIT*2+1
    seen = 0
    for template, container in _containers(overlay, KOKU_IMAGE):
        value = _plain_env(container).get("GUNICORN_THREADS")
        if value is None:
            continue
        seen += 1
        assert value.strip().lower() in DJANGO_ENVIRON_BOOL_SPELLINGS, (
            f"{template.ref}: GUNICORN_THREADS={value!r} is read as a django-environ bool, not a thread count"
        )
    assert seen, f"{overlay}: no Koku API sets GUNICORN_THREADS"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_koku_gunicorn_sets_pod_cpu_limit(overlay: str) -> None:
    # KOKU:koku/gunicorn_conf.py:42-43: workers default to POD_CPU_LIMIT*2+1 and POD_CPU_LIMIT to the NODE's
    # multiprocessing.cpu_count(): on a 64-core node an unset POD_CPU_LIMIT forks 129 workers into one pod
    # (and GUNICORN_THREADS=True sizes threads from it too, gunicorn_conf.py:44-46).
    # The image's default command is gunicorn (KOKU:Dockerfile:101, scripts/entrypoint.sh).
    missing = []
    for template, container in _containers(overlay, KOKU_IMAGE):
        command = _command(container)
        runs_gunicorn = "gunicorn" in command or (not container.get("command") and not container.get("args"))
        if runs_gunicorn and "POD_CPU_LIMIT" not in _plain_env(container):
            missing.append(template.ref)
    assert not missing, f"{overlay}: gunicorn sized from the node's CPU count: {missing}"


# ---------------------------------------------------------------- env the program never reads

UNREAD_ENV = {
    KOKU_IMAGE: {
        "KAFKA_TOPIC": "KOKU:koku/masu/external/kafka_msg_handler.py:825 subscribes the constant UPLOAD_TOPIC",
        "KAFKA_CONSUMER_GROUP_ID": "KOKU:koku/masu/external/kafka_msg_handler.py:819 hard-codes group hccm-group",
        "CELERY_RESULT_EXPIRES": "KOKU:koku/koku/settings.py:681 is a constant (Celery reads settings, not env)",
        "CELERY_LOG_LEVEL": "not read by Koku; the beat command itself says -l info",
        "USE_READREPLICA": "KOKU:koku/koku/configurator.py:592, read only by ClowderConfigurator",
    },
    ROS_IMAGE: {
        "CLOWDER_ENABLED": "ACG:pkg/api/v1/config.go:37-38: Clowder mode is keyed on ACG_CONFIG existing",
        "PATH_PREFIX": "no viper key in ROS:internal/config/config.go (env_complete contract)",
        "DB_POOL_SIZE": "no viper key in ROS:internal/config/config.go",
        "DB_MAX_OVERFLOW": "no viper key in ROS:internal/config/config.go",
        "KRUIZE_WAIT_TIME": "ROS:internal/config/config.go:45,231 parses it into a field no code reads",
    },
}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_env_the_program_never_reads(overlay: str) -> None:
    found = []
    for image, unread in UNREAD_ENV.items():
        for template, container in _containers(overlay, image):
            for name in sorted(set(_plain_env(container)) & set(unread)):
                found.append(f"{template.ref} {name}: {unread[name]}")
    assert not found, "\n".join(found)


# ---------------------------------------------------------------- Kafka topics

# Every topic a contract says some workload produces or consumes (KAFKA_AUTO_CREATE_TOPICS_ENABLE=false).
CONTRACT_TOPICS = {
    "platform.upload.announce": "ING:internal/validators/kafka/kafka.go:64-66; KOKU:kafka_msg_handler.py:825",
    "platform.payload-status": "ING:cmd/insights-ingress/main.go:93-100",
    "platform.upload.validation": "KOKU:koku/masu/external/kafka_msg_handler.py:555 (listener)",
    "hccm.ros.events": "KOKU:koku/masu/external/ros_report_shipper.py:136; ROS:cmd/start.go:26",
    "rosocp.kruize.recommendations": "ROS:internal/services/report_processor.go:249; ROS:cmd/start.go:37",
    "platform.sources.event-stream": "KOKU:koku/sources/kafka_publisher.py:107; ROS:housekeeper/sourcesCleaner.go:34",
    "platform.notifications.ingress": "KOKU:koku/koku/notifications.py:111 (workers)",
    "platform.rhsm-subscriptions.service-instance-ingress": "KOKU:koku/subs/subs_data_messenger.py:162 (workers)",
}


def _created_topics(overlay: str) -> set[str]:
    """Topics the kafka-topics Job's `for topic in ...` loop creates, plus any Strimzi KafkaTopic."""
    created: set[str] = set()
    for obj in built(overlay):
        if obj["kind"] == "KafkaTopic":
            created.add(str(obj.get("spec", {}).get("topicName") or obj["metadata"]["name"]))
    for template in pod_templates(built(overlay)):
        if template.name != "kafka-topics":
            continue
        for container in template.app_containers():
            loop = re.search(r"for topic in ([^;]+);", _command(container))
            assert loop, "kafka-topics: no `for topic in ...;` loop"
            created.update(word for word in loop.group(1).split() if word != "\\")
    return created


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_contract_topic_is_created(overlay: str) -> None:
    created = _created_topics(overlay)
    missing = {topic: source for topic, source in CONTRACT_TOPICS.items() if topic not in created}
    assert not missing, f"{overlay}: topics used but never created (auto-create is off): {missing}"
