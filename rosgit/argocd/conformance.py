"""Argo CD (and SealedSecret) objects judged against the vendored upstream CRDs.

The schema comes from the converter `rosgit validate` uses, with the root closed too: Argo CD applies with
the API server's strict field validation, which rejects an unknown top-level field as well.
"""

from __future__ import annotations

import functools
from typing import Any

from rosgit.k8s.objects import Obj
from rosgit.k8s.openapi import convert_openapi_schema, vendored_openapi_schema

KINDS = frozenset(
    {
        ("argoproj.io", "Application"),
        ("argoproj.io", "ApplicationSet"),
        ("argoproj.io", "AppProject"),
        ("bitnami.com", "SealedSecret"),
    }
)


@functools.cache
def _validator(group: str, kind: str, version: str) -> Any:
    import jsonschema

    schema = vendored_openapi_schema(group, kind, version)
    if schema is None:
        return None
    return jsonschema.Draft202012Validator(convert_openapi_schema(schema, close_root=True))


def supported(obj: Obj) -> bool:
    api_version = str(obj.get("apiVersion", ""))
    return (api_version.partition("/")[0], str(obj.get("kind", ""))) in KINDS


def schema_errors(obj: Obj) -> list[str]:
    """Every schema violation as `path: message`; an empty list means valid."""
    group, _, version = str(obj.get("apiVersion", "")).partition("/")
    kind = str(obj.get("kind", ""))
    if (group, kind) not in KINDS:
        return [f"no vendored CRD schema for {obj.get('apiVersion')} {kind}"]
    validator = _validator(group, kind, version)
    if validator is None:
        return [f"{kind} has no served version {version!r} in the vendored CRD"]
    errors = []
    for error in sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.absolute_path]):
        path = ".".join(str(part) for part in error.absolute_path) or "(root)"
        errors.append(f"{path}: {error.message}")
    return errors
