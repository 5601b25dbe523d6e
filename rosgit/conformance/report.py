"""The conformance results as text: one line per check, then a count."""

from __future__ import annotations

from rosgit.conformance.result import Check


def render(results: list[Check]) -> str:
    return "".join(check.line() + "\n" for check in results)


def summary(results: list[Check]) -> str:
    failed = sum(1 for check in results if not check.ok)
    return f"rosgit: conformance: {len(results)} check(s), {failed} failing"
