"""A TreeDiff as text (terminal), JSON (machines) or Markdown (a pull-request comment under GitHub's limit)."""

from __future__ import annotations

import difflib
import json
from typing import Any

from rosgit.diff.semantic import ABSENT, FieldChange, ObjectChange, SectionDiff, TreeDiff
from rosgit.errors import UsageError
from rosgit.resources import Totals

FORMATS = ("text", "json", "markdown")
# GitHub refuses an issue or pull-request comment body longer than 65536 characters
COMMENT_LIMIT = 65536
# room kept for the truncation notice and the closing tags
_RESERVE = 600
MAX_VALUE = 100
MARKER = "<!-- rosgit-diff -->"  # the workflow edits its own earlier comment, found by this line

_SIGN = {"added": "+", "removed": "-", "changed": "~"}


def _value(value: Any) -> str:
    if value is ABSENT:
        return "<absent>"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def _is_text_change(change: FieldChange) -> bool:
    return isinstance(change.before, str) and isinstance(change.after, str) and (
        "\n" in change.before or "\n" in change.after
    )


def _text_diff(change: FieldChange) -> list[str]:
    lines = difflib.unified_diff(
        str(change.before).splitlines(), str(change.after).splitlines(), lineterm="", n=1
    )
    return [line for line in lines if not line.startswith(("---", "+++"))]


def field_line(change: FieldChange) -> str:
    if change.kind == "added":
        return f"{change.path}: + {_value(change.after)}"
    if change.kind == "removed":
        return f"{change.path}: - {_value(change.before)}"
    if _is_text_change(change):
        return f"{change.path}: text changed"
    return f"{change.path}: {_value(change.before)} -> {_value(change.after)}"


def _cores(millis: int) -> str:
    """As a manifest writes CPU: 250m below one core, else cores."""
    return f"{millis}m" if millis < 1000 else f"{millis / 1000:g}"


def _gi(size: int) -> str:
    """As a manifest writes memory: Mi below one GiB, else Gi (two decimals at most)."""
    if size == 0:
        return "0"
    if size < 2**30:
        return f"{round(size / 2**20, 1):g}Mi"
    return f"{round(size / 2**30, 2):g}Gi"


TOTAL_FIELDS: tuple[tuple[str, str, Any], ...] = (
    ("pods", "pods", str),
    ("CPU requests", "cpu_requests_m", _cores),
    ("CPU limits", "cpu_limits_m", _cores),
    ("memory requests", "memory_requests_bytes", _gi),
    ("memory limits", "memory_limits_bytes", _gi),
    ("storage", "storage_bytes", _gi),
)


def totals_rows(section: SectionDiff) -> list[tuple[str, str, str]]:
    """(what, before, after) for each total that changed."""
    rows = []
    for label, attribute, show in TOTAL_FIELDS:
        before = getattr(section.totals_before, attribute) if section.totals_before else None
        after = getattr(section.totals_after, attribute) if section.totals_after else None
        if before != after:
            rows.append((label, "-" if before is None else show(before), "-" if after is None else show(after)))
    return rows


def _summary(section: SectionDiff) -> str:
    if section.status == "error":
        return "does not render"
    if section.status in ("added", "removed"):
        return f"{section.status} ({len(section.objects)} objects)"
    return ", ".join(
        f"{section.count(status)} {status}" for status in ("added", "removed", "changed") if section.count(status)
    ) or "no change"


# --- text -------------------------------------------------------------------------------------------------------


def render_text(diff: TreeDiff) -> str:
    lines = [f"rosgit diff {diff.base}..{diff.head}"]
    lines += [f"note: {note}" for note in diff.notes]
    if not diff.changed:
        lines.append("no rendered object changes")
    for section in diff.changed:
        lines.append("")
        lines.append(f"== {section.name}: {_summary(section)}")
        lines += [f"   {error}" for error in section.errors]
        for label, before, after in totals_rows(section):
            lines.append(f"   total {label}: {before} -> {after}")
        for image in section.images:
            before, after = image.before or "-", image.after or "-"
            lines.append(f"   image {image.workload} [{image.container}]: {before} -> {after}")
        lines += object_lines(section, markdown=False)
    return "\n".join(lines) + "\n"


def object_lines(section: SectionDiff, *, markdown: bool) -> list[str]:
    """One line per object (+ - ~, or + - ! for a ```diff block, which colours by the first character), then
    its fields, then the line diff of a changed text value."""
    lines: list[str] = []
    field_indent = "    " if markdown else "     "
    for change in section.objects:
        renamed = f" (was {change.renamed_from})" if change.renamed_from else ""
        sign = _SIGN[change.status]
        head = f"{sign.replace('~', '!')} " if markdown else f" {sign} "
        lines.append(f"{head}{change.label}{renamed}")
        for field in change.fields:
            lines.append(f"{field_indent}{field_line(field)}")
            if _is_text_change(field):
                text = _text_diff(field)
                # in a ```diff block the +/- must stay in the first column for GitHub to colour the line
                lines += [f"{x[:1]}       {x[1:]}" for x in text] if markdown else [f"       {x}" for x in text]
    return lines


# --- json -------------------------------------------------------------------------------------------------------


def _field_json(change: FieldChange) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": change.path, "change": change.kind}
    if change.before is not ABSENT:
        entry["before"] = change.before
    if change.after is not ABSENT:
        entry["after"] = change.after
    return entry


