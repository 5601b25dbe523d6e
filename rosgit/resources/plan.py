"""The catalog's sizing plan beside the real totals: which overlay a name means, its profile's plan, and
which of its workloads each of the plan's rows stands for."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from rosgit.catalog.model import Catalog, OverlaySpec, PlanFigures, PlanRow, PlanTotals
from rosgit.errors import UsageError
from rosgit.quantity import bytes_of, millicores
from rosgit.resources.totals import Report, Totals, Workload

UNPLANNED = "not in the plan"


def overlay_directory(argument: str, catalog: Catalog | None, root: Path) -> Path:
    """A catalog overlay's name or a kustomization directory, as `rosgit lint` takes them."""
    names = [o.name for o in catalog.overlays] if catalog is not None else []
    if argument in names:
        return root / "overlays" / argument
    path = Path(argument)
    if not path.is_dir():
        known = ", ".join(names) or "none, no catalog here"
        raise UsageError(f"no overlay {argument!r} (catalog overlays: {known}; or give a kustomization directory)")
    return path


def overlay_spec(overlay: Path, catalog: Catalog, root: Path) -> OverlaySpec | None:
    """The catalog overlay whose directory `overlay` is, if any."""
    resolved = overlay.resolve()
    return next((o for o in catalog.overlays if (root / "overlays" / o.name).resolve() == resolved), None)


def plan_for(overlay: Path, catalog: Catalog, root: Path) -> PlanTotals | None:
    """The sizing plan of the catalog profile `overlay` renders, when it is a catalog overlay that has one."""
    spec = overlay_spec(overlay, catalog, root)
    profile = catalog.profiles.get(spec.profile) if spec is not None else None
    return profile.plan if profile is not None else None


def planned(figures: PlanFigures) -> Totals:
    return Totals(
        pods=figures.pods,
        cpu_requests_m=millicores(figures.cpu_requests),
        cpu_limits_m=millicores(figures.cpu_limits),
        memory_requests_bytes=bytes_of(figures.memory_requests),
        memory_limits_bytes=bytes_of(figures.memory_limits),
        storage_bytes=bytes_of(figures.storage),
    )


@dataclass
class RowComparison:
    """One plan row (or the workloads no row stands for: `row` None) and what this overlay runs for it."""

    name: str
    row: PlanRow | None
    real: Totals = field(default_factory=Totals)
    workloads: list[str] = field(default_factory=list)


def _row_of(workload: Workload, rows: list[PlanRow]) -> PlanRow | None:
    named = (r for r in rows if any(fnmatchcase(workload.name, pattern) for pattern in r.components))
    return next(named, None) or next((r for r in rows if workload.group in r.groups), None)


def compare_rows(report: Report, plan: PlanTotals) -> list[RowComparison]:
    """Every plan row in the plan's order with the workloads it stands for (a workload named by a row's
    components is that row's, else its group's row); then, if any, the workloads of no row."""
    rows = {r.name: RowComparison(r.name, r) for r in plan.rows}
    rest = RowComparison(UNPLANNED, None)
    for workload in report.workloads:
        row = _row_of(workload, plan.rows)
        comparison = rows[row.name] if row is not None else rest
        comparison.real.add(workload.totals)
        if workload.name not in comparison.workloads:
            comparison.workloads.append(workload.name)
    return [*rows.values(), *([rest] if rest.workloads else [])]
