"""`rosgit diff`: what a change does to the rendered overlays and chart, object by object and field by field.

`revisions` materialises a Git revision in a temporary directory (never the user's work tree), `render`
builds every overlay (and the chart) of one tree, `semantic` compares two renders, `report` writes text,
JSON or a Markdown PR comment that fits GitHub's comment limit, `command` wires them together.
"""

from rosgit.diff.render import Render, render_tree
from rosgit.diff.report import COMMENT_LIMIT, render_report
from rosgit.diff.semantic import FieldChange, ObjectChange, SectionDiff, TreeDiff, diff_renders, flatten

__all__ = [
    "COMMENT_LIMIT",
    "FieldChange",
    "ObjectChange",
    "Render",
    "SectionDiff",
    "TreeDiff",
    "diff_renders",
    "flatten",
    "render_report",
    "render_tree",
]
