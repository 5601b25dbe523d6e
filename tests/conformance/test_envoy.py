"""Envoy: `envoy --mode validate` accepts a known-good bootstrap and rejects a known-bad one; the adapter finds a
gateway's configuration by the rule in rosgit/conformance/envoy.py, and says when an overlay has no gateway."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosgit.conformance.envoy import NO_GATEWAY
from rosgit.conformance.overlay import load_overlay
from rosgit.conformance.runner import run
from rosgit.conformance.sandbox import Sandbox
from tests.conformance.conftest import failures, main_overlay
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.conformance

GOOD = """static_resources:
  listeners:
  - name: gateway
    address: {socket_address: {address: 0.0.0.0, port_value: 8080}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: gateway
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          route_config:
            virtual_hosts:
            - name: api
              domains: ["*"]
              routes:
              - match: {prefix: /api/cost-management/}
                route: {cluster: koku-api}
  clusters:
  - name: koku-api
    type: STRICT_DNS
    load_assignment:
      cluster_name: koku-api
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: koku-api, port_value: 8000}}}
"""
BAD = GOOD.replace("route: {cluster: koku-api}", "route: {cluster: koku-api-typo}")


def _validate(tmp_path: Path, text: str) -> str:
    from rosgit.conformance.envoy import validate

    config = tmp_path / "envoy.yaml"
    config.write_text(text, encoding="utf-8")
    with Sandbox(tmp_path / "sandbox", ["koku-api"]) as sandbox:
        return validate(config, sandbox)


def test_envoy_validate_accepts_a_good_bootstrap_and_rejects_a_route_to_an_unknown_cluster(
    programs: Callable[[str], None], tmp_path: Path
) -> None:
    programs("envoy")
    assert _validate(tmp_path, GOOD) == ""
    problem = _validate(tmp_path, BAD)
    assert problem.startswith("exit code 1: ") and "unknown cluster 'koku-api-typo'" in problem, problem


def _without_gateway(overlay: str) -> list[dict[str, Any]]:
    """main's overlay without its generated gateway Deployment."""
    return [o for o in copy.deepcopy(main_overlay(overlay).objects)
            if not (o["kind"] == "Deployment" and o["metadata"]["name"] == "gateway")]


def _with_gateway(config: str) -> list[dict[str, Any]]:
    """main's minimal overlay with its gateway replaced by a Deployment running envoy with this bootstrap."""
    objects = _without_gateway("minimal")
    objects.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "gateway-envoy"},
                    "data": {"envoy.yaml": config}})
    objects.append({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "gateway", "labels": {"app.kubernetes.io/name": "gateway"}},
        "spec": {"template": {
            "metadata": {"labels": {"app.kubernetes.io/name": "gateway"}},
            "spec": {
                "containers": [{"name": "envoy", "image": "docker.io/envoyproxy/envoy:v1.40.0",
                                "args": ["-c", "/etc/envoy/envoy.yaml"],
                                "volumeMounts": [{"name": "config", "mountPath": "/etc/envoy"}]}],
                "volumes": [{"name": "config", "configMap": {"name": "gateway-envoy"}}],
            },
        }},
    })
    return objects


@pytest.mark.parametrize(("config", "problem"), [(GOOD, ""), (BAD, "unknown cluster 'koku-api-typo'")])
def test_a_gateways_generated_config_is_validated(
    programs: Callable[[str], None], config: str, problem: str
) -> None:
    programs("envoy")
    overlay = load_overlay(REPO_ROOT / "overlays" / "minimal", REPO_ROOT / "rosgit.yaml",
                           objects=_with_gateway(config))
    results = run(overlay, component="gateway")
    assert [check.name for check in results] == ["envoy --mode validate accepts /etc/envoy/envoy.yaml"]
    if not problem:
        assert failures(results) == []
    else:
        failed = failures(results)
        assert len(failed) == 1 and failed[0].startswith(
            "FAIL gateway: envoy --mode validate accepts /etc/envoy/envoy.yaml: Deployment/gateway container envoy "
            "ConfigMap file /etc/envoy/envoy.yaml: envoy rejects it: exit code 1: "), failed
        assert problem in failed[0]


@pytest.mark.parametrize("overlay", ["minimal", "openshift-minimal"])
def test_an_overlay_without_a_gateway_says_so(overlay: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import rosgit.conformance.runner as runner

    built = load_overlay(REPO_ROOT / "overlays" / overlay, REPO_ROOT / "rosgit.yaml",
                         objects=_without_gateway(overlay))
    assert [c.where for p, c in runner.selected(built) if p.name == "envoy"] == []
    monkeypatch.setattr(runner, "selected", lambda *_: [])  # run nothing else: only the gateway report is left
    results = run(built)
    assert [check.line() for check in results] == [f"ok   envoy: {NO_GATEWAY}"]
