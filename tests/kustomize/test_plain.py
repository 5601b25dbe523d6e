"""copy_plain is copy.deepcopy for the engine's plain data trees: an equal value sharing no mutable part."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rosgit.k8s.objects import load_objects
from rosgit.kustomize import build_text_and_reads
from rosgit.kustomize.plain import copy_plain
from tests.conftest import REPO_ROOT


def _containers(value: Any) -> list[Any]:
    """Every dict, list, set and tuple inside value, value included."""
    if isinstance(value, dict):
        return [value, *(c for item in value.values() for c in _containers(item))]
    if isinstance(value, list | tuple | set):
        return [value, *(c for item in value for c in _containers(item))]
    return []


@pytest.mark.parametrize("overlay", ["openshift-prod", "minimal"])
def test_a_copy_of_every_built_object_is_equal_and_shares_no_part(overlay: str) -> None:
    objects = load_objects(build_text_and_reads(REPO_ROOT / "overlays" / overlay)[0])
    copied = copy_plain(objects)
    assert copied == objects == copy.deepcopy(objects)
    originals = {id(c) for c in _containers(objects) if not isinstance(c, tuple)}
    assert not originals & {id(c) for c in _containers(copied)}


def test_values_that_are_not_plain_data_are_deep_copied() -> None:
    inner = [1]
    value = {"set": {1, 2}, "tuple": (inner, "x"), "bytes": bytearray(b"ab"), "n": None, "f": 1.5, "b": True}
    copied = copy_plain(value)
    assert copied == value
    assert copied["set"] is not value["set"] and copied["bytes"] is not value["bytes"]
    assert copied["tuple"][0] is not inner
