"""Checks of the identity section and of what it implies for the components (one FILE:LINE error each)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rosgit.catalog.model import ALL_AUTHORIZATION, Catalog, Component
from rosgit.catalog.profiles import AUTHORIZATION_VARS
from rosgit.catalog.schema import Reader

# insights-rbac's API, whose presence `rbac` mode needs (else Koku answers 424 to every request)
RBAC_API_ROLE = "rbac-api"
# a realm role and an audience are written into the gateway's Lua and YAML as they are
_NAME = re.compile(r"^[A-Za-z0-9._:-]+$")
_SECONDS = re.compile(r"^[1-9][0-9]*s$")


def _https_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "must be an https:// URL (tokens and keys must not travel in the clear)"
    if not parts.hostname:
        return "has no host"
    return None


def _line(reader: Reader, path: str, owner: object) -> int | None:
    return reader.line_at(path) or reader.line_of(owner)


def check_identity(catalog: Catalog, reader: Reader) -> None:
    _check_exposed_paths(catalog, reader)
    identity = catalog.identity
    if identity is None:
        _check_no_mode_components(catalog, reader)
        return
    oidc = identity.oidc
    base = "catalog.identity.oidc"
    for key, url in (("issuer", oidc.issuer), ("jwksUri", oidc.jwks_uri)):
        problem = _https_problem(url)
        if problem:
            raise reader.fail(_line(reader, f"{base}.{key}", oidc), f"identity.oidc.{key} {url!r} {problem}")
    if not oidc.audiences:
        raise reader.fail(
            _line(reader, f"{base}.audiences", oidc),
            "identity.oidc.audiences: name at least one client id a token's aud must hold",
        )
    for index, audience in enumerate(oidc.audiences):
        if not _NAME.match(audience):
            raise reader.fail(
                _line(reader, f"{base}.audiences[{index}]", oidc),
                f"identity.oidc.audiences: {audience!r} is not a client id (letters, digits, . _ : -)",
            )
    if not _NAME.match(oidc.org_admin_role):
        raise reader.fail(
            _line(reader, f"{base}.orgAdminRole", oidc),
            f"identity.oidc.orgAdminRole: {oidc.org_admin_role!r} is not a role name (letters, digits, . _ : -)",
        )
    secret = catalog.secret(oidc.ca.name) if oidc.ca is not None else None
    if oidc.ca is not None and (secret is None or oidc.ca.key not in secret.keys):
        raise reader.fail(
            _line(reader, f"{base}.ca", oidc),
            f"identity.oidc.ca: {oidc.ca.name}/{oidc.ca.key} is not declared under secrets:",
        )
    _check_gateway(catalog, reader)
    _check_modes(catalog, reader)


def _check_no_mode_components(catalog: Catalog, reader: Reader) -> None:
    """Without identity: there is no authorization mode, so no component may run in one mode only."""
    for component in catalog.components:
        if component.enabled and set(component.authorization) != set(ALL_AUTHORIZATION):
            raise reader.fail(
                _line(reader, "", component),
                f"component {component.name!r}: authorization {', '.join(component.authorization)} needs an "
                "identity: section (the overlays' authorization mode comes from it)",
            )


def _check_exposed_paths(catalog: Catalog, reader: Reader) -> None:
    claimed: dict[str, Component] = {}
    for component in catalog.components:
        if component.expose is None:
            continue
        line = _line(reader, "", component)
        path = component.expose.path
        if not path.startswith("/") or (path != "/" and path.endswith("/")):
            raise reader.fail(line, f"component {component.name!r}: expose.path {path!r} must start with '/' and "
                              "not end with '/'")
        if not _SECONDS.match(component.expose.timeout):
            raise reader.fail(line, f"component {component.name!r}: expose.timeout {component.expose.timeout!r} "
                              "must be whole seconds, e.g. 300s")
        owner = claimed.setdefault(path, component)
        if owner is not component:
            raise reader.fail(line, f"component {component.name!r}: expose.path {path!r} is already claimed by "
                              f"{owner.name!r}")


def _check_gateway(catalog: Catalog, reader: Reader) -> None:
    identity = catalog.identity
    assert identity is not None
    line = _line(reader, "catalog.identity.gateway", identity)
    gateway = catalog.component(identity.gateway)
    if gateway is None or not gateway.enabled:
        raise reader.fail(line, f"identity.gateway: {identity.gateway!r} is not an enabled component")
    if gateway.expose is None or gateway.service is None:
        raise reader.fail(line, f"identity.gateway: {gateway.name!r} needs expose: and service: (it is the one "
                          "published endpoint)")
    if gateway.port("http") is None:
        raise reader.fail(line, f"identity.gateway: {gateway.name!r} needs a port named http (its listener)")
    if gateway.config is not None:
        raise reader.fail(line, f"identity.gateway: {gateway.name!r} has a config: of its own; rosgit generates "
                          "its Envoy configuration")
    if not any(c.expose is not None and c is not gateway for c in catalog.components):
        raise reader.fail(line, "identity.gateway: no other component has expose:, so the gateway routes nowhere")
    for component in catalog.components:
        if component.expose is not None and component.service is None:
            raise reader.fail(_line(reader, "", component),
                              f"component {component.name!r}: expose: needs a service: (the gateway's route target)")


def _check_modes(catalog: Catalog, reader: Reader) -> None:
    identity = catalog.identity
    assert identity is not None
    rbac_api = [c for c in catalog.components if c.enabled and c.role == RBAC_API_ROLE]
    for name, profile in catalog.profiles.items():
        for var in AUTHORIZATION_VARS:
            if var in profile.vars:
                raise reader.fail(_line(reader, f"catalog.profiles.{name}.vars.{var}", profile),
                                  f"profile {name!r}: vars.{var} is derived from the authorization mode; "
                                  "set authorization: instead")
    modes = [("identity.authorization", identity.authorization, _line(reader, "catalog.identity.authorization",
                                                                     identity))]
    modes += [(f"profile {name!r}: authorization", p.authorization, _line(reader, f"catalog.profiles.{name}"
                                                                                  ".authorization", p))
              for name, p in catalog.profiles.items() if p.authorization is not None]
    for where, mode, line in modes:
        if mode == "rbac" and not rbac_api:
            # Koku with DEVELOPMENT=False and ENHANCED_ORG_ADMIN=False asks RBAC on every request and answers
            # 424 when it cannot reach it (runtime-facts §2 fact 13)
            raise reader.fail(line, f"{where} rbac needs insights-rbac: no enabled component has role "
                              f"{RBAC_API_ROLE!r}, so Koku would answer 424 to every request")
