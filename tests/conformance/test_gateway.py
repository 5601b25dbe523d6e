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

from rosgit.conformance.adjust import Relocation
from rosgit.conformance.envoy import config_path, secret_files, validate
from rosgit.conformance.runner import load_overlay, run
from rosgit.conformance.sandbox import Sandbox, give_to
from tests.conformance.conftest import failures, main_overlay, planted_overlay
from tests.conftest import REPO_ROOT

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


@pytest.mark.parametrize("overlay", ["minimal", "openshift-prod"])
def test_the_gateway_forwards_the_identity_and_refuses_everything_else(
    programs: Callable[[str], None], overlay: str
) -> None:
    programs("envoy")
    results = run(main_overlay(overlay), component="gateway")
    assert failures(results) == []
    assert [check.name for check in results] == IDENTITY_CHECKS


def _rbac_mode(data: dict[str, Any]) -> None:
    """The minimal profile in rbac mode, with a stand-in insights-rbac API (a copy of rosocp-api's entry under
    role rbac-api): the gateway then reads is_org_admin from the realm role."""
    stand_in = copy.deepcopy(next(c for c in data["components"] if c["name"] == "rosocp-api"))
    stand_in.update(name="rbac-api", role="rbac-api")
    stand_in.pop("expose")
    data["components"].append(stand_in)
    data["profiles"]["minimal"]["authorization"] = "rbac"


def test_in_rbac_mode_only_the_realm_role_makes_an_org_admin(programs: Callable[[str], None],
                                                              tmp_path: Path) -> None:
    programs("envoy")
    results = run(planted_overlay(tmp_path, "minimal", _rbac_mode), component="gateway")
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
