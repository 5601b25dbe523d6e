"""What the database clients of an overlay need from their database pod, from the image contracts
(rosgit/contracts/data/*.yaml, `database` facts of the mode a container's command selects, with `when:`
conditions judged against its env, as the lint's contract rules judge them).

Which database pod a client uses is rosgit.k8s.syncorder's `uses` (the Services its env and command name). The
password of a user named by env USER_ENV is read from the env named like it with USER/USERNAME replaced by
PASSWORD (DATABASE_USER/DATABASE_PASSWORD, DB_USER/DB_PASSWORD, database_username/database_password): the
spelling every contract here uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rosgit.catalog import Catalog
from rosgit.conformance.pod import Container
from rosgit.contracts.conditions import UNSET, Observe, Observed, applying
from rosgit.contracts.loader import ContractSet
from rosgit.contracts.model import Database, ImageContract, Mode
from rosgit.k8s.objects import Obj
from rosgit.k8s.syncorder import uses
from rosgit.kustomize import split_image


@dataclass(frozen=True)
class Need:
    """One thing a client container needs in its database pod before it runs."""

    client: Container
    database_pod: str  # the database workload
    what: str  # login | role | database | extension
    name: str  # the role, database or extension (for login: the user)
    database: str  # the database it is needed in (login: the one logged in to)
    field: str  # the client's env naming it: `env DATABASE_NAME`
    source: str  # the contract fact's source, spelt out
    user: str = ""
    password: str = ""  # a test value (never printed)
    superuser: bool = False  # extension: only a superuser may create it


_USER = re.compile(r"(USERNAME|USER|username|user)$")


def password_env(user_env: str) -> str:
    match = _USER.search(user_env)
    if not match:
        return ""
    return user_env[: match.start()] + ("password" if match.group(1).islower() else "PASSWORD")


def contract_of(container: Container, catalog: Catalog, contracts: ContractSet) -> ImageContract | None:
    """The contract of the container's image (matched by repository, as the catalog names images)."""
    by_repository = {split_image(image)[0]: key for key, image in catalog.images.items()}
    key = by_repository.get(split_image(container.image)[0])
    return contracts.get(key) if key else None


def holding_mode(container: Container, catalog: Catalog, contracts: ContractSet) -> tuple[ImageContract, Mode] | None:
    """The contract and the mode the container's command selects, with the facts whose `when:` does not hold
    for its env removed; None without a contract or a matching mode."""
    contract = contract_of(container, catalog, contracts)
    mode = contract.mode_for(" ".join(container.argv)) if contract else None
    if contract is None or mode is None:
        return None
    index = next(i for i, candidate in enumerate(contract.modes) if candidate is mode)
    return contract, applying(contract, observe_env(container)).modes[index]


def held_modes(
    containers: Iterable[Container], catalog: Catalog, contracts: ContractSet
) -> Iterator[tuple[Container, ImageContract, Mode]]:
    """Each container with a contract, with that contract and the mode holding for it (holding_mode)."""
    for container in containers:
        held = holding_mode(container, catalog, contracts)
        if held is not None:
            yield container, *held


def observe_env(container: Container) -> Observe:
    """What a container gives each variable, for the contracts' `when:` conditions (a Secret's is unknown)."""
    def observe(name: str) -> Observed:
        if name not in container.env:
            return UNSET
        return None if name in container.secret_env else container.env[name]
    return observe


def needs(objects: list[Obj], containers: list[Container], catalog: Catalog, contracts: ContractSet) -> list[Need]:
    """Every login, role, database and extension a client container needs, with the database pod it is needed in."""
    graph = uses(objects)
    database_pods = {c.workload for c in containers if "POSTGRESQL_DATABASE" in c.env or "POSTGRESQL_USER" in c.env}
    found: list[Need] = []
    for client, contract, mode in held_modes(containers, catalog, contracts):
        facts = mode.database
        if not (facts.roles or facts.databases or facts.extensions):
            continue
        for pod in sorted(graph.get(client.workload, set()) & database_pods):
            found.extend(_client_needs(client, pod, contract, facts))
    return found


def _client_needs(client: Container, pod: str, contract: ImageContract, facts: Database) -> list[Need]:
    env = client.env
    out: list[Need] = []
    database_of: dict[str, str] = {}
    for fact in facts.databases:
        name = env.get(fact.name_env, "")
        if not name:
            continue
        owner_env = fact.owner_env or ""
        user = env.get(owner_env, "")
        database_of[owner_env] = name
        out.append(Need(client, pod, "database", name, name, f"env {fact.name_env}", contract.cite(fact.source)))
        if user:
            secret = password_env(owner_env)
            out.append(Need(client, pod, "login", user, name, f"env {owner_env}/{secret}", contract.cite(fact.source),
                            user=user, password=env.get(secret, "")))
    for role in facts.roles:
        user = env.get(role.user_env, "")
        if user:
            out.append(Need(client, pod, "role", user, "postgres", f"env {role.user_env}", contract.cite(role.source)))
    for extension in facts.extensions:
        # created by the owner of the database it is created in (the program connects as that user)
        database = env.get(extension.database_env or "", "") or next(iter(database_of.values()), "")
        owner = next((u for u, d in database_of.items() if d == database), next(iter(database_of), ""))
        if not database:
            continue
        out.append(Need(client, pod, "extension", extension.name, database,
                        f"env {extension.database_env}" if extension.database_env else "its database",
                        contract.cite(extension.source), user=env.get(owner, ""),
                        password=env.get(password_env(owner), ""), superuser=extension.superuser))
    return out
