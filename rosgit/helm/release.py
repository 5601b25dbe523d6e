"""The chart's version increment check (as chart-testing's): content changed since the base => a higher version."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rosgit import ids
from rosgit.catalog.release import precedence
from rosgit.errors import UsageError
from rosgit.findings import Finding

_VERSION_LINE = re.compile(r"^version:.*$", re.M)


def _content(files: dict[str, str]) -> dict[str, str]:
    """The chart's files with Chart.yaml's own version line left out: bumping it alone is no content change."""
    return {path: _VERSION_LINE.sub("", text) if path == "Chart.yaml" else text for path, text in files.items()}


def _version(files: dict[str, str]) -> str | None:
    match = _VERSION_LINE.search(files.get("Chart.yaml", ""))
    return match.group(0).partition(":")[2].strip().strip("'\"") if match else None


def bump_findings(chart_dir: str, base: dict[str, str] | None, head: dict[str, str], base_ref: str) -> list[Finding]:
    """`base` and `head` are the chart's files (path relative to the chart -> text) at the merge-base and now;
    `base` None when the chart did not exist there (a first release needs no bump)."""
    if base is None or _content(base) == _content(head):
        return []
    old, new = _version(base), _version(head)
    old_key, new_key = precedence(old or ""), precedence(new or "")
    if old_key is not None and new_key is not None and new_key > old_key:
        return []
    changed = sorted(p for p in set(base) | set(head) if _content(base).get(p) != _content(head).get(p))
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    return [
        Finding(
            ids.ROS906,
            "error",
            f"{chart_dir}/Chart.yaml",
            f"the chart changed since {base_ref[:12]} ({shown}) but its version is {new} (was {old})",
            "raise chart.version in rosgit.yaml (semver: a patch for fixes, a minor for additions), "
            "then rosgit generate",
        )
    ]


def no_merge_base_finding(chart_dir: str, branches: Iterable[str]) -> Finding:
    """The version increment check found none of `branches` and compared with HEAD: said, because a clone of
    a pull request's branch alone would otherwise always pass."""
    where = f"{chart_dir}/Chart.yaml"
    return Finding(
        ids.ROS908, "info", where,
        f"no main branch ({', '.join(branches)}) to compare the chart with: its version was checked against "
        "HEAD only",
        "fetch the main branch (actions/checkout: fetch-depth: 0) so the check sees the whole change", where,
    )


# oci://HOST[:PORT]/REPOSITORY (helm push appends the chart's name and takes its version as the tag)
_OCI = re.compile(r"^oci://[A-Za-z0-9.-]+(:[0-9]+)?(/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$")


def check_oci_reference(reference: str) -> None:
    if _OCI.match(reference) is None:
        raise UsageError(
            f"--push {reference!r}: expected oci://REGISTRY/REPOSITORY (no tag: the chart's version is the tag)"
        )
