"""Env values read as the programs read them: table-driven, and django-environ's booleans checked
against django-environ itself."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

from rosgit.contracts.model import EnvFact
from rosgit.contracts.parsers import django_environ_bool, parse_int, value_problem
from tests.conftest import missing_under_ci_fails

BOOL_TEXTS = ["true", "True", "TRUE", " yes ", "on", "ok", "y", "Y", "1", "4", "-1", "+1", " 1 ", "1_0", "0", "00",
              "false", "False", "off", "no", "n", "", "enabled", "1.0", "0x1", "t", "nope", "١"]


def _fact(type_: str, parser: str = "other", values: list[str] | None = None) -> EnvFact:
    return EnvFact(name="X", source="A:x", type=type_, parser=parser, values=values)  # type: ignore[arg-type]


def _django_environ() -> ModuleType:
    """The real django-environ (a dev extra): missing fails under CI, skips elsewhere."""
    try:
        return importlib.import_module("environ")
    except ModuleNotFoundError:
        missing_under_ci_fails("django-environ is not installed (pip install -e '.[dev]')")


def test_django_environ_booleans_match_django_environ() -> None:
    environ = _django_environ()
    for text in BOOL_TEXTS:
        assert django_environ_bool(text) is environ.Env.parse_value(text, bool), text


def test_django_environ_integers_match_django_environ() -> None:
    environ = _django_environ()
    for text in [" 5 ", "+7", "1_000", "-3"]:
        assert parse_int(text, "django-environ") == environ.Env.parse_value(text, int), text


@pytest.mark.parametrize(
    ("type_", "parser", "value", "ok"),
    [
        # django-environ never fails on a bool: what it silently reads as False is the problem
        ("bool", "django-environ", "4", True),
        ("bool", "django-environ", "ok", True),
        ("bool", "django-environ", "false", True),
        ("bool", "django-environ", "", True),
        ("bool", "django-environ", "enabled", False),
        ("bool", "django-environ", "1.0", False),
        # Go strconv.ParseBool
        ("bool", "go-viper", "t", True),
        ("bool", "go-os", "True", True),
        ("bool", "go-os", "yes", False),
        ("bool", "go-os", "tRUE", False),
        # Java Boolean.parseBoolean reads everything but "true" as false
        ("bool", "java-system-env", "TRUE", True),
        ("bool", "java-system-env", "1", False),
        ("bool", "shell", "yes", True),
        ("bool", "shell", "4", False),
        ("int", "django-environ", " 5 ", True),
        ("int", "django-environ", "five", False),
        ("int", "go-os", " 5", False),
        ("int", "go-os", "9223372036854775807", True),
        ("int", "go-os", "9223372036854775808", False),
        ("int", "java-system-env", "2147483648", False),
        ("int", "java-system-env", "-2147483648", True),
        ("port", "go-viper", "5005", True),
        ("port", "go-viper", "0", False),
        ("port", "go-viper", "65536", False),
        ("port", "django-environ", "80a", False),
        ("url", "other", "http://minio:9000", True),
        ("url", "other", "minio:9000", False),
        ("url", "other", "http://[::1", False),
        ("hostport", "go-os", "kafka:9092", True),
        ("hostport", "go-os", "[::1]:9092", True),
        ("hostport", "go-os", "kafka", False),
        ("hostport", "go-os", "kafka:port", False),
        ("hostport", "go-os", "::1:9092", False),
        ("duration", "go-viper", "300ms", True),
        ("duration", "go-viper", "1h30m", True),
        ("duration", "go-viper", "-1.5h", True),
        ("duration", "go-viper", "0", True),
        ("duration", "go-viper", "10", False),
        ("duration", "go-viper", "1d", False),
        ("json", "other", '{"a": [1]}', True),
        ("json", "other", "{a: 1}", False),
        ("csv", "django-environ", "a,,b", True),
        ("string", "other", "anything", True),
        ("path", "other", "/var/tmp", True),
    ],
)
def test_values_parse_as_the_program_parses_them(type_: str, parser: str, value: str, ok: bool) -> None:
    problem = value_problem(_fact(type_, parser), value)
    assert (problem is None) is ok, problem


def test_enum_values() -> None:
    fact = _fact("enum", values=["debug", "info"])
    assert value_problem(fact, "info") is None
    assert value_problem(fact, "INFO") == "not one of debug, info"
