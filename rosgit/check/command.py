"""`rosgit check`: run the pipeline, print the report, exit 1 on any error."""

from __future__ import annotations

import sys
from pathlib import Path

from rosgit.check.pipeline import parse_skip, run_pipeline
from rosgit.check.progress import Progress
from rosgit.check.report import OUTPUTS, render
from rosgit.errors import UsageError
from rosgit.findings import colour_wanted


def run_check(
    catalog_path: Path, *, output: str, overlays: list[str], skip: list[str], require_sealed: bool = False,
    require_tools: bool = False, verbose: bool = False,
) -> int:
    if output not in OUTPUTS:
        raise UsageError(f"unknown output {output!r}; choose one of {', '.join(OUTPUTS)}")
    report = run_pipeline(
        catalog_path,
        overlays=overlays,
        skip=parse_skip(skip),
        progress=Progress(total=1),
        require_sealed=require_sealed,
        require_tools=require_tools,
    )
    sys.stdout.write(render(report, output, verbose=verbose, colour=colour_wanted(sys.stdout)))
    if output != "text":
        verdict = "passed" if report.ok else "failed"
        print(
            f"rosgit: check {verdict}: {report.errors} error(s), {report.warnings} warning(s)", file=sys.stderr
        )
    return report.exit_code
