"""The generated gateway with the real Envoy 1.40: its bootstrap validates on every overlay; run in the sandbox in
front of stub backends with tokens from a local JWKS, it routes every prefix, forwards the identity the backends
need (decoded and compared), refuses bad tokens with 401, never lets a client-sent X-Rh-Identity through, and
passes a 100 MiB upload. Planted defects fail naming what is wrong."""

from __future__ import annotations

import copy
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.catalog import load_catalog
from rosgit.catalog.profiles import overlay_authorization
from rosgit.conformance.adjust import Relocation
from rosgit.conformance.envoy import config_path, secret_files, validate
from rosgit.conformance.runner import load_overlay, run
from rosgit.conformance.sandbox import Sandbox, give_to
from tests.conformance.conftest import failures, main_overlay, planted_overlay
from tests.conftest import REPO_ROOT

CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")

pytestmark = pytest.mark.conformance

OVERLAYS = ["minimal", "dev", "prod", "openshift-minimal", "openshift-dev", "openshift-prod"]
IDENTITY_CHECKS = [
    "envoy --mode validate accepts /etc/envoy/envoy.yaml",
    "starts with the generated bootstrap and accepts a token signed by the key at "
    "https://keycloak.example.com/realms/kubernetes/protocol/openid-connect/certs",
    "/api/cost-management/v1/recommendations/openshift reaches Service rosocp-api",
    "/api/cost-management reaches Service koku-api",
    "/api/ingress reaches Service ingress",
    "the forwarded X-Rh-Identity of a token without the org-admin role (authorization org-admin: is_org_admin true)",
    "the forwarded X-Rh-Identity of a token with the org-admin role (authorization org-admin: is_org_admin true)",
    "the bearer token stays at the gateway (no Authorization header reaches a backend)",
    "no token gets 401",
    "an expired token gets 401",
    "a token of another issuer gets 401",
    "a token for another audience gets 401",
    "a token signed by another key gets 401",
    "a token without org_id gets 401",
    "a client-sent X-Rh-Identity never reaches a backend (replaced, with a valid token)",
    "a client-sent X-Rh-Identity without a token gets 401",
    "a 100 MiB upload passes /api/ingress to Service ingress",
]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlays_gateway_bootstrap_validates(programs: Callable[[str], None], overlay: str) -> None:
    programs("envoy")
    built = main_overlay(overlay)
    container = built.container("gateway")
    assert container is not None
    # as the runner's scratch directory: one the pod's user may enter (pytest's own is its owner's only)
    workdir = Path(tempfile.mkdtemp(prefix="rosgit-gateway-"))
    workdir.chmod(0o755)
    try:
        relocation = Relocation(workdir / "gateway", container.mounts)
        relocation.place(container.files)
        config = relocation.path(config_path(container))
        secret_files(relocation, config.read_text(encoding="utf-8"))
        give_to(relocation.home, container.run_as_user)
        with Sandbox(workdir, built.services, users=[container.run_as_user]) as sandbox:
            assert validate(config, sandbox, container.run_as_user) == ""
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _identity_checks(overlay: str) -> list[str]:
    """IDENTITY_CHECKS in the overlay's authorization mode: in rbac mode (the prod profile) only the realm role
    makes an org admin."""
    spec = CATALOG.overlay(overlay)
    assert spec is not None
    if overlay_authorization(CATALOG, spec) == "org-admin":
        return IDENTITY_CHECKS
    return [
        check.replace("without the org-admin role (authorization org-admin: is_org_admin true)",
                      "without the org-admin role (authorization rbac: is_org_admin false)")
             .replace("with the org-admin role (authorization org-admin: is_org_admin true)",
                      "with the org-admin role (authorization rbac: is_org_admin true)")
        for check in IDENTITY_CHECKS
    ]


@pytest.mark.parametrize("overlay", ["minimal", "openshift-prod"])
def test_the_gateway_forwards_the_identity_and_refuses_everything_else(
    programs: Callable[[str], None], overlay: str
) -> None:
    programs("envoy")
    results = run(main_overlay(overlay), component="gateway")
    assert failures(results) == []
    assert [check.name for check in results] == _identity_checks(overlay)


def test_in_rbac_mode_only_the_realm_role_makes_an_org_admin(programs: Callable[[str], None]) -> None:
    """The prod profile runs rbac mode with the catalog's insights-rbac: the gateway reads is_org_admin from the
    realm role."""
    programs("envoy")
    results = run(main_overlay("prod"), component="gateway")
    assert failures(results) == []
    names = [check.name for check in results]
    assert ("the forwarded X-Rh-Identity of a token without the org-admin role (authorization rbac: "
            "is_org_admin false)") in names
    assert ("the forwarded X-Rh-Identity of a token with the org-admin role (authorization rbac: "
            "is_org_admin true)") in names


def _private_ca(data: dict[str, Any]) -> None:
    """A provider signed by a private CA: its bundle as the sealed secret oidc-ca, mounted by the gateway."""
    data["secrets"].append({"name": "oidc-ca", "keys": {"ca.crt": {"generate": "none",
                                                                   "externalOn": ["kubernetes", "openshift"]}}})
    data["identity"]["oidc"]["ca"] = {"name": "oidc-ca", "key": "ca.crt"}


def test_a_private_ca_from_its_secret_is_the_one_the_gateway_trusts(programs: Callable[[str], None],
                                                                    tmp_path: Path) -> None:
    programs("envoy")
    overlay = planted_overlay(tmp_path, "openshift-minimal", _private_ca)
    gateway = overlay.container("gateway")
    assert gateway is not None and "/etc/oidc-ca" in gateway.mounts
    assert "filename: /etc/oidc-ca/ca.crt" in gateway.files["/etc/envoy"]["envoy.yaml"]
    results = run(overlay, component="gateway")
    assert failures(results) == []
    assert [check.name for check in results] == IDENTITY_CHECKS


def _lua_forwarding_the_clients_header(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for obj in objects:
        text = obj.get("data", {}).get("envoy.yaml") if obj["kind"] == "ConfigMap" else None
        if text:
            text = text.replace('handle:headers():remove("x-rh-identity")\n', "")
            obj["data"]["envoy.yaml"] = text.replace('handle:headers():replace("x-rh-identity"',
                                                     'handle:headers():add("x-rh-identity"')
    return objects


def test_a_filter_that_adds_instead_of_replacing_fails_naming_the_check(programs: Callable[[str], None]) -> None:
    programs("envoy")
    objects = _lua_forwarding_the_clients_header(copy.deepcopy(main_overlay("minimal").objects))
    overlay = load_overlay(REPO_ROOT / "overlays" / "minimal", REPO_ROOT / "rosgit.yaml", objects=objects)
    failed = failures(run(overlay, component="gateway"))
    assert len(failed) == 1, failed
    assert failed[0].startswith("FAIL gateway: a client-sent X-Rh-Identity never reaches a backend (replaced, with a "
                                "valid token): Deployment/gateway container gateway: the backend received [{"), failed
    # both identities reached it: the client's (org 666) beside the gateway's
    assert '"org_id": "666"' in failed[0] and '"org_id": "1234567"' in failed[0], failed
