"""Env values read the way the programs read them, so a value the program would reject or misread is found
before a pod crash-loops on it.

The semantics are taken from the parsers' own code:
- django-environ 0.14 `Env.parse_value(value, bool)`: `int(value) != 0` if Python's int() accepts the text
  (so "4", "-1" and " 1 " are true), else `value.lower().strip() in ('true', 'on', 'ok', 'y', 'yes', '1')`.
  It never fails: anything else is silently False, which is the misreading reported here (unless the text
  is a plain spelling of false). Integers go through Python's int().
- Go `strconv.ParseBool`: 1 t T TRUE true True / 0 f F FALSE false False, nothing else; `strconv.Atoi`:
  an optional sign and decimal digits within int64; `time.ParseDuration`: signed sequence of decimal numbers
  with units ns us µs ms s m h, or "0"; `net.SplitHostPort`: host:port, IPv6 in brackets.
- Java `Boolean.parseBoolean`: true only for "true" in any case, all else false; `Integer.parseInt`: sign
  and digits within 32 bits.
Parsers the contracts name without a model here (shell, other, ...) get the common reading: true/false,
yes/no, 1/0 in any case, and decimal integers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from rosgit.contracts.model import EnvFact

DJANGO_ENVIRON_TRUE = ("true", "on", "ok", "y", "yes", "1")
# What people write when they mean false; django-environ reads these as False, as intended.
_PLAIN_FALSE = ("false", "off", "no", "n", "0", "")
GO_BOOL = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
           "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}
_DECIMAL = re.compile(r"[+-]?[0-9]+")
_GO_DURATION = re.compile(r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+")
PYTHON_PARSERS = ("django-environ", "os-environ")
GO_PARSERS = ("go-viper", "go-os", "minio")


def django_environ_bool(value: str) -> bool:
    """What django-environ's Env.bool returns for the text."""
    try:
        return int(value) != 0
    except ValueError:
        return value.lower().strip() in DJANGO_ENVIRON_TRUE


def _python_int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _bounded_decimal(value: str, bits: int) -> int | None:
    if not _DECIMAL.fullmatch(value):
        return None
    number = int(value)
    return number if -(2 ** (bits - 1)) <= number < 2 ** (bits - 1) else None


def parse_int(value: str, parser: str) -> int | None:
    """The integer the program reads, or None when its parser rejects the text."""
    if parser in PYTHON_PARSERS:
        return _python_int(value)
    if parser == "java-system-env":
        return _bounded_decimal(value, 32)
    return _bounded_decimal(value, 64)


def bool_problem(value: str, parser: str) -> str | None:
    if parser == "django-environ":
        if django_environ_bool(value) or value.lower().strip() in _PLAIN_FALSE:
            return None
        return "django-environ reads it as False (true is an integer other than 0 or one of " \
            f"{', '.join(DJANGO_ENVIRON_TRUE)})"
    if parser in GO_PARSERS:
        return None if value in GO_BOOL else "Go strconv.ParseBool rejects it (1 t T TRUE true True or the false forms)"
    if parser == "java-system-env":
        if value.lower() in ("true", "false"):
            return None
        return "Java Boolean.parseBoolean reads it as false (only \"true\", any case, is true)"
    if value.lower() in ("true", "false", "yes", "no", "1", "0"):
        return None
    return "not a boolean (true/false, yes/no, 1/0)"


def int_problem(value: str, parser: str) -> str | None:
    return None if parse_int(value, parser) is not None else f"not an integer as {parser} reads integers"


def port_problem(value: str, parser: str) -> str | None:
    number = parse_int(value, parser)
    if number is None:
        return f"not a port number as {parser} reads integers"
    return None if 1 <= number <= 65535 else f"port {number} is outside 1-65535"


def url_problem(value: str, _parser: str) -> str | None:
    try:
        parts = urlsplit(value)
    except ValueError as err:
        return f"not a URL ({err})"
    return None if parts.scheme and parts.netloc else "not a URL with a scheme and a host"


def hostport_problem(value: str, _parser: str) -> str | None:
    if value.startswith("["):
        host, bracket, port = value[1:].partition("]:")
        ok = bool(bracket)
    else:
        host, colon, port = value.rpartition(":")
        ok = bool(colon) and ":" not in host
    if not ok or not host:
        return "not host:port (net.SplitHostPort)"
    number = _bounded_decimal(port, 64)
    return None if number is not None and 1 <= number <= 65535 else f"port {port!r} is not a number in 1-65535"


def duration_problem(value: str, _parser: str) -> str | None:
    if value in ("0", "+0", "-0") or _GO_DURATION.fullmatch(value):
        return None
    return "not a Go duration (e.g. 300ms, 1.5h, 2h45m; units ns us ms s m h)"


def json_problem(value: str, _parser: str) -> str | None:
    try:
        json.loads(value)
    except ValueError as err:
        return f"not JSON ({err})"
    return None


def _always(_value: str, _parser: str) -> str | None:
    return None


CHECKS: dict[str, Callable[[str, str], str | None]] = {
    "bool": bool_problem,
    "int": int_problem,
    "port": port_problem,
    "url": url_problem,
    "hostport": hostport_problem,
    "duration": duration_problem,
    "json": json_problem,
    "string": _always,
    "csv": _always,
    "path": _always,
}


def value_problem(fact: EnvFact, value: str) -> str | None:
    """Why the program would reject or misread `value` for this variable, or None when it reads it fine."""
    if fact.type == "enum":
        allowed = fact.values or []
        return None if value in allowed else f"not one of {', '.join(allowed)}"
    return CHECKS[fact.type](value, fact.parser)


def _bool_reading(value: str, parser: str) -> bool | None:
    if parser == "django-environ":
        return django_environ_bool(value)
    if parser in GO_PARSERS:
        return GO_BOOL.get(value)
    if parser == "java-system-env":
        return value.lower() == "true"
    spelling = value.lower()
    return True if spelling in ("true", "yes", "1") else False if spelling in ("false", "no", "0") else None


def reading(fact: EnvFact, value: str) -> object | None:
    """What the program makes of `value` for this variable (a bool, an int, parsed JSON or the text itself),
    or None when its parser rejects the text. Two texts mean the same setting when their readings are equal:
    for a django-environ bool "False", "false", "0" and "no" all read as False."""
    if fact.type == "bool":
        return _bool_reading(value, fact.parser)
    if fact.type in ("int", "port"):
        return parse_int(value, fact.parser)
    if fact.type == "json":
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return None
    return value
