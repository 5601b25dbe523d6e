"""The gateway's Envoy bootstrap, derived from the catalog: one listener, a route per `expose:` entry of the
other components (longest prefix first), JWT validation against the catalog's OIDC provider, and a Lua filter
that builds X-Rh-Identity from the validated claims, replacing whatever the client sent.

It becomes the gateway component's `config` (a hashed ConfigMap, so a change rolls the gateway). The parts a
profile decides (its authorization mode) are `${var}`s (rosgit.catalog.profiles.authorization_vars), filled in
per overlay and templated by the chart like every other config variable.

Facts this follows (../shared/reference/runtime-facts.md §2): the backends trust X-Rh-Identity as given, so the
gateway must overwrite it (fact 9); Koku needs `entitlements.cost_management.is_entitled`, `type` User with
`user.username`, `user.email` and `identity.org_id`, and reads `is_org_admin` as a raw truthy value, so it is a
JSON boolean (fact 12); the claims are Keycloak's (`org_id`, `account_number`, `preferred_username`, `email`,
`realm_access.roles`, facts 8 and 26).
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit

import yaml

from rosgit.catalog.model import Catalog, Component, ConfigFiles, Identity, Volume

CONFIG_NAME = "gateway-envoy"
CONFIG_DIR = "/etc/envoy"
CONFIG_FILE = "envoy.yaml"
LISTENER_PORT_NAME = "http"
# Envoy's admin interface answers only inside the pod (it can stop the server): never on the pod network
ADMIN_ADDRESS = "127.0.0.1"
ADMIN_PORT = 9901
# where the gateway mounts the OIDC provider's CA bundle (the Secret identity.oidc.ca)
CA_DIR = "/etc/oidc-ca"
# without identity.oidc.ca: the image's own trust store (envoyproxy/envoy is Ubuntu with ca-certificates,
# envoyproxy/envoy@019f458b ci/Dockerfile-envoy:20-26; update-ca-certificates writes this bundle)
SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
CA_VOLUME = "oidc-ca"
JWKS_CLUSTER = "oidc-jwks"
PROVIDER = "oidc"
PAYLOAD_KEY = "jwt_payload"
IDENTITY_HEADER = "x-rh-identity"

_LUA = """-- X-Rh-Identity from the claims jwt_authn validated; a client-sent header never reaches a backend.
local ORG_ADMIN_FOR_ALL = ${identityOrgAdminForAll}
local ORG_ADMIN_ROLE = "__ROLE__"
local ID_PATTERN = "^[%w._-]+$"

local function json_string(value)
  return '"' .. string.gsub(value, '[%c"\\\\]', function(c)
    return string.format("\\\\u%04x", string.byte(c))
  end) .. '"'
end

local function claim(payload, name)
  local value = payload[name]
  if type(value) == "number" and value == math.floor(value) then
    return string.format("%d", value)
  end
  if type(value) == "string" and value ~= "" then
    return value
  end
  return nil
end

local function identifier(payload, name)
  local value = claim(payload, name)
  if value == nil or #value > 128 or not string.find(value, ID_PATTERN) then
    return nil
  end
  return value
end

local function has_role(payload, role)
  local access = payload["realm_access"]
  if type(access) ~= "table" or type(access["roles"]) ~= "table" then
    return false
  end
  for _, name in ipairs(access["roles"]) do
    if name == role then
      return true
    end
  end
  return false
end

