"""Kafka 4.1 KRaft from the broker pod's generated env (Kubernetes overlays run the apache/kafka StatefulSet)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.conformance.runner import run
from tests.conformance.conftest import component, failures, main_overlay, planted_overlay

pytestmark = pytest.mark.conformance


@pytest.mark.parametrize("overlay", ["minimal", "prod"])
def test_the_broker_starts_the_topic_job_creates_every_contract_topic_and_a_message_goes_round(
    programs: Callable[[str], None], overlay: str
) -> None:
    programs("kafka")
    results = run(main_overlay(overlay), component="kafka")
    names = [check.name for check in results]
    assert failures(results) == []
    assert "the broker starts from the generated env (KafkaDockerWrapper setup, then kafka.Kafka)" in names
    assert "env KAFKA_ADVERTISED_LISTENERS is broker setting advertised.listeners=PLAINTEXT://kafka:9092" in names
    assert "Job/kafka-topics script runs to completion" in names
    assert any(name.startswith("topic platform.upload.announce exists") for name in names)
    assert any(name.startswith("a message produced to ") for name in names)
    assert {name.split(" probe ")[0] for name in names if " probe " in name} == {"liveness", "readiness"}


def _misspell_advertised_listeners(data: dict[str, Any]) -> None:
    for entry in component(data, "kafka")["env"]:
        if entry["name"] == "KAFKA_ADVERTISED_LISTENERS":
            entry["name"] = "KAFKA_ADVERTISED_LISTENER"


def test_a_wrong_env_name_fails_naming_the_object_and_field(programs: Callable[[str], None], tmp_path: Path) -> None:
    programs("kafka")
    results = run(planted_overlay(tmp_path, "minimal", _misspell_advertised_listeners), component="kafka")
    assert failures(results) == [
        "FAIL kafka: env KAFKA_ADVERTISED_LISTENER is broker setting advertised.listener=PLAINTEXT://kafka:9092: "
        "StatefulSet/kafka container kafka env KAFKA_ADVERTISED_LISTENER: becomes advertised.listener, which the "
        "broker does not know: it reports advertised.listener=null (kafka-configs --describe --all)"
    ]
