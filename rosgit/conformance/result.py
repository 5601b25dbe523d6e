"""One conformance check's outcome, and the errors a run can stop on."""

from __future__ import annotations

from dataclasses import dataclass

from rosgit.errors import RosgitError


class WaitTimeout(RosgitError):
    """A bounded wait ran out (or the awaited program exited first); the message names what was awaited."""

    exit_code = 1


@dataclass(frozen=True)
class Check:
    """`component`: the workload checked; `name`: what was checked (`user koku logs in to database koku`);
    `problem`: empty when it passed, else one line naming the object and field at fault."""

    component: str
    name: str
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    def line(self) -> str:
        verdict = "ok  " if self.ok else "FAIL"
        return f"{verdict} {self.component}: {self.name}" + ("" if self.ok else f": {self.problem}")


def passed(component: str, name: str) -> Check:
    return Check(component, name)


def failed(component: str, name: str, problem: str) -> Check:
    return Check(component, name, problem)
