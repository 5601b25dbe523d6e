"""The NetworkPolicy evaluation is remembered across runs by its inputs (rosgit.lint.network.reachability):
an edit that leaves the endpoints, policies and required flows alone reuses it; any edit of those computes
it again; either way the result is what a run without the memo computes."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from rosgit import cache
from rosgit.catalog import load_catalog
from rosgit.k8s.objects import Obj
from rosgit.lint import network
from rosgit.lint.context import LintContext
from tests.conftest import REPO_ROOT
from tests.lint.test_contract_writes import _built

_EVALUATE = network._evaluate  # noqa: SLF001 (the evaluation itself is what is counted)


@pytest.fixture
def caches_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Caches on in this test's own directory; yields the list of evaluations made."""
    monkeypatch.delenv("ROSGIT_NO_CACHE", raising=False)
    monkeypatch.setenv("ROSGIT_CACHE_DIR", str(tmp_path / "cache"))
    evaluated: list[int] = []

    def counted(*args: Any) -> network.Reachability:
        evaluated.append(1)
        return _EVALUATE(*args)

    monkeypatch.setattr(network, "_evaluate", counted)
    yield evaluated


def _uncached(objects: list[Obj], context: LintContext, monkeypatch: pytest.MonkeyPatch) -> network.Reachability:
    with monkeypatch.context() as m:
        m.setenv("ROSGIT_NO_CACHE", "1")
        m.setattr(network, "_evaluate", _EVALUATE)
        return network.reachability(objects, context)


def _workload(objects: list[Obj], name: str) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == name)


def _container(objects: list[Obj], name: str) -> dict[str, Any]:
    container: dict[str, Any] = _workload(objects, name)["spec"]["template"]["spec"]["containers"][0]
    return container


def _env_edited(objects: list[Obj]) -> None:
    _container(objects, "rosocp-processor")["env"].append({"name": "EXTRA", "value": "x"})


def _image_edited(objects: list[Obj]) -> None:
    _container(objects, "rosocp-processor")["image"] = "quay.io/example/other:1"


def _label_edited(objects: list[Obj]) -> None:
    _workload(objects, "rosocp-processor")["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"] = "x"


def _port_edited(objects: list[Obj]) -> None:
    policy = next(o for o in objects if o["kind"] == "NetworkPolicy" and o["spec"].get("ingress"))
    policy["spec"]["ingress"][0]["ports"] = [{"port": 1, "protocol": "TCP"}]


def _policy_dropped(objects: list[Obj]) -> None:
    objects.remove(next(o for o in objects if o["kind"] == "NetworkPolicy" and o["spec"].get("ingress")))


def _types_reordered(objects: list[Obj]) -> None:
    for obj in objects:
        if obj["kind"] == "NetworkPolicy" and isinstance(obj["spec"].get("policyTypes"), list):
            obj["spec"]["policyTypes"].reverse()


KEPT: dict[str, Callable[[list[Obj]], None]] = {
    "an environment variable": _env_edited, "an image": _image_edited, "policy types' order": _types_reordered,
}
CHANGED: dict[str, Callable[[list[Obj]], None]] = {
    "a pod label": _label_edited, "a policy's port": _port_edited, "a policy removed": _policy_dropped,
}


@pytest.mark.parametrize("overlay", [o.name for o in load_catalog(REPO_ROOT / "rosgit.yaml").overlays])
def test_every_overlay_reads_back_what_it_evaluated(
    overlay: str, caches_on: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    objects, context = _built(overlay)
    first = network.reachability(objects, context)
    again = network.reachability(copy.deepcopy(objects), context)
    assert len(caches_on) == 1
    assert first == again == _uncached(objects, context, monkeypatch)
    assert again.allowed  # not an empty evaluation remembered


@pytest.mark.parametrize("edit", KEPT, ids=list(KEPT))
def test_an_edit_outside_the_network_inputs_reuses_the_evaluation(
    edit: str, caches_on: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    objects, context = _built("openshift-minimal")
    network.reachability(objects, context)
    edited = copy.deepcopy(objects)
    KEPT[edit](edited)
    assert network.reachability(edited, context) == _uncached(edited, context, monkeypatch)
    assert len(caches_on) == 1


@pytest.mark.parametrize("edit", CHANGED, ids=list(CHANGED))
def test_an_edit_of_the_network_inputs_evaluates_again(
    edit: str, caches_on: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    objects, context = _built("openshift-minimal")
    before = network.reachability(objects, context)
    edited = copy.deepcopy(objects)
    CHANGED[edit](edited)
    after = network.reachability(edited, context)
    assert len(caches_on) == 2
    assert after == _uncached(edited, context, monkeypatch) != before


def test_other_required_flows_or_another_rosgit_evaluate_again(
    caches_on: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    objects, context = _built("openshift-minimal")
    network.reachability(objects, context)
    other_mode = replace(context, analytics="postgresql" if context.analytics != "postgresql" else "trino")
    assert other_mode.required_flows() != context.required_flows()
    assert network.reachability(objects, other_mode) == _uncached(objects, other_mode, monkeypatch)
    assert len(caches_on) == 2
    monkeypatch.setattr(cache, "source_digest", lambda: "another rosgit")
    network.reachability(objects, context)
    assert len(caches_on) == 3