def _object_json(change: ObjectChange) -> dict[str, Any]:
    group, kind, namespace, name = change.key
    entry: dict[str, Any] = {
        "group": group, "kind": kind, "namespace": namespace, "name": name, "change": change.status,
        "fields": [_field_json(f) for f in change.fields],
    }
    if change.renamed_from:
        entry["renamedFrom"] = change.renamed_from
    return entry


def _totals_json(totals: Totals | None) -> dict[str, int] | None:
    if totals is None:
        return None
    return {attribute: getattr(totals, attribute) for _, attribute, _ in TOTAL_FIELDS}


def diff_json(diff: TreeDiff) -> dict[str, Any]:
    return {
        "base": diff.base,
        "head": diff.head,
        "notes": list(diff.notes),
        "sections": [
            {
                "name": section.name,
                "status": section.status,
                "errors": list(section.errors),
                "totals": {"before": _totals_json(section.totals_before), "after": _totals_json(section.totals_after)},
                "images": [
                    {"workload": i.workload, "container": i.container, "before": i.before, "after": i.after}
                    for i in section.images
                ],
                "objects": [_object_json(change) for change in section.objects],
            }
            for section in diff.sections
        ],
    }


# --- markdown ---------------------------------------------------------------------------------------------------


def _code(text: str) -> str:
    """Inline code that survives backticks in the value, and no table-breaking pipes."""
    text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"


class _Budget:
    """Lines appended while they fit under the limit; what does not fit is counted, never cut mid-line."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines: list[str] = []
        self.size = 0
        self.omitted = 0

    def fits(self, line: str) -> bool:
        return self.size + len(line) + 1 + _RESERVE <= self.limit

    def add(self, line: str, *, counted: bool = True) -> bool:
        if self.omitted or not self.fits(line):
            self.omitted += 1 if counted else 0
            return False
        self.lines.append(line)
        self.size += len(line) + 1
        return True

    def force(self, line: str) -> None:
        """Closing tags and the notice: always written (the reserve holds room for them)."""
        self.lines.append(line)
        self.size += len(line) + 1


def _section_lines(section: SectionDiff) -> list[str]:
    """The body of one overlay's <details> block: totals, images, then objects and their fields."""
    lines: list[str] = [*(f"- {error}" for error in section.errors)]
    rows = totals_rows(section)
    if rows:
        lines += ["| total | before | after |", "|---|---|---|", *(f"| {a} | {b} | {c} |" for a, b, c in rows), ""]
    if section.images:
        lines.append("**Images**")
        lines += [
            f"- {_code(i.workload)} {_code(i.container)}: {_code(i.before or '-')} → {_code(i.after or '-')}"
            for i in section.images
        ]
        lines.append("")
    if section.objects:
        lines += ["```diff", *object_lines(section, markdown=True), "```"]
    return lines


def _pair(section: SectionDiff, attribute: str, show: Any) -> str:
    old = show(getattr(section.totals_before, attribute)) if section.totals_before else "-"
    new = show(getattr(section.totals_after, attribute)) if section.totals_after else "-"
    return old if old == new else f"{old} → {new}"


def render_markdown(diff: TreeDiff, *, limit: int = COMMENT_LIMIT) -> str:
    budget = _Budget(limit)
    budget.force(MARKER)
    budget.force(f"### rosgit diff `{diff.base[:12]}`..`{diff.head[:12]}`")
    budget.force("")
    for note in diff.notes:
        budget.force(f"> {note}")
    if not diff.changed:
        budget.force("No rendered object changes in any overlay or chart.")
        return "\n".join(budget.lines) + "\n"
    budget.force("| | objects | pods | CPU req | memory req |")
    budget.force("|---|---|---|---|---|")
    for section in diff.changed:
        budget.force(
            f"| `{section.name}` | {_summary(section)} | {_pair(section, 'pods', str)} | "
            f"{_pair(section, 'cpu_requests_m', _cores)} | {_pair(section, 'memory_requests_bytes', _gi)} |"
        )
    budget.force("")
    for section in diff.changed:
        if budget.omitted:
            budget.omitted += len(_section_lines(section))
            continue
        if not budget.add(f"<details><summary><b>{section.name}</b>: {_summary(section)}</summary>", counted=False):
            budget.omitted += len(_section_lines(section))
            continue
        budget.force("")
        body = _section_lines(section)
        in_code = False
        for index, line in enumerate(body):
            if not budget.add(line):
                budget.omitted += len(body) - index - 1
                if in_code:
                    budget.force("```")
                break
            if line.startswith("```"):
                in_code = not in_code
        budget.force("")
        budget.force("</details>")
        budget.force("")
    if budget.omitted:
        budget.force(
            f"**Truncated:** {budget.omitted} more line(s) of changes are not shown (GitHub's comment limit); "
            "run `rosgit diff` locally or see the workflow's artifact for the full report."
        )
    return "\n".join(budget.lines) + "\n"


def render_report(diff: TreeDiff, output: str) -> str:
    if output == "text":
        return render_text(diff)
    if output == "json":
        return json.dumps(diff_json(diff), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    if output == "markdown":
        return render_markdown(diff)
    raise UsageError(f"unknown output {output!r}; choose one of {', '.join(FORMATS)}")
