"""The typed image contract: what the program in one catalog image needs and offers, each fact with its source.

The YAML format is fixed by issue 10 (docs in the loader); keys are snake_case, so fields whose name has an
underscore say their key explicitly (the catalog Reader otherwise reads camelCase keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EnvType = Literal["string", "bool", "int", "port", "url", "hostport", "duration", "json", "enum", "csv", "path"]
ParserName = Literal[
    "django-environ",
    "os-environ",
    "go-viper",
    "go-os",
    "java-system-env",
    "shell",
    "kafka-docker-wrapper",
    "minio",
    "postgres-image",
    "other",
]
Protocol = Literal["http", "tcp", "kafka", "postgres", "redis", "thrift"]
# Who may write a path in the image (its mode bits and owner as the Dockerfile leaves them): only the image's
# USER (`owner`), also any process in group 0 (`root-group`), or every user (`anyone`). `unknown` (the default)
# when the build files were not read or do not say: such a path is not judged.
WritableBy = Literal["owner", "root-group", "anyone", "unknown"]


def _key(name: str) -> dict[str, str]:
    return {"key": name}


@dataclass(frozen=True)
class Condition:
    """A setting of the program under which a fact holds: env `env` reads as `is` (compared the way the
    program reads that variable, see rosgit.contracts.conditions). `source` is the code making the fact
    depend on it."""

    env: str
    is_: str = field(metadata=_key("is"))
    source: str
    note: str = ""


# The `when:` of a fact: one condition or a list of them, all must hold (none: the fact always holds).
WHEN = {"key": "when", "mapping_ok": True}


@dataclass(frozen=True)
class User:
    """The image's USER as the Dockerfile writes it; `uid` only when the number is known."""

    name: str
    source: str
    uid: int | None = None
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)

    @property
    def numeric(self) -> bool:
        return self.name.isdigit()


@dataclass(frozen=True)
class Write:
    """A path the program writes. `writable_by` describes the path in the image, or when the image lacks it
    the directory the program creates it in; `writable_source` is the build line that sets that owner and
    mode (required unless `writable_by` is unknown)."""

    path: str
    source: str
    writable_by: WritableBy = field(default="unknown", metadata=_key("writable_by"))
    writable_source: str | None = field(default=None, metadata=_key("writable_source"))
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)


@dataclass(frozen=True)
class EnvFact:
    name: str
    source: str
    required: bool = False
    type: EnvType = "string"
    parser: ParserName = "other"
    values: list[str] | None = None
    default: str | None = None
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)


@dataclass(frozen=True)
class Serve:
    name: str
    port: int
    source: str
    env: str | None = None
    protocol: Protocol = "tcp"
    paths: list[str] = field(default_factory=list)
    metrics: bool = False
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)


@dataclass(frozen=True)
class Topic:
    topic: str
    source: str
    env: str | None = None
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)


@dataclass(frozen=True)
class Kafka:
    produces: list[Topic] = field(default_factory=list)
    consumes: list[Topic] = field(default_factory=list)


@dataclass(frozen=True)
class Bucket:
    source: str
    env: str | None = None
    default: str | None = None
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)


@dataclass(frozen=True)
class Route:
    queue: str
    source: str
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)


@dataclass(frozen=True)
class Celery:
    routes: list[Route] = field(default_factory=list)
    consumes_arg: str | None = field(default=None, metadata=_key("consumes_arg"))


@dataclass(frozen=True)
class Extension:
    name: str
    source: str
    database_env: str | None = field(default=None, metadata=_key("database_env"))
    superuser: bool = False
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)


@dataclass(frozen=True)
class Role:
    user_env: str = field(metadata=_key("user_env"))
    source: str
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)


@dataclass(frozen=True)
class DatabaseFact:
    name_env: str = field(metadata=_key("name_env"))
    source: str
    owner_env: str | None = field(default=None, metadata=_key("owner_env"))
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)


@dataclass(frozen=True)
class Database:
    extensions: list[Extension] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    databases: list[DatabaseFact] = field(default_factory=list)


@dataclass(frozen=True)
class File:
    path: str
    source: str
    note: str = ""
    when: list[Condition] = field(default_factory=list, metadata=WHEN)


@dataclass(frozen=True)
class Mode:
    """One way the image is run; it applies when every `match` substring is in the command+args."""

    name: str
    match: list[str] = field(default_factory=list)
    env: list[EnvFact] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    serves: list[Serve] = field(default_factory=list)
    kafka: Kafka = field(default_factory=Kafka)
    buckets: list[Bucket] = field(default_factory=list)
    celery: Celery = field(default_factory=Celery)
    database: Database = field(default_factory=Database)
    files: list[File] = field(default_factory=list)
    note: str = ""

    def matches(self, command_line: str) -> bool:
        return all(part in command_line for part in self.match)


@dataclass(frozen=True)
class ImageContract:
    api_version: Literal["rosgit.io/v1alpha1"]
    kind: Literal["ImageContract"]
    image: str
    repository: str
    tag: str
    sources: dict[str, str]
    user: User | None = None
    writes: list[Write] = field(default_factory=list)
    env: list[EnvFact] = field(default_factory=list)
    env_complete: bool = field(default=False, metadata=_key("env_complete"))
    modes: list[Mode] = field(default_factory=list)
    note: str = ""

    def mode_for(self, command_line: str) -> Mode | None:
        """The first mode whose `match` substrings all occur in the container's command and args."""
        return next((mode for mode in self.modes if mode.matches(command_line)), None)

    def env_facts(self, mode: Mode | None) -> list[EnvFact]:
        return [*self.env, *(mode.env if mode else [])]

    def writes_for(self, mode: Mode | None) -> list[Write]:
        return [*self.writes, *(mode.writes if mode else [])]

    def read_env(self) -> set[str]:
        """Every variable the program reads in any mode (the typo check's allow-list)."""
        return {fact.name for fact in self.env} | {fact.name for mode in self.modes for fact in mode.env}

    def cite(self, source: str) -> str:
        """A fact's `ALIAS:path[:line]` with the alias spelt out: `owner/repo@commit:path[:line]`."""
        alias, _, rest = source.partition(":")
        return f"{self.sources.get(alias, alias)}:{rest}"
