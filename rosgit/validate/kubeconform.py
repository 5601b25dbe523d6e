"""Running the pinned kubeconform binary, fully offline, and reading its JSON output.

Objects are written as JSON documents into files in a private temporary directory, so that every
kubeconform result maps back to exactly one object whatever order its workers finish in: kubeconform's
report names a result by its file, apiVersion, kind and metadata.name, so objects it names apart share a
file, and any other object (the second of a name, a name that is no plain string) is put in a later file or
in one of its own. kubeconform only ever sees local `-schema-location` templates, so it never reaches for
the network.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
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


# How kubeconform's report names a resource: (file, apiVersion, kind, name).
ReportName = tuple[str, str, str, str]
# The keys kubeconform's signature reads, as Go's JSON decoding matches them: without regard to case.
_SIGNATURE_KEYS = {"apiversion": "apiVersion", "kind": "kind", "metadata": "metadata"}
_METADATA_KEYS = {"name": "name", "namespace": "namespace", "generatename": "generateName"}


def report_signature(obj: Any) -> tuple[str, str, str] | None:
    """(apiVersion, kind, name) as kubeconform's report will name the object, when that is certain: the three
    plain non-empty strings under their exact keys (no other key folding to one of kubeconform's, no
    generateName, a namespace that is a string) and no List (kubeconform reports a List's items). None: the
    object needs a file of its own."""
    if not isinstance(obj, dict) or not _exact_keys(obj, _SIGNATURE_KEYS):
        return None
    api_version, kind, metadata = obj.get("apiVersion"), obj.get("kind"), obj.get("metadata")
    if not (isinstance(api_version, str) and api_version and isinstance(kind, str) and kind):
        return None
    if kind.lower() == "list" or not isinstance(metadata, dict) or not _exact_keys(metadata, _METADATA_KEYS):
        return None
    name, namespace = metadata.get("name"), metadata.get("namespace", "")
    if not (isinstance(name, str) and name and isinstance(namespace, str)) or "generateName" in metadata:
        return None
    return api_version, kind, name


def _exact_keys(mapping: dict[Any, Any], wanted: dict[str, str]) -> bool:
    """No key but the exact one folds to a key kubeconform reads (Go's decoder takes `KIND` for `kind`)."""
    for key in mapping:
        if not isinstance(key, str):
            return False
        folded = wanted.get(key.casefold())
        if folded is not None and folded != key:
            return False
    return True


def run(
    binary: Path, texts: list[str], locations: list[str], *, objects: Sequence[Any] | None = None
) -> list[KubeconformResult]:
    """Validate JSON-encoded objects; one result per object, in the same order. `objects`: the decoded
    objects, when the caller has them (else they are read from the texts)."""
    if not texts:
        return []
    decoded = objects if objects is not None else [json.loads(text) for text in texts]
    with tempfile.TemporaryDirectory(prefix="rosgit-validate-") as tmp:
        names, files = _layout(texts, decoded)
        for file, documents in files.items():
            # JSON holds no line break: the only `---` lines are the separators
            (Path(tmp) / file).write_text("\n---\n".join(documents), encoding="utf-8")
        result = run_tool(binary, [*arguments(locations), *files], cwd=Path(tmp))
    try:
        # invalid objects make kubeconform exit 1 with a full report: only output that is no report failed
        payload = json.loads(result.stdout)
    except json.JSONDecodeError as err:
        raise result.error() from err
    reported: dict[ReportName | str, KubeconformResult] = {}
    for entry in payload.get("resources", []):
        file = str(entry.get("filename", ""))
        key = (file, str(entry.get("version", "")), str(entry.get("kind", "")), str(entry.get("name", "")))
        reported[file if file.startswith(_OWN) else key] = parse_result(entry)
    missing = KubeconformResult("error", "kubeconform reported no result for this resource", ())
    return [reported.get(name, missing) for name in names]


_OWN = "own-"


def _layout(texts: list[str], objects: Sequence[Any]) -> tuple[list[ReportName | str], dict[str, list[str]]]:
    """Each object's report name (a file of its own: the file's name), and each file's documents: the n-th
    object of one report name goes in the n-th shared file."""
    names: list[ReportName | str] = []
    files: dict[str, list[str]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for index, (text, obj) in enumerate(zip(texts, objects, strict=True)):
        signature = report_signature(obj)
        if signature is None:
            file = f"{_OWN}{index:06d}.json"
            names.append(file)
        else:
            count = seen.get(signature, 0)
            seen[signature] = count + 1
            file = f"shared-{count:06d}.json"
            names.append((file, *signature))
        files.setdefault(file, []).append(text)
    return names, files


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
