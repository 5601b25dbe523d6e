"""A fact's `when:` against the env a container gives: set, unset (the default decides), not visible
(a Secret: judged as applying), read the way the program reads the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.contracts.conditions import UNSET, Observed, applying, condition_holds
from rosgit.contracts.loader import load_contract
from rosgit.contracts.model import Condition, EnvFact

ONPREM = EnvFact(name="ONPREM", source="K:settings.py:59", type="bool", parser="django-environ", default="False")
OFF = Condition(env="ONPREM", is_="False", source="K:notifications.py:97")
ON = Condition(env="ONPREM", is_="True", source="K:view.py:77")


@pytest.mark.parametrize(
    ("condition", "observed", "holds"),
    [
        # django-environ bool: every spelling of false is the same setting
        (OFF, "False", True), (OFF, "false", True), (OFF, "0", True), (OFF, "no", True), (OFF, "off", True),
        (OFF, "True", False), (OFF, "true", False), (OFF, "1", False), (OFF, "yes", False),
        (OFF, "4", False),  # int("4") != 0: django-environ reads True
        (OFF, "maybe", True),  # not a spelling of true: django-environ silently reads False
        (ON, "True", True), (ON, " 1 ", True), (ON, "False", False), (ON, "0", False),
        # unset: the program's default (False) decides
        (OFF, UNSET, True), (ON, UNSET, False),
        # set from a Secret (not visible): judged as applying
        (OFF, None, True), (ON, None, True),
    ],
)
def test_a_bool_condition_compares_as_django_environ_reads(
    condition: Condition, observed: Observed, holds: bool
) -> None:
    assert condition_holds(condition, ONPREM, observed) is holds


def test_unset_without_a_default_is_judged_as_applying() -> None:
    fact = EnvFact(name="MODE", source="K:x.py:1", type="bool", parser="django-environ")
    assert condition_holds(Condition(env="MODE", is_="True", source="K:x.py:2"), fact, UNSET) is True
    assert condition_holds(Condition(env="MODE", is_="True", source="K:x.py:2"), fact, "False") is False


@pytest.mark.parametrize(
    ("fact", "wanted", "observed", "holds"),
    [
        (EnvFact(name="B", source="G:c.go:1", type="bool", parser="go-viper"), "false", "F", True),
        (EnvFact(name="B", source="G:c.go:1", type="bool", parser="go-viper"), "false", "true", False),
        (EnvFact(name="B", source="G:c.go:1", type="bool", parser="go-viper"), "false", "no", True),  # rejected
        (EnvFact(name="B", source="J:A.java:1", type="bool", parser="java-system-env"), "false", "yes", True),
        (EnvFact(name="N", source="K:x.py:1", type="int", parser="django-environ"), "8", "08", True),
        (EnvFact(name="N", source="K:x.py:1", type="int", parser="django-environ"), "8", "9", False),
        (EnvFact(name="S", source="K:x.py:1", type="string", parser="django-environ"), "database", "database", True),
        (EnvFact(name="S", source="K:x.py:1", type="string", parser="django-environ"), "database", "Database", False),
    ],
)
def test_other_types_compare_as_their_parser_reads(fact: EnvFact, wanted: str, observed: str, holds: bool) -> None:
    assert condition_holds(Condition(env=fact.name, is_=wanted, source="K:x.py:2"), fact, observed) is holds


CONTRACT = """\
apiVersion: rosgit.io/v1alpha1
kind: ImageContract
image: app
repository: quay.io/x/app
tag: "1.0"
sources: {APP: example/app@0123abcd}
writes:
  - {path: /cache, source: "APP:flags.py:9", when: {env: ONPREM, is: "False", source: "APP:flags.py:8"}}
  - {path: /tmp, source: "APP:settings.py:40"}
env:
  - {name: ONPREM, type: bool, parser: django-environ, default: "False", source: "APP:settings.py:59"}
  - {name: DEBUG, type: bool, parser: django-environ, default: "False", source: "APP:settings.py:60"}
modes:
  - name: worker
    match: [celery]
    env:
      - {name: TIER, type: enum, values: [a, b], parser: os-environ, default: a, source: "APP:celery.py:3"}
    kafka:
      produces:
        - {topic: off.only, source: "APP:kafka.py:1", when: {env: ONPREM, is: "0", source: "APP:kafka.py:2"}}
        - {topic: on.debug.only, source: "APP:kafka.py:5", when: [{env: ONPREM, is: "yes", source: "APP:kafka.py:6"},
                                                                {env: DEBUG, is: "on", source: "APP:kafka.py:7"}]}
        - {topic: always, source: "APP:kafka.py:9"}
    celery:
      routes:
        - {queue: tier-b, source: "APP:celery.py:10", when: {env: TIER, is: b, source: "APP:celery.py:9"}}
"""


def _applying(tmp_path: Path, env: dict[str, str | None]) -> tuple[list[str], list[str], list[str]]:
    path = tmp_path / "app.yaml"
    path.write_text(CONTRACT, encoding="utf-8")
    contract = load_contract(path)
    holding = applying(contract, lambda name: env.get(name, UNSET))
    [mode] = holding.modes
    return (
        [write.path for write in holding.writes],
        [topic.topic for topic in mode.kafka.produces],
        [route.queue for route in mode.celery.routes],
    )


def test_applying_keeps_only_the_facts_whose_when_holds(tmp_path: Path) -> None:
    assert _applying(tmp_path, {}) == (["/cache", "/tmp"], ["off.only", "always"], [])
    assert _applying(tmp_path, {"ONPREM": "true"}) == (["/tmp"], ["always"], [])
    assert _applying(tmp_path, {"ONPREM": "1", "DEBUG": "True", "TIER": "b"}) == (
        ["/tmp"], ["on.debug.only", "always"], ["tier-b"]
    )
    # values the overlay does not show: every fact is judged as applying
    assert _applying(tmp_path, {"ONPREM": None, "DEBUG": None, "TIER": None}) == (
        ["/cache", "/tmp"], ["off.only", "on.debug.only", "always"], ["tier-b"]
    )


def test_a_single_condition_and_a_list_load_as_conditions(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(CONTRACT, encoding="utf-8")
    produces = load_contract(path).modes[0].kafka.produces
    assert [(c.env, c.is_) for c in produces[0].when] == [("ONPREM", "0")]
    assert [(c.env, c.is_) for c in produces[1].when] == [("ONPREM", "yes"), ("DEBUG", "on")]
    assert list(produces[2].when) == []