function envoy_on_request(handle)
  handle:headers():remove("__HEADER__")
  local metadata = handle:streamInfo():dynamicMetadata():get("envoy.filters.http.jwt_authn")
  local payload = metadata and metadata["__PAYLOAD__"]
  if type(payload) ~= "table" then
    handle:respond({[":status"] = "401"}, "no validated token")
    return
  end
  local org_id = identifier(payload, "org_id")
  local account = identifier(payload, "account_number")
  if org_id == nil or account == nil then
    handle:respond({[":status"] = "401"}, "the token has no valid org_id or account_number claim")
    return
  end
  local username = claim(payload, "preferred_username") or claim(payload, "sub") or "user"
  local email = claim(payload, "email") or (username .. "@example.com")
  local admin = ORG_ADMIN_FOR_ALL or has_role(payload, ORG_ADMIN_ROLE)
  local identity = '{"identity":{"account_number":' .. json_string(account)
    .. ',"org_id":' .. json_string(org_id)
    .. ',"internal":{"org_id":' .. json_string(org_id) .. '}'
    .. ',"type":"User","user":{"username":' .. json_string(username)
    .. ',"email":' .. json_string(email)
    .. ',"is_org_admin":' .. (admin and "true" or "false") .. '}}'
    .. ',"entitlements":{"cost_management":{"is_entitled":true}}}'
  handle:headers():replace("__HEADER__", handle:base64Escape(identity))
end
"""


def lua_script(identity: Identity) -> str:
    return (
        _LUA.replace("__ROLE__", identity.oidc.org_admin_role)
        .replace("__HEADER__", IDENTITY_HEADER)
        .replace("__PAYLOAD__", PAYLOAD_KEY)
    )


def routed(catalog: Catalog, platform: str | None = None) -> list[Component]:
    """The components the gateway routes to (their `expose:`), longest prefix first: Envoy takes the first
    match, so a longer prefix must come before the shorter one it lies inside."""
    assert catalog.identity is not None
    found = [
        c
        for c in catalog.components
        if c.enabled and c.expose is not None and c.name != catalog.identity.gateway
        and (platform is None or platform in c.platforms)
    ]
    return sorted(found, key=lambda c: (-len(c.expose.path if c.expose else ""), c.name))


def _socket(host: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": host, "port_value": port}}


def _cluster(name: str, host: str, port: int) -> dict[str, Any]:
    return {
        "name": name,
        "type": "STRICT_DNS",
        "connect_timeout": "5s",
        "dns_lookup_family": "V4_PREFERRED",
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [{"lb_endpoints": [{"endpoint": {"address": _socket(host, port)}}]}],
        },
    }


def _jwks_cluster(identity: Identity) -> dict[str, Any]:
    url = urlsplit(identity.oidc.jwks_uri)
    host = url.hostname or ""
    cluster = _cluster(JWKS_CLUSTER, host, url.port or 443)
    cluster["transport_socket"] = {
        "name": "envoy.transport_sockets.tls",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
            "sni": host,
            "common_tls_context": {
                "validation_context": {
                    "trusted_ca": {"filename": ca_file(identity)},
                    "match_typed_subject_alt_names": [{"san_type": "DNS", "matcher": {"exact": host}}],
                }
            },
        },
    }
    return cluster


def ca_file(identity: Identity) -> str:
    """The CA bundle the gateway checks the JWKS endpoint's certificate against."""
    ca = identity.oidc.ca
    return f"{CA_DIR}/{ca.key}" if ca is not None else SYSTEM_CA_BUNDLE


def _http_filters(identity: Identity) -> list[dict[str, Any]]:
    oidc = identity.oidc
    return [
        {
            "name": "envoy.filters.http.jwt_authn",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
                "providers": {
                    PROVIDER: {
                        "issuer": oidc.issuer,
                        "audiences": list(oidc.audiences),
                        "remote_jwks": {
                            "http_uri": {"uri": oidc.jwks_uri, "cluster": JWKS_CLUSTER, "timeout": "5s"},
                            "cache_duration": "300s",
                            "async_fetch": {"fast_listener": False},
                            "retry_policy": {"num_retries": 3},
                        },
                        # the backends need only the identity built from it: the token stays here
                        "forward": False,
                        "payload_in_metadata": PAYLOAD_KEY,
                    }
                },
                # every path needs a valid token
                "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": PROVIDER}}],
            },
        },
        {
            "name": "envoy.filters.http.lua",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua",
                "default_source_code": {"inline_string": lua_script(identity)},
            },
        },
        {
            "name": "envoy.filters.http.router",
            "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
        },
    ]


