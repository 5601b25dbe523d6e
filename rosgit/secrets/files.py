"""The SealedSecret files in overlays: building their objects, writing and reading them back.

A file `rosgit seal` wrote starts with SEALED_HEADER instead of the generator header, so `rosgit generate`
treats it as foreign and keeps it; a stub still carries the generator header and is regenerated freely.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from rosgit.errors import UsageError
from rosgit.fileset.text import is_generated, to_yaml
from rosgit.k8s.objects import Obj, load_objects
from rosgit.k8s.sealedsecret import SCOPES, STUB_ANNOTATION, Scope, scope_of, sealed_secrets_dir

SEALED_MARK = "Sealed by rosgit seal"
SEALED_HEADER = (
    f"# {SEALED_MARK}: encrypted, safe to commit. Change values with `rosgit seal`, never by hand."
)
FINGERPRINT_ANNOTATION = "rosgit.io/sealed-value-fingerprints"
# The first design's HMAC digests, keyed from the public certificate (an offline oracle): read only so
# `rosgit seal` can drop them.
LEGACY_HMAC_ANNOTATION = "rosgit.io/sealed-value-hmacs"

FileState = Literal["stub", "sealed", "foreign"]


def encode_fingerprints(fingerprints: dict[str, str]) -> str:
    return json.dumps(dict(sorted(fingerprints.items())), separators=(",", ":"))


def sealed_file_text(obj: Obj) -> str:
    return f"{SEALED_HEADER}\n{to_yaml(obj)}"


def is_sealed_text(text: str) -> bool:
    return text.startswith(f"# {SEALED_MARK}")


def is_sealed_file(path: Path) -> bool:
    """A file `rosgit seal` wrote: foreign to the generator on purpose, never a hand-written override."""
    try:
        with path.open(encoding="utf-8") as handle:
            return is_sealed_text(handle.readline())
    except (OSError, UnicodeDecodeError):
        return False


@dataclass(frozen=True)
class SealedFile:
    """What a file under overlays/<o>/sealed-secrets/ holds, as far as sealing and checks care."""

    path: str
    state: FileState
    name: str = ""
    namespace: str = ""
    scope: Scope = "strict"
    encrypted: dict[str, str] = field(default_factory=dict)
    # key -> fingerprint (rosgit.secrets.fingerprint), or a legacy HMAC digest to be dropped
    fingerprints: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    template_name: str = ""
    template_namespace: str = ""


def parse_sealed_file(rel: str, text: str) -> SealedFile:
    """Reads one file; a malformed sealed file is a UsageError naming it (it would never decrypt)."""
    if is_generated(text):
        state: FileState = "stub"
    elif is_sealed_text(text):
        state = "sealed"
    else:
        return SealedFile(path=rel, state="foreign")
    try:
        docs = load_objects(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError("invalid YAML in sealed secret file", location=f"{rel}{line}") from None
    if len(docs) != 1 or not isinstance(docs[0], dict) or docs[0].get("kind") != "SealedSecret":
        raise UsageError("expected exactly one SealedSecret object", location=rel)
    obj = docs[0]
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
    encrypted = spec.get("encryptedData") or {}
    template_meta = (spec.get("template") or {}).get("metadata") or {}
    if not isinstance(encrypted, dict) or not all(isinstance(v, str) for v in encrypted.values()):
        raise UsageError("spec.encryptedData must map keys to base64 strings", location=rel)
    fingerprints: dict[str, str] = {}
    for annotation in (LEGACY_HMAC_ANNOTATION, FINGERPRINT_ANNOTATION):  # the current one wins
        if annotation in annotations:
            fingerprints.update(_string_map(annotations[annotation], annotation, rel))
    return SealedFile(
        path=rel,
        state="stub" if state == "stub" or annotations.get(STUB_ANNOTATION) == "true" else "sealed",
        name=str(meta.get("name") or ""),
        namespace=str(meta.get("namespace") or ""),
        scope=scope_of(annotations),
        encrypted={str(k): v for k, v in encrypted.items()},
        fingerprints=fingerprints,
        labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
        template_name=str(template_meta.get("name") or ""),
        template_namespace=str(template_meta.get("namespace") or ""),
    )


def _string_map(text: str, annotation: str, rel: str) -> dict[str, str]:
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError:
        loaded = None
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        raise UsageError(f"annotation {annotation} is not a JSON object of strings", location=rel)
    return {str(k): v for k, v in loaded.items()}


def read_overlay_sealed_files(root: Path, overlay: str, cluster: str | None = None) -> dict[str, SealedFile]:
    """Every YAML file in the overlay's (or one cluster's) sealed-secrets directory, keyed by secret name."""
    directory = root / sealed_secrets_dir(overlay, cluster)
    found: dict[str, SealedFile] = {}
    if not directory.is_dir():
        return found
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix in (".yaml", ".yml"):
            rel = path.relative_to(root).as_posix()
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                raise UsageError(f"cannot read: {err}", location=rel) from None
            found[path.stem] = parse_sealed_file(rel, text)
    return found


def valid_scope(value: str) -> Scope:
    for scope in SCOPES:
        if value == scope:
            return scope
    raise UsageError(f"unknown scope {value!r}; choose one of {', '.join(SCOPES)}")
