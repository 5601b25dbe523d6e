"""`rosgit check`: the whole PR pipeline (drift, build, engine comparison, validation, lint, Argo CD,
sealed secrets, Helm) as stages returning findings, and a reporter for text, JSON and JUnit."""

from rosgit.check.model import CheckReport, StageResult
from rosgit.check.pipeline import run_pipeline

__all__ = ["CheckReport", "StageResult", "run_pipeline"]
