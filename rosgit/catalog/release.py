"""Semantic versions (semver.org 2.0.0) for the chart's release: parsed, validated with FILE:LINE, ordered."""

from __future__ import annotations

import re

from rosgit.catalog.model import Catalog
from rosgit.catalog.schema import Reader

# semver.org's recommended pattern: no leading zeros, optional pre-release and build metadata
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)

Precedence = tuple[int, int, int, tuple[tuple[int, int, str], ...]]


def precedence(version: str) -> Precedence | None:
    """A sort key with semver's precedence (build metadata ignored; a pre-release sorts before its release)."""
    match = SEMVER.match(version)
    if match is None:
        return None
    major, minor, patch, pre, _ = match.groups()
    if pre is None:
        return int(major), int(minor), int(patch), ((2, 0, ""),)
    # numeric identifiers sort numerically and before alphanumeric ones
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return int(major), int(minor), int(patch), parts


def check_chart_release(catalog: Catalog, reader: Reader) -> None:
    release = catalog.chart
    for key, value in (("version", release.version), ("appVersion", release.app_version)):
        if value is not None and SEMVER.match(value) is None:
            line = reader.line_at(f"catalog.chart.{key}") or reader.line_of(release)
            raise reader.fail(line, f"chart.{key}: {value!r} is not a semantic version (MAJOR.MINOR.PATCH, semver.org)")
