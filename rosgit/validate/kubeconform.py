"""Running the pinned kubeconform binary, fully offline, and reading its JSON output.

Each object is written as JSON to its own numbered file in a private temporary directory, so every
kubeconform result maps back to exactly one object whatever order its workers finish in. kubeconform
only ever sees local `-schema-location` templates, so it never reaches for the network.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rosgit.tools import run_tool
from rosgit.validate.report import FieldError, Status

_STATUSES: dict[str, Status] = {
    "statusValid": "valid",
    "statusInvalid": "invalid",
    "statusError": "error",
    "statusSkipped": "skipped",
}
# One node of the error tree kubeconform flattens into `msg`: `<indent>- at '<pointer>': <message>`.
_NODE = re.compile(r"(?P<indent> *)- at '(?P<path>(?:[^'\\]|\\.)*)': ")
# allOf is not one: python-jsonschema reports an allOf's failing subschemas directly, and so do we.
_WRAPPERS = ("oneOf failed", "anyOf failed", "not failed")
_PREFIX = "problem validating schema. Check JSON formatting: "


@dataclass(frozen=True)
class KubeconformResult:
    status: Status
    message: str
    errors: tuple[FieldError, ...]


def command(binary: Path, locations: list[str], *, workers: int = 2) -> list[str]:
    return [str(binary), *arguments(locations, workers=workers)]


def arguments(locations: list[str], *, workers: int = 2) -> list[str]:
    argv = ["-strict", "-output", "json", "-verbose", "-summary", "-n", str(workers)]
    for location in locations:
        argv += ["-schema-location", location]
    return argv


def run(binary: Path, objects: list[str], locations: list[str]) -> list[KubeconformResult]:
    """Validate JSON-encoded objects; one result per object, in the same order."""
    if not objects:
        return []
    with tempfile.TemporaryDirectory(prefix="rosgit-validate-") as tmp:
        names = []
        for index, text in enumerate(objects):
            name = f"{index:06d}.json"
            (Path(tmp) / name).write_text(text, encoding="utf-8")
            names.append(name)
        result = run_tool(binary, [*arguments(locations), *names], cwd=Path(tmp))
    try:
        # invalid objects make kubeconform exit 1 with a full report: only output that is no report failed
        payload = json.loads(result.stdout)
    except json.JSONDecodeError as err:
        raise result.error() from err
    by_file: dict[str, KubeconformResult] = {}
    for entry in payload.get("resources", []):
        by_file[entry["filename"]] = parse_result(entry)
    missing = KubeconformResult("error", "kubeconform reported no result for this resource", ())
    return [by_file.get(name, missing) for name in names]


def parse_result(entry: dict[str, Any]) -> KubeconformResult:
    status = _STATUSES.get(entry.get("status", ""), "error")
    message = str(entry.get("msg", ""))
    errors: tuple[FieldError, ...] = ()
    if status == "invalid":
        errors = tuple(sorted(set(leaf_errors(message)), key=lambda e: (e.path, e.message)))
        if not errors:
            errors = tuple(
                FieldError(path=str(e.get("path", "")), message=str(e.get("msg", "")))
                for e in entry.get("validationErrors") or []
            )
    return KubeconformResult(status, message, errors)


def leaf_errors(message: str) -> list[FieldError]:
    """The failing leaves of the error tree kubeconform prints on one line.

    Intermediate `validation failed` nodes only say that something below failed; the children of a
    oneOf/anyOf/allOf/not node explain each alternative, which the wrapper already sums up.
    """
    body = message[len(_PREFIX) :] if message.startswith(_PREFIX) else message
    matches = list(_NODE.finditer(body))
    nodes: list[tuple[int, str, str]] = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        text = body[match.end() : end].rstrip()
        path = match.group("path").replace("\\'", "'")
        nodes.append((len(match.group("indent")), path, text))
    leaves: list[FieldError] = []
    skip_deeper_than: int | None = None
    for i, (depth, path, text) in enumerate(nodes):
        if skip_deeper_than is not None:
            if depth > skip_deeper_than:
                continue
            skip_deeper_than = None
        has_children = i + 1 < len(nodes) and nodes[i + 1][0] > depth
        if text.startswith(_WRAPPERS):
            leaves.append(FieldError(path=path, message=text))
            skip_deeper_than = depth
        elif not has_children:
            leaves.append(FieldError(path=path, message=text))
    return leaves
