"""The resources report as a text table or JSON, with the plan's totals and rows beside the real ones."""

from __future__ import annotations

import json
from typing import Any

from rosgit.catalog.model import PlanTotals
from rosgit.errors import UsageError
from rosgit.resources.plan import compare_rows, planned
from rosgit.resources.totals import Report, Totals

HEADER = ("PODS", "CPU REQ", "CPU LIM", "MEM REQ", "MEM LIM", "STORAGE")


def _cores(millis: int) -> str:
    return f"{millis / 1000:.2f}"


def _gib(size: int) -> str:
    return f"{size / 2**30:.1f}Gi"


def _row(totals: Totals) -> dict[str, Any]:
    return {
        "pods": totals.pods,
        "cpuRequests": _cores(totals.cpu_requests_m),
        "cpuLimits": _cores(totals.cpu_limits_m),
        "memoryRequests": _gib(totals.memory_requests_bytes),
        "memoryLimits": _gib(totals.memory_limits_bytes),
        "storage": _gib(totals.storage_bytes),
        "cpuRequestsMillicores": totals.cpu_requests_m,
        "cpuLimitsMillicores": totals.cpu_limits_m,
        "memoryRequestsBytes": totals.memory_requests_bytes,
        "memoryLimitsBytes": totals.memory_limits_bytes,
        "storageBytes": totals.storage_bytes,
    }


def _cells(label: str, totals: Totals) -> tuple[str, ...]:
    row = _row(totals)
    keys = ("cpuRequests", "cpuLimits", "memoryRequests", "memoryLimits", "storage")
    return (label, str(row["pods"]), *(str(row[k]) for k in keys))


def _difference_cells(label: str, real: Totals, plan: Totals) -> tuple[str, ...]:
    return (
        label,
        f"{real.pods - plan.pods:+d}",
        f"{(real.cpu_requests_m - plan.cpu_requests_m) / 1000:+.2f}",
        f"{(real.cpu_limits_m - plan.cpu_limits_m) / 1000:+.2f}",
        f"{(real.memory_requests_bytes - plan.memory_requests_bytes) / 2**30:+.1f}Gi",
        f"{(real.memory_limits_bytes - plan.memory_limits_bytes) / 2**30:+.1f}Gi",
        f"{(real.storage_bytes - plan.storage_bytes) / 2**30:+.1f}Gi",
    )


def _aligned(rows: list[tuple[str, ...] | str]) -> list[str]:
    """Table rows padded to common column widths (the first left-aligned); a plain string row is kept as is."""
    cells = [r for r in rows if isinstance(r, tuple)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    return [
        r if isinstance(r, str) else "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]


def _plan_json(report: Report, plan: PlanTotals) -> dict[str, Any]:
    rows = compare_rows(report, plan)
    reasons = [*plan.differences, *(f"{c.name}: {d}" for c in rows if c.row for d in c.row.differences)]
    return {
        **_row(planned(plan)),
        "source": plan.source,
        "differences": reasons,
        "rows": [
            {
                "name": c.name,
                "components": list(c.row.components) if c.row else [],
                "groups": list(c.row.groups) if c.row else [],
                "workloads": c.workloads,
                "real": _row(c.real),
                "plan": _row(planned(c.row)) if c.row else None,
                "differences": list(c.row.differences) if c.row else [],
            }
            for c in rows
        ],
    }


def _plan_lines(report: Report, plan: PlanTotals) -> list[str]:
    """Per plan row: what this overlay runs for it, the plan's figures, the difference and its reasons."""
    rows: list[tuple[str, ...] | str] = [("PLAN ROW", *HEADER)]
    for comparison in compare_rows(report, plan):
        rows.append(_cells(comparison.name, comparison.real))
        if comparison.row is None:
            rows.append(f"  - not in any row of the plan: {', '.join(comparison.workloads)}")
            continue
        figures = planned(comparison.row)
        rows += [_cells("  plan", figures), _difference_cells("  vs plan", comparison.real, figures)]
        rows += [f"  - {reason}" for reason in comparison.row.differences]
    lines = [f"PLAN: {plan.source}. Per row of the plan's table, what this profile runs for it, and why it differs:"]
    lines += _aligned(rows)
    lines += [f"  - {reason}" for reason in plan.differences]
    return lines


def render_table(
    report: Report, output: str, plan: PlanTotals | None = None, modes: dict[str, Totals] | None = None
) -> str:
    """The report as text or JSON; with `plan`, the plan's totals and rows, the differences and the reasons; with
    `modes`, the total of each analytics mode (the overlay's own and the other, docs/analytics.md)."""
    if output == "json":
        data: dict[str, Any] = {
            "groups": {group: _row(totals) for group, totals in report.groups.items()},
            "total": _row(report.total),
            "jobs": {name: _row(totals) for name, totals in sorted(report.jobs.items())},
        }
        if modes:
            data["analytics"] = {mode: _row(totals) for mode, totals in modes.items()}
        if plan is not None:
            data["plan"] = _plan_json(report, plan)
        return json.dumps(data, indent=2)
    if output != "text":
        raise UsageError(f"unknown output format {output!r}; choose text or json")
    table: list[tuple[str, ...] | str] = [("GROUP", *HEADER)]
    table += [_cells(group, totals) for group, totals in report.groups.items()]
    table.append("")  # the rule under the groups, drawn once the width is known
    table.append(_cells("TOTAL", report.total))
    for mode, totals in (modes or {}).items():
        table.append(_cells(f"analytics {mode}", totals))
    if plan is not None:
        table += [_cells("PLAN", planned(plan)), _difference_cells("vs PLAN", report.total, planned(plan))]
    lines = _aligned(table)
    rule = lines.index("")
    lines[rule] = "-" * len(lines[0])
    lines.append(f"(CPU in cores; {len(report.jobs)} Job/CronJob workloads run on demand and are not counted as pods)")
    if plan is not None:
        lines += _plan_lines(report, plan)
    return "\n".join(lines)
