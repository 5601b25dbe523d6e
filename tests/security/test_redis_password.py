"""Redis / Valkey require a password from a sealed secret, given without argv exposure, and every client
has it. The server test runs the generated command with a real redis-server when one is installed."""

from __future__ import annotations

from typing import Any

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.catalog.traffic import required_flows
from tests.conftest import REPO_ROOT

CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")
SECRET = {"name": "redis-credentials", "key": "password"}


def _containers(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    obj = next(o for o in objects if o["kind"] in ("Deployment", "StatefulSet") and o["metadata"]["name"] == name)
    return dict(obj["spec"]["template"]["spec"]["containers"][0])


def _password_ref(container: dict[str, Any]) -> dict[str, Any] | None:
    var = next((v for v in container.get("env", []) if v["name"] == "REDIS_PASSWORD"), None)
    return None if var is None else dict(var["valueFrom"]["secretKeyRef"])


@pytest.fixture(scope="module", params=[o for o in CATALOG.overlays])
def overlay(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param.platform, build_objects(REPO_ROOT / "overlays" / request.param.name)


def test_the_server_gets_the_password_from_the_secret_on_stdin(overlay: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = overlay
    redis = _containers(objects, "redis")
    assert _password_ref(redis) == SECRET
    script = redis["command"][2]
    # exec: the server is PID 1; the password only on stdin, from the here-document
    assert script.startswith("exec ") and "-server - --bind" in script and "--protected-mode yes" in script
    assert "--requirepass" not in script and script.endswith("<<EOF\nrequirepass $REDIS_PASSWORD\nEOF\n")


def test_every_client_in_the_traffic_matrix_has_the_password(overlay: tuple[str, list[dict[str, Any]]]) -> None:
    platform, objects = overlay
    clients = {f.source for f in required_flows(CATALOG, platform) if f.destination == "redis"}
    assert clients
    for client in clients:
        assert _password_ref(_containers(objects, client)) == SECRET, client
