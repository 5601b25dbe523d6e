"""Sharing what rules compute from one overlay (rosgit.lint.shared) changes no finding: every rule, run with
sharing in lint order, returns exactly the list (ids, severities, objects, messages, sources, order) it returns
alone, on every overlay of the repository and on variants of them planted with defects of every rule family
(half the objects gone, sync waves reversed, security and resources stripped, the contract plants of
test_contracts_on_repo, no catalog at all). The fast paths inside the rules are checked against their plain
form here too."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from rosgit.findings import Finding
from rosgit.lint.context import LintContext
from rosgit.lint.contract_view import mentions, overlay_of
from rosgit.lint.rules import RULES
from rosgit.lint.runner import lint_objects
from rosgit.lint.shared import per_overlay, sharing
from tests.conftest import REPO_ROOT
from tests.lint.test_contract_writes import _built
from tests.lint.test_contracts_on_repo import PLANTS, _without_off_prem_provisions

Obj = dict[str, Any]
OVERLAYS = sorted(p.name for p in (REPO_ROOT / "overlays").iterdir() if (p / "kustomization.yaml").is_file())
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
STRIPPED = {"securityContext", "resources", "readinessProbe", "livenessProbe", "startupProbe"}


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in STRIPPED}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _waves_reversed(objects: list[Obj]) -> list[Obj]:
    """Every sync wave negated, and one made unreadable: config after readers, databases after users."""
    copied = copy.deepcopy(objects)
    annotated = [o for o in copied if SYNC_WAVE in o.get("metadata", {}).get("annotations", {})]
    for obj in annotated:
        notes = obj["metadata"]["annotations"]
        notes[SYNC_WAVE] = str(-int(notes[SYNC_WAVE]))
    annotated[0]["metadata"]["annotations"][SYNC_WAVE] = "early"
    return copied


def _planted(plant: Callable[[list[Obj]], None]) -> Callable[[list[Obj]], list[Obj]]:
    def planted(objects: list[Obj]) -> list[Obj]:
        copied = copy.deepcopy(objects)
        plant(copied)
        return copied

    return planted


VARIANTS: dict[str, Callable[[list[Obj]], list[Obj]]] = {
    "as built": list,
    "even objects": lambda objects: objects[::2],
    "odd objects": lambda objects: objects[1::2],
    "every third object": lambda objects: objects[::3],
    "waves reversed": _waves_reversed,
    "stripped": lambda objects: [_strip(o) for o in objects],
}
# the contract plants edit workloads of the minimal overlay
MINIMAL_VARIANTS: dict[str, Callable[[list[Obj]], list[Obj]]] = {
    "off-prem provisions dropped": _without_off_prem_provisions,
    **{plant.__name__: _planted(plant) for plant, *_ in PLANTS},
}


def _each_rule(objects: list[Obj], context: LintContext) -> list[list[Finding]]:
    return [rule.function(objects, context) for rule in RULES]


def _cases() -> list[tuple[str, str]]:
    return [(overlay, variant) for overlay in OVERLAYS for variant in VARIANTS] + [
        ("minimal", variant) for variant in MINIMAL_VARIANTS
    ]


@pytest.mark.parametrize(("overlay", "variant"), _cases())
def test_every_rule_finds_the_same_with_and_without_sharing(overlay: str, variant: str) -> None:
    built, context = _built(overlay)
    objects = {**VARIANTS, **MINIMAL_VARIANTS}[variant](built)
    for each_context in (context, LintContext(source=context.source)):
        alone = _each_rule(objects, each_context)
        with sharing(objects, each_context):
            shared = _each_rule(objects, each_context)
        assert shared == alone
        # a variant is planted with defects: the comparison is only worth the findings it compares
        assert variant == "as built" or each_context is not context or any(alone)
    assert lint_objects(objects, context) == lint_objects(objects, context, share=False)


def test_the_substring_pre_test_of_mentions_never_changes_its_answer() -> None:
    objects, _ = _built("minimal")
    texts = list(overlay_of(objects).step_texts.values())
    words = sorted({word for text in texts for word in re.findall(r"[A-Za-z0-9_.-]+", text)})
    # whole words, their parts (inside a longer name: not mentioned) and names absent from every text
    names = [*words[::7], *(word[1:-1] for word in words[::11] if len(word) > 3), "no-such-name", "a.b"]
    for name in names:
        whole_word = rf"(?<![A-Za-z0-9_.-]){re.escape(name)}(?![A-Za-z0-9_.-])"
        assert [mentions(text, name) for text in texts] == [
            re.search(whole_word, text) is not None for text in texts
        ]


def test_a_shared_result_is_computed_once_per_scope_and_only_for_its_own_objects_and_context() -> None:
    calls: list[int] = []

    @per_overlay
    def counted(objects: list[Obj], context: LintContext) -> int:
        calls.append(len(objects))
        return len(calls)

    objects: list[Obj] = [{"kind": "ConfigMap"}]
    context = LintContext(source="test")
    with sharing(objects, context):
        assert counted(objects, context) == counted(objects, context) == 1
        assert counted(list(objects), context) == 2  # an equal list is other objects
        assert counted(objects, LintContext(source="test")) == 3
    assert counted(objects, context) == 4  # outside the scope nothing is remembered
