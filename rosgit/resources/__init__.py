"""`rosgit resources`: pods, CPU, memory and storage per component group of a built overlay, and the
catalog's sizing plan (its totals and rows) beside them."""

from rosgit.resources.modes import mode_totals, other_modes, tree_in_mode
from rosgit.resources.plan import overlay_directory, plan_for
from rosgit.resources.render import render_table
from rosgit.resources.summary import summarize
from rosgit.resources.totals import Report, Totals, workload_totals

__all__ = [
    "Report",
    "Totals",
    "mode_totals",
    "other_modes",
    "overlay_directory",
    "plan_for",
    "render_table",
    "summarize",
    "tree_in_mode",
    "workload_totals",
]
