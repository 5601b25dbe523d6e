"""`rosgit lint`: cluster-free deployability checks on built overlays, one module per rule family."""

from rosgit.lint.context import LintContext
from rosgit.lint.runner import IGNORE_ANNOTATION, lint_objects

__all__ = ["IGNORE_ANNOTATION", "LintContext", "lint_objects"]
