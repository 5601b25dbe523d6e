"""YAML timestamps: go-yaml v3 decodes them to time.Time, and JSON prints that as RFC 3339 with nanoseconds."""

from __future__ import annotations

import datetime as _dt
import re

from rosgit.kustomize.gojson import NotJSON

_TIMESTAMP_RE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:(?:([Tt])|( +))([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.([0-9]+))?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


def parse_timestamp(text: str) -> str | None:
    """The RFC 3339 text Go prints for a YAML timestamp, or None when `text` is not one."""
    match = _TIMESTAMP_RE.fullmatch(text)
    if match is None:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    has_time = match[6] is not None
    zone = match[10]
    if has_time:
        if match[4] is not None and zone is None:
            return None
        if match[5] is not None and zone is not None:
            return None
    try:
        # Year 0 is a leap year in Go's proleptic calendar, like 2000.
        _dt.date(year if year > 0 else 2000, month, day)
    except ValueError:
        return None
    date_text = f"{year:04d}-{month:02d}-{day:02d}"
    if not has_time:
        return date_text + "T00:00:00Z"
    hour, minute, second = int(match[6]), int(match[7]), int(match[8])
    if hour > 23 or minute > 59 or second > 59:
        return None
    fraction = (match[9] or "")[:9].rstrip("0")
    if zone is None or zone in ("Z", "+00:00", "-00:00"):
        zone_text = "Z"
    else:
        zone_hours, zone_minutes = int(zone[1:3]), int(zone[4:6])
        if zone_hours > 24 or zone_minutes > 60:
            return None
        if zone_hours * 60 + zone_minutes >= 24 * 60:
            # Go parses such an offset but cannot print it as JSON, so the build fails.
            raise NotJSON(f"{text} (timezone hour outside of range [0,23])")
        zone_text = zone
    frac_text = "." + fraction if fraction else ""
    return f"{date_text}T{hour:02d}:{minute:02d}:{second:02d}{frac_text}{zone_text}"
