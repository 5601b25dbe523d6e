"""Which facts of a contract apply to one container: a fact's `when:` conditions against the env it gets.

A condition `{env: NAME, is: VALUE}` holds when NAME reads as VALUE the way the program reads NAME: the
contract's env fact for NAME (the mode's own env first, then the contract's) gives the type and parser
(rosgit.contracts.parsers.reading), so for a django-environ bool "False", "false", "0" and "no" are the
same setting. What the container gives NAME decides:
- set to a value the overlay shows: that value;
- not set: the env fact's `default` (the program's own default);
- set from something the overlay does not show (a Secret, an envFrom of an unknown object), not set and
  without a default, or a value the program's parser rejects: unknown, and the fact is judged as applying.
  A check may then report a fact the program would not need in that setting, but never silently drops one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from rosgit.contracts.model import Condition, EnvFact, ImageContract, Mode
from rosgit.contracts.parsers import reading

T = TypeVar("T")


@dataclass(frozen=True)
class Unset:
    """The container does not set the variable."""


UNSET = Unset()
# What a container gives one variable: its visible value, UNSET, or None (set, but the value is not visible).
Observed = str | Unset | None
Observe = Callable[[str], Observed]


def declared_env(contract: ImageContract, mode: Mode | None) -> dict[str, EnvFact]:
    """The env facts a condition of a fact in `mode` (None: a top-level fact) may name, by name."""
    return {fact.name: fact for fact in contract.env_facts(mode)}


def condition_holds(condition: Condition, fact: EnvFact, observed: Observed) -> bool:
    """True unless the container's setting of the variable is known and reads differently from `is`."""
    value = fact.default if isinstance(observed, Unset) else observed
    if value is None:
        return True
    have = reading(fact, value)
    return have is None or have == reading(fact, condition.is_)


def applies(when: Iterable[Condition], env: dict[str, EnvFact], observe: Observe) -> bool:
    """All conditions hold (a condition on a variable the contract does not declare cannot be judged: the
    loader refuses such a contract)."""
    return all(
        condition.env not in env or condition_holds(condition, env[condition.env], observe(condition.env))
        for condition in when
    )


def _keeper(env: dict[str, EnvFact], observe: Observe) -> Callable[[Iterable[Condition]], bool]:
    return lambda when: applies(when, env, observe)


def _prune(node: T, keep: Callable[[Iterable[Condition]], bool]) -> T:
    """`node` with every fact below it whose `when` does not hold removed (a single fact set to None)."""
    changes: dict[str, object] = {}
    for item in dataclasses.fields(node):  # type: ignore[arg-type]
        value = getattr(node, item.name)
        if item.name == "when":
            continue
        if isinstance(value, tuple | list) and value and dataclasses.is_dataclass(value[0]):
            kept = [_prune(part, keep) for part in value if keep(getattr(part, "when", ()))]
            changes[item.name] = type(value)(kept)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes[item.name] = _prune(value, keep) if keep(getattr(value, "when", ())) else None
    return dataclasses.replace(node, **changes)  # type: ignore[type-var]


def judged_names(contract: ImageContract) -> tuple[str, ...]:
    """Every variable a `when` anywhere in the contract names: `applying` reads the container's env only
    through these, so two containers that observe the same values for them get the same contract."""
    names: set[str] = set()

    def visit(node: object) -> None:
        for item in dataclasses.fields(node):  # type: ignore[arg-type]
            value = getattr(node, item.name)
            if item.name == "when":
                names.update(condition.env for condition in value)
            elif isinstance(value, tuple | list):
                for part in value:
                    if dataclasses.is_dataclass(part) and not isinstance(part, type):
                        visit(part)
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                visit(value)

    visit(contract)
    return tuple(sorted(names))


def applying(contract: ImageContract, observe: Observe) -> ImageContract:
    """The contract as it holds for one container: each fact whose `when` does not hold removed, the
    top-level facts judged with the contract's env facts, each mode's with its own env first."""
    pruned = _prune(dataclasses.replace(contract, modes=[]), _keeper(declared_env(contract, None), observe))
    modes = [_prune(mode, _keeper(declared_env(contract, mode), observe)) for mode in contract.modes]
    return dataclasses.replace(pruned, modes=type(contract.modes)(modes))
