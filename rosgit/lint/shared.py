"""What several rules compute from one overlay (its pod templates, reachability, contract view, sync order),
computed once per `lint_objects` call instead of once per rule.

While `sharing(objects, context)` is open, a function decorated `per_overlay` called with those very
objects (and that very context) returns what its first call returned; called with anything else, or outside
a scope, it simply computes. The functions are pure and the rules only read their results, so sharing
changes no finding (tests/lint/test_shared.py runs every rule both ways on every overlay of the repo).
The scope is a context variable: `rosgit check` lints overlays on several threads at once.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from rosgit.k8s.objects import Obj

if TYPE_CHECKING:
    from rosgit.lint.context import LintContext

R = TypeVar("R")


@dataclass
class _Scope:
    objects: list[Obj]
    context: LintContext
    results: dict[Callable[..., Any], Any] = field(default_factory=dict)


_SCOPE: ContextVar[_Scope | None] = ContextVar("rosgit_lint_shared_scope", default=None)


@contextlib.contextmanager
def sharing(objects: list[Obj], context: LintContext) -> Iterator[None]:
    """Share the `per_overlay` results of these objects and context until the block ends."""
    token = _SCOPE.set(_Scope(objects, context))
    try:
        yield
    finally:
        _SCOPE.reset(token)


def _remembered(
    function: Callable[..., R], objects: list[Obj], context: LintContext | None, compute: Callable[[], R]
) -> R:
    scope = _SCOPE.get()
    if (
        scope is None
        or scope.objects is not objects
        or (context is not None and scope.context is not context)
    ):
        return compute()
    if function not in scope.results:
        scope.results[function] = compute()
    result: R = scope.results[function]
    return result


def per_overlay(function: Callable[[list[Obj], LintContext], R]) -> Callable[[list[Obj], LintContext], R]:
    """`function(objects, context)` computed once per sharing scope."""

    @functools.wraps(function)
    def shared(objects: list[Obj], context: LintContext) -> R:
        return _remembered(function, objects, context, lambda: function(objects, context))

    return shared


def per_objects(function: Callable[[list[Obj]], R]) -> Callable[[list[Obj]], R]:
    """`function(objects)` computed once per sharing scope."""

    @functools.wraps(function)
    def shared(objects: list[Obj]) -> R:
        return _remembered(function, objects, None, lambda: function(objects))

    return shared
