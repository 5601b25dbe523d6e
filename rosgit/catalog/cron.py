"""CronJob schedules as the Kubernetes API server checks them: robfig/cron v3's standard parser (five
fields or an @descriptor) and no TZ= prefix (the API refuses it; spec.timeZone is the field for that)."""

from __future__ import annotations

import re

_DESCRIPTORS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_DURATION = re.compile(r"^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$")
_MONTHS = {name: index for index, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_DAYS = {name: index for index, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# (field name, lowest, highest, names)
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 6, _DAYS),
)


def schedule_problem(schedule: str) -> str | None:
    """Why the API server would refuse the schedule, or None when it accepts it."""
    text = schedule.strip()
    if re.match(r"^(CRON_)?TZ=", text):
        return "a TZ= prefix is refused by Kubernetes; set the CronJob's timeZone instead"
    if text.startswith("@"):
        if text in _DESCRIPTORS:
            return None
        if text.startswith("@every "):
            return None if _DURATION.match(text[len("@every "):].strip()) else "@every needs a duration such as 1h30m"
        return f"unknown descriptor {text.split()[0]!r} (use @hourly, @daily, @weekly, @monthly or @yearly)"
    fields = text.split()
    if len(fields) != len(_FIELDS):
        return f"expected 5 fields (minute hour day-of-month month day-of-week), found {len(fields)}"
    for value, (name, low, high, names) in zip(fields, _FIELDS, strict=True):
        for part in value.split(","):
            problem = _range_problem(part, low, high, names)
            if problem:
                return f"{name} field {value!r}: {problem}"
    return None


def _range_problem(part: str, low: int, high: int, names: dict[str, int]) -> str | None:
    spread, _, step = part.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        return f"step {step!r} must be a positive number"
    if spread in ("*", "?"):
        return None
    first, dash, last = spread.partition("-")
    start = _number(first, names)
    end = _number(last, names) if dash else (high if step else start)
    if start is None or end is None:
        return f"{spread!r} is not a number or range"
    if not low <= start <= high or not low <= end <= high:
        return f"{spread} is outside {low}-{high}"
    if start > end:
        return f"range {spread} runs backwards"
    return None


def _number(text: str, names: dict[str, int]) -> int | None:
    if text.isdigit():
        return int(text)
    return names.get(text.lower())