def _route(component: Component) -> dict[str, Any]:
    assert component.expose is not None
    return {
        # the prefix itself or the prefix then '/': /api/ingress never matches /api/ingressX
        "match": {"path_separated_prefix": component.expose.path},
        "route": {"cluster": component.service_name, "timeout": component.expose.timeout},
    }


def _connection_manager(catalog: Catalog, identity: Identity) -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3"
        ".HttpConnectionManager",
        "stat_prefix": "gateway",
        "codec_type": "AUTO",
        "use_remote_address": True,
        # a header spelt with underscores could alias a dashed one in a backend (X_Rh_Identity)
        "common_http_protocol_options": {"headers_with_underscores_action": "REJECT_REQUEST"},
        "normalize_path": True,
        "merge_slashes": True,
        "max_request_headers_kb": 96,
        "stream_idle_timeout": "300s",
        "access_log": [
            {
                "name": "envoy.access_loggers.stdout",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog"
                },
            }
        ],
        # jwt_authn answers 403 for a token of another audience and 401 otherwise; every token it refuses is
        # unauthenticated (RFC 6750 invalid_token). Only Envoy's own replies are mapped, never a backend's 403.
        "local_reply_config": {
            "mappers": [
                {
                    "filter": {
                        "status_code_filter": {
                            "comparison": {
                                "op": "EQ",
                                "value": {"default_value": 403, "runtime_key": "gateway.jwt_refused"},
                            }
                        }
                    },
                    "status_code": 401,
                }
            ]
        },
        "route_config": {
            "name": "gateway",
            "virtual_hosts": [
                {"name": "stack", "domains": ["*"], "routes": [_route(c) for c in routed(catalog)]}
            ],
        },
        "http_filters": _http_filters(identity),
    }


def envoy_bootstrap(catalog: Catalog, gateway: Component) -> dict[str, Any]:
    identity = catalog.identity
    assert identity is not None
    listener = gateway.port(LISTENER_PORT_NAME)
    assert listener is not None, "validated by the loader"
    clusters: dict[str, dict[str, Any]] = {}
    for component in routed(catalog):
        assert component.expose is not None
        port = component.port(component.expose.port)
        assert port is not None
        clusters.setdefault(component.service_name, _cluster(component.service_name, component.service_name, port.port))
    return {
        "admin": {"address": _socket(ADMIN_ADDRESS, ADMIN_PORT)},
        "static_resources": {
            "listeners": [
                {
                    "name": "gateway",
                    "address": _socket("0.0.0.0", listener.port),
                    "filter_chains": [
                        {
                            "filters": [
                                {
                                    "name": "envoy.filters.network.http_connection_manager",
                                    "typed_config": _connection_manager(catalog, identity),
                                }
                            ]
                        }
                    ],
                }
            ],
            "clusters": [*(clusters[name] for name in sorted(clusters)), _jwks_cluster(identity)],
        },
    }


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line strings (the Lua script stays readable in the generated file)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def envoy_config_text(catalog: Catalog, gateway: Component) -> str:
    return yaml.dump(envoy_bootstrap(catalog, gateway), Dumper=_Dumper, sort_keys=False, width=100000)


def with_gateway_config(catalog: Catalog) -> Catalog:
    """The catalog with the gateway component's `config` set to its generated Envoy bootstrap."""
    if catalog.identity is None:
        return catalog

    def configured(component: Component) -> Component:
        if component.name != catalog.identity.gateway:  # type: ignore[union-attr]
            return component
        files = {CONFIG_FILE: envoy_config_text(catalog, component)}
        volumes = list(component.volumes)
        ca = catalog.identity.oidc.ca  # type: ignore[union-attr]
        if ca is not None:
            volumes.append(Volume(CA_VOLUME, CA_DIR, secret=ca.name, read_only=True))
        return dataclasses.replace(component, config=ConfigFiles(CONFIG_NAME, CONFIG_DIR, files),
                                   volumes=type(component.volumes)(volumes))

    return dataclasses.replace(catalog, components=type(catalog.components)(map(configured, catalog.components)))
