"""`runnings` prunes each image's contract once per agreement of the variables its conditions name (the
contract set remembers them for every overlay of a run): on every overlay of the repository, each container's
contract equals the one pruned for that container alone."""

from __future__ import annotations

import dataclasses

import pytest

from rosgit.build import build_objects
from rosgit.catalog import load_catalog
from rosgit.contracts import contracts_for
from rosgit.contracts.conditions import applying, judged_names
from rosgit.contracts.model import Condition
from rosgit.lint.contract_view import overlay_of, runnings
from rosgit.lint.targets import resolve_targets
from tests.conftest import REPO_ROOT

OVERLAYS = sorted(p.name for p in (REPO_ROOT / "overlays").iterdir() if (p / "kustomization.yaml").is_file())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_container_gets_the_contract_pruned_for_it_alone(overlay: str) -> None:
    catalog_path = REPO_ROOT / "rosgit.yaml"
    catalog = load_catalog(catalog_path)
    [target] = resolve_targets(catalog, REPO_ROOT, [overlay], contracts_for(catalog, catalog_path))
    found = runnings(overlay_of(build_objects(target.path)), target.context)
    assert found
    for running in found:
        assert running.contract == applying(running.declared, running.env.observe), running.name


def test_the_judged_names_are_every_variable_a_condition_names_at_any_depth() -> None:
    catalog_path = REPO_ROOT / "rosgit.yaml"
    contracts = contracts_for(load_catalog(catalog_path), catalog_path)
    named: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, Condition):
            named.add(node.env)
        elif dataclasses.is_dataclass(node) and not isinstance(node, type):
            for item in dataclasses.fields(node):
                walk(getattr(node, item.name))
        elif isinstance(node, tuple | list):
            for part in node:
                walk(part)

    for contract in contracts.contracts.values():
        named.clear()
        walk(contract)
        assert set(judged_names(contract)) == named, contract
    assert any(judged_names(c) for c in contracts.contracts.values())


def test_one_contract_set_lints_every_overlay_with_each_containers_own_contract() -> None:
    """The pruned contracts are remembered by the contract set, which one run shares across its overlays."""
    catalog_path = REPO_ROOT / "rosgit.yaml"
    catalog = load_catalog(catalog_path)
    contracts = contracts_for(catalog, catalog_path)
    pruned: set[int] = set()
    containers = 0
    for target in resolve_targets(catalog, REPO_ROOT, OVERLAYS, contracts):
        for running in runnings(overlay_of(build_objects(target.path)), target.context):
            assert running.contract == applying(running.declared, running.env.observe), running.name
            pruned.add(id(running.contract))
            containers += 1
    assert len(pruned) * 4 < containers  # pruned once per agreement for all overlays, not per container
