"""The identity section: bad input is one FILE:LINE line and exit 2; good input derives the gateway's routes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.catalog.gateway import routed
from rosgit.catalog.profiles import resolve_profile
from tests.catalog.refusal import assert_generate_refuses
from tests.conftest import REPO_ROOT

CATALOG = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
ISSUER = "    issuer: https://keycloak.example.com/realms/kubernetes\n"
AUDIENCES = "    audiences: [cost-management-operator, cost-management-ui]\n"

# (case id, text to replace, replacement, marker on the line the error must name (None: any), reason regex)
CASES = [
    # a missing field is reported at the mapping, i.e. its first key's line
    ("issuer-missing", ISSUER, "", "    jwksUri: https://", r"missing required field 'issuer'"),
    ("issuer-http", ISSUER, "    issuer: http://keycloak.example.com/realms/kubernetes\n", "issuer: http://",
     r"identity\.oidc\.issuer 'http://keycloak\.example\.com/realms/kubernetes' must be an https:// URL"),
    ("issuer-no-host", ISSUER, "    issuer: https:///realms/kubernetes\n", "issuer: https:///", r"has no host"),
    ("jwks-http", "    jwksUri: https://", "    jwksUri: http://", "jwksUri: http://",
     r"identity\.oidc\.jwksUri .* must be an https:// URL"),
    ("audience-missing", AUDIENCES, "", ISSUER.strip(), r"missing required field 'audiences'"),
    ("audience-empty", AUDIENCES, "    audiences: []\n", "audiences: []", r"name at least one client id"),
    ("audience-odd", AUDIENCES, "    audiences: [\"cost management\"]\n", "audiences: [\"cost management\"]",
     r"'cost management' is not a client id"),
    ("role-missing", "    orgAdminRole: org-admin\n", "", ISSUER.strip(), r"missing required field 'orgAdminRole'"),
    ("ca-undeclared", "    orgAdminRole: org-admin\n",
     "    orgAdminRole: org-admin\n    ca: {name: oidc-ca, key: tls.crt}\n",
     "ca: {name: oidc-ca, key: tls.crt}", r"identity\.oidc\.ca: oidc-ca/tls\.crt is not declared under secrets:"),
    ("mode-unknown", "  authorization: org-admin\n", "  authorization: everyone\n", "authorization: everyone",
     r"'everyone' is not one of rbac, org-admin"),
    ("profile-mode-unknown", "    authorization: rbac\n", "    authorization: admins\n",
     "authorization: admins", r"'admins' is not one of rbac, org-admin"),
    ("component-mode-unknown", "    authorization: [rbac]\n    env:\n", "    authorization: [admins]\n    env:\n",
     "authorization: [admins]", r"'admins' is not one of rbac, org-admin"),
    ("profile-rbac-without-insights-rbac", "    role: rbac-api\n", "    role: rbac-api\n    enabled: false\n",
     "    authorization: rbac", r"profile 'prod': authorization rbac needs insights-rbac: no enabled component has "
     r"role 'rbac-api', so Koku would answer 424"),
    ("prefix-twice", "    expose: {path: /api/ingress, port: http}",
     "    expose: {path: /api/cost-management, port: http}", "  - name: koku-api-reads",
     r"component 'koku-api-reads': expose\.path '/api/cost-management' is already claimed by 'ingress'"),
    ("prefix-trailing-slash", "    expose: {path: /api/ingress, port: http}",
     "    expose: {path: /api/ingress/, port: http}",
     "  - name: ingress", r"expose\.path '/api/ingress/' must start with '/' and not end with '/'"),
    ("gateway-unknown", "  gateway: gateway\n", "  gateway: front-door\n", "gateway: front-door",
     r"identity\.gateway: 'front-door' is not an enabled component"),
    ("derived-var-set", "    vars:\n      trinoCoordinatorHeap: 6G",
     "    vars:\n      identityOrgAdminForAll: \"true\"\n      trinoCoordinatorHeap: 6G", "identityOrgAdminForAll",
     r"vars\.identityOrgAdminForAll is derived from the authorization mode"),
]


@pytest.mark.parametrize(("old", "new", "marker", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_identity_input_is_one_line_naming_the_catalog_line(
    tmp_path: Path, old: str, new: str, marker: str, reason: str
) -> None:
    assert old in CATALOG, old
    assert_generate_refuses(tmp_path, CATALOG.replace(old, new, 1), marker, reason)


_MODE_LINE = "  authorization: org-admin\n"
IDENTITY_BLOCK = CATALOG[CATALOG.index("\nidentity:\n") + 1 : CATALOG.index(_MODE_LINE) + len(_MODE_LINE)]
# several edits at once: (case id, [(text, replacement)], marker, reason)
MULTI_EDIT_CASES = [
    ("rbac-without-insights-rbac",
     [("  authorization: org-admin\n", "  authorization: rbac  # every profile\n"),
      ("    role: rbac-api\n", "    role: rbac-api\n    enabled: false\n")],
     "authorization: rbac  # every profile",
     r"identity\.authorization rbac needs insights-rbac: no enabled component has role 'rbac-api', so Koku would "
     r"answer 424"),
    ("mode-component-without-identity", [(IDENTITY_BLOCK, "")], "  - name: rbac-api",
     r"component 'rbac-api': authorization rbac needs an identity: section"),
]


@pytest.mark.parametrize(("edits", "marker", "reason"), [c[1:] for c in MULTI_EDIT_CASES],
                         ids=[c[0] for c in MULTI_EDIT_CASES])
def test_bad_mode_input_is_one_line_naming_the_catalog_line(
    tmp_path: Path, edits: list[tuple[str, str]], marker: str | None, reason: str
) -> None:
    text = CATALOG
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    assert_generate_refuses(tmp_path, text, marker, reason)


def test_the_gateway_routes_longest_prefix_first_and_is_the_only_published_component() -> None:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    prefixes = [c.expose.path for c in routed(catalog) if c.expose is not None]
    assert prefixes == sorted(prefixes, key=len, reverse=True)
    assert prefixes[0] == "/api/cost-management/v1/recommendations/openshift"
    # the Koku route comes after the ROS one it contains, or ROS would never be reached
    assert prefixes.index("/api/cost-management") > prefixes.index(prefixes[0])


def test_every_profile_gets_the_mode_and_the_gateways_variable_derived_from_it() -> None:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    modes = {name: resolve_profile(catalog, name) for name in catalog.profiles}
    assert {name: p.authorization for name, p in modes.items()} == {
        "minimal": "org-admin", "dev": "org-admin", "prod": "rbac"}
    assert {name: p.vars["identityOrgAdminForAll"] for name, p in modes.items()} == {
        "minimal": "true", "dev": "true", "prod": "false"}
