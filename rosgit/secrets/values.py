"""Where secret values come from: files, env files (or stdin), ROSGIT_SECRET_* variables, or generation.

Values never come from command-line arguments (argv is visible to every user of the machine) and are never
printed; errors name the source (file:line, variable name) and the secret key, never the value.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rosgit.catalog.model import Catalog, SecretKey
from rosgit.errors import UsageError

ENV_PREFIX = "ROSGIT_SECRET_"
# Django's own get_random_secret_key alphabet without "$": Koku reads DJANGO_SECRET_KEY with django-environ
# (0.14.0, pinned in Koku's Pipfile.lock), whose Env.get_value treats a value starting with "$" as the NAME of
# another variable (environ/environ.py:536-540, "Resolve any proxied values"). That name is never set, so ~1 key
# in 50 would silently fall back to Koku's public development key. Only the first character is dangerous, but
# one alphabet for every position keeps the rule obvious and costs under 0.1 bit per character.
DJANGO_CHARS = string.ascii_lowercase + string.digits + "!@#%^&*(-_=+)"
ALNUM = string.ascii_letters + string.digits
DEFAULT_LENGTHS = {
    "password": 32,
    "django-secret-key": 50,
    "access-key": 20,
    "secret-key": 40,
    "username": 16,
}

SecretRef = tuple[str, str]

# What may stand before the "=" of a value-file line: a SECRET/KEY (DNS-style names) or an environment name.
_NAME_SHAPE = re.compile(r"[a-z0-9][a-z0-9.-]*/[A-Za-z0-9._-]+|[A-Z_][A-Z0-9_]*")
_NOT_SHOWN = "(the line is not shown: it may hold a value)"
_MALFORMED_LINE = f"expected SECRET/KEY=VALUE or ROSGIT_SECRET_<SECRET>_<KEY>=VALUE {_NOT_SHOWN}"


@dataclass(frozen=True)
class ValueInputs:
    """What the user passed: `--from-file SECRET/KEY=PATH`, `--from-env-file FILE` ('-' = stdin), the env."""

    from_files: list[str] = field(default_factory=list)
    env_files: list[str] = field(default_factory=list)
    environ: Mapping[str, str] = field(default_factory=dict)
    stdin: TextIO | None = None


def env_var_name(secret: str, key: str) -> str:
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", f"{secret}_{key}".upper())


def _env_names(catalog: Catalog) -> dict[str, SecretRef]:
    names: dict[str, SecretRef] = {}
    for spec in catalog.secrets:
        for key in spec.keys:
            name = env_var_name(spec.name, key)
            if name in names:
                other = "/".join(names[name])
                raise UsageError(
                    f"secrets {other} and {spec.name}/{key} both map to ${name}; use --from-file for them"
                )
            names[name] = (spec.name, key)
    return names


def _declared(
    catalog: Catalog, secret: str, key: str, where: str, usable: set[str], *, echo: bool = True
) -> SecretRef:
    """The declared (secret, key); `echo=False` for text read from a value file, whose unknown names may be
    a value that lost its `SECRET/KEY=` prefix: then only catalog names appear in the message."""
    spec = catalog.secret(secret)
    if spec is None:
        known = ", ".join(s.name for s in catalog.secrets)
        named = f"secret {secret!r}" if echo else "the secret named on this line"
        raise UsageError(f"{named} is not declared under secrets: (declared: {known})", location=where)
    if key not in spec.keys:
        known = ", ".join(sorted(spec.keys))
        named = f"key {key!r}" if echo else "the key named on this line"
        raise UsageError(f"{named} is not declared for secret {secret!r} (declared: {known})", location=where)
    if secret not in usable:
        raise UsageError(f"secret {secret!r} is not used by this overlay's components", location=where)
    return (secret, key)


def _split_ref(text: str, where: str, *, echo: bool = True) -> tuple[str, str]:
    secret, slash, key = text.partition("/")
    if not slash or not secret or not key:
        got = f", got {text!r}" if echo else ""
        raise UsageError(f"expected SECRET/KEY{got}", location=where)
    return secret.strip(), key.strip()


def declared_refs(catalog: Catalog, usable: list[str], refs: list[str], option: str) -> frozenset[SecretRef]:
    """`SECRET/KEY` arguments of an option (names, never values), each declared and used by the overlay."""
    usable_set = set(usable)
    return frozenset(
        _declared(catalog, *_split_ref(text, f"{option} {text}"), f"{option} {text}", usable_set)
        for text in refs
    )


def _put(
    values: dict[SecretRef, bytes], origins: dict[SecretRef, str], ref: SecretRef, value: bytes, where: str
) -> None:
    if not value:
        raise UsageError(f"empty value for {ref[0]}/{ref[1]}", location=where)
    if ref in values:
        raise UsageError(
            f"{ref[0]}/{ref[1]} is also given by {origins[ref]}; give each value once", location=where
        )
    values[ref] = value
    origins[ref] = where


def _read_value_file(source: str, inputs: ValueInputs) -> tuple[str, str]:
    """The text of an env file ('-' = stdin) and its label; decoding errors name no byte (it may be a value)."""
    label = "<stdin>" if source == "-" else source
    try:
        if source != "-":
            return Path(source).read_text(encoding="utf-8"), label
        if inputs.stdin is None:
            raise UsageError("no standard input to read values from", location="--from-env-file -")
        return inputs.stdin.read(), label
    except UnicodeDecodeError:
        raise UsageError("is not UTF-8 text", location=label) from None
    except OSError as err:
        raise UsageError(f"cannot read env file: {err.strerror}", location=label) from None


def collect_values(catalog: Catalog, usable: list[str], inputs: ValueInputs) -> dict[SecretRef, bytes]:
    """Every value the user provided, checked against the catalog's declared secret keys."""
    usable_set = set(usable)
    values: dict[SecretRef, bytes] = {}
    origins: dict[SecretRef, str] = {}
    env_names = _env_names(catalog)
    for spec_text in inputs.from_files:
        where = f"--from-file {spec_text.partition('=')[0]}"
        ref_text, eq, path_text = spec_text.partition("=")
        if not eq or not path_text:
            raise UsageError("expected --from-file SECRET/KEY=PATH", location=where)
        ref = _declared(catalog, *_split_ref(ref_text, where), where, usable_set)
        try:
            data = Path(path_text).read_bytes()
        except OSError as err:
            raise UsageError(f"cannot read {path_text}: {err.strerror}", location=where) from None
        _put(values, origins, ref, data, f"{path_text}")
    for source in inputs.env_files:
        text, label = _read_value_file(source, inputs)
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.rstrip("\r")
            where = f"{label}:{number}"
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, eq, value = line.partition("=")
            name = name.strip()
            # The line is never quoted back: a value piped without its prefix, or a line with a space for
            # the "=", would otherwise land in CI logs as "the name".
            if not eq or not _NAME_SHAPE.fullmatch(name):
                raise UsageError(_MALFORMED_LINE, location=where)
            if "/" in name:
                ref = _declared(catalog, *_split_ref(name, where, echo=False), where, usable_set, echo=False)
            elif name in env_names:
                ref = _declared(catalog, *env_names[name], where, usable_set)
            else:
                raise UsageError(
                    f"names no declared secret key {_NOT_SHOWN}",
                    location=where,
                )
            _put(values, origins, ref, value.encode(), where)
    for name in sorted(inputs.environ):
        if not name.startswith(ENV_PREFIX):
            continue
        where = f"${name}"
        if name not in env_names:
            raise UsageError("names no secret key declared under secrets: in the catalog", location=where)
        secret, key = env_names[name]
        if secret not in usable_set:
            continue  # the environment is shared by every overlay; other overlays' secrets are not an error
        _put(values, origins, (secret, key), inputs.environ[name].encode(), where)
    return values


def generate_value(spec: SecretKey) -> str | None:
    """A fresh random value of the declared shape; None when it must be provided."""
    if spec.generate == "none":
        return None
    length = spec.length or DEFAULT_LENGTHS[spec.generate]
    if spec.generate == "django-secret-key":
        alphabet = DJANGO_CHARS
    elif spec.generate == "access-key":
        alphabet = string.ascii_uppercase + string.digits
    elif spec.generate == "username":
        first = secrets.choice(string.ascii_lowercase)
        return first + "".join(
            secrets.choice(string.ascii_lowercase + string.digits) for _ in range(length - 1)
        )
    else:
        alphabet = ALNUM
    return "".join(secrets.choice(alphabet) for _ in range(length))
