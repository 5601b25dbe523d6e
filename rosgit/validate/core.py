"""One validation run: documents in, one result per resource out.

Everything a validator cannot judge is settled here first, identically for both validators: unreadable
documents, missing apiVersion/kind, duplicate objects, values JSON cannot hold, and kinds without a schema.
What is left goes to kubeconform or to the builtin validator, which see the same JSON and the same schemas.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rosgit.errors import UsageError
from rosgit.validate.defaults import defaulted
from rosgit.validate.deprecations import api_verdict
from rosgit.validate.inputs import Document, to_json
from rosgit.validate.report import ResourceResult, ValidationReport
from rosgit.validate.schemas import SchemaSet, schema_set

if TYPE_CHECKING:
    from rosgit.validate.verdicts import Verdict, VerdictMemo

VALIDATORS = ("auto", "kubeconform", "builtin")
# the message of an object whose apiVersion the target Kubernetes no longer serves (VAL005)
REMOVED_API = "removed API: "


@dataclass(frozen=True)
class _Pending:
    index: int
    base: ResourceResult
    text: str
    schema: Path
    obj: Any  # what `text` encodes


def choose_validator(validator: str) -> tuple[str, Path | None]:
    """("kubeconform", binary) or ("builtin", None); `auto` takes kubeconform when it is installed."""
    from rosgit.tools import find_tool, require_tool

    if validator not in VALIDATORS:
        raise UsageError(f"unknown validator {validator!r}; choose one of {', '.join(VALIDATORS)}")
    if validator == "builtin":
        return "builtin", None
    if validator == "kubeconform":
        return "kubeconform", require_tool("kubeconform")
    binary = find_tool("kubeconform")
    return ("kubeconform", binary) if binary is not None else ("builtin", None)


def _signature(doc: Document) -> ResourceResult | str:
    """The resource's identity, or kubeconform's reason for refusing the document."""
    obj = doc.obj
    if not isinstance(obj, dict):
        return f"document is a {type(obj).__name__}, not a mapping of fields"
    kind = obj.get("kind")
    api_version = obj.get("apiVersion")
    raw_metadata = obj.get("metadata")
    metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
    name = _text(metadata.get("name"))
    if isinstance(metadata.get("generateName"), str):
        name = metadata["generateName"] + "*"
    namespace = _text(metadata.get("namespace"))
    base = ResourceResult(
        source=doc.source, line=doc.line, status="valid", kind=kind if isinstance(kind, str) else "",
        name=name, namespace=namespace, api_version=api_version if isinstance(api_version, str) else "",
    )
    if not isinstance(kind, str) or not kind:
        return _with(base, "error", "missing 'kind' key")
    if not isinstance(api_version, str) or not api_version:
        return _with(base, "error", "missing 'apiVersion' key")
    return base


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _with(base: ResourceResult, status: Any, message: str, errors: tuple[Any, ...] = ()) -> ResourceResult:
    return ResourceResult(
        source=base.source, line=base.line, status=status, kind=base.kind, name=base.name,
        namespace=base.namespace, api_version=base.api_version, message=message, errors=errors,
    )


def _identity(scope: str, result: ResourceResult) -> tuple[str, str, str, str, str] | None:
    """Two objects of one scope are the same object when group, kind, namespace and name match.

    The version is left out: apps/v1 and apps/v1beta1 Deployments of one name are one object to the API server.
    """
    if not result.name or result.name.endswith("*"):
        return None
    group = result.api_version.rpartition("/")[0]
    return scope, group, result.kind, result.namespace, result.name


def validate(
    documents: list[Document],
    *,
    kubernetes_version: str | None = None,
    ignore_missing_schemas: bool = False,
    validator: str = "auto",
    sources: list[str] | None = None,
    schemas: SchemaSet | None = None,
) -> ValidationReport:
    name, binary = choose_validator(validator)
    schemas = schemas or schema_set(kubernetes_version)
    results: list[ResourceResult | None] = []
    pending: list[_Pending] = []
    seen: dict[tuple[str, str, str, str, str], ResourceResult] = {}
    deprecated: dict[int, str] = {}
    for doc in documents:
        if doc.error is not None:
            results.append(ResourceResult(source=doc.source, line=doc.line, status="error", message=doc.error))
            continue
        signature = _signature(doc)
        if isinstance(signature, str):
            results.append(ResourceResult(source=doc.source, line=doc.line, status="error", message=signature))
            continue
        if signature.status == "error":
            results.append(signature)
            continue
        identity = _identity(doc.scope, signature)
        if identity is not None and identity in seen:
            first = seen[identity]
            message = f"duplicate object: {first.ref} already defined at {first.location}"
            results.append(_with(signature, "error", message))
            continue
        if identity is not None:
            seen[identity] = signature
        api = api_verdict(signature.api_version, signature.kind, schemas.kubernetes_version)
        if api is not None and api.removed:
            results.append(_with(signature, "error", f"{REMOVED_API}{api.message}"))
            continue
        if api is not None:
            deprecated[len(results)] = api.message
        schema = schemas.locate(signature.kind, signature.api_version)
        if schema is None:
            if ignore_missing_schemas:
                results.append(_with(signature, "skipped", ""))
            else:
                results.append(_with(signature, "error", f"could not find schema for {signature.kind}"))
            continue
        obj = defaulted(doc.obj, schema) if schemas.is_crd_schema(schema) else doc.obj
        try:
            text = to_json(obj)
        except (TypeError, ValueError) as err:
            results.append(_with(signature, "error", f"value not representable in JSON: {err}"))
            continue
        pending.append(_Pending(len(results), signature, text, schema, obj))
        results.append(None)
    for item, verdict in zip(pending, _run(name, binary, pending, schemas), strict=True):
        results[item.index] = verdict
    for index, message in deprecated.items():
        result = results[index]
        if result is not None:
            results[index] = replace(result, deprecation=message)
    final = tuple(result for result in results if result is not None)
    return ValidationReport(
        results=final,
        validator=name,
        kubernetes_version=schemas.kubernetes_version,
        sources=tuple(sources or sorted({doc.source for doc in documents})),
    )


def _run(name: str, binary: Path | None, pending: list[_Pending], schemas: SchemaSet) -> list[ResourceResult]:
    """One verdict per pending object: remembered from an earlier run (`rosgit.validate.verdicts`) or judged
    now, every object still to be judged in one validator run."""
    memo = _open_verdicts(name, binary, schemas)
    keys = [memo.keys(p.text, p.obj, p.schema) if memo is not None else None for p in pending]
    verdicts: dict[int, Verdict] = {}
    if memo is not None:
        verdicts = {i: found for i, key in enumerate(keys) if key is not None and (found := memo.recall(key))}
    todo = [i for i in range(len(pending)) if i not in verdicts]
    for i, verdict in zip(todo, _judge(name, binary, [pending[i] for i in todo], schemas), strict=True):
        verdicts[i] = verdict
        key = keys[i]
        if memo is not None and key is not None:
            memo.keep(key, verdict)
    if memo is not None:
        memo.commit()
    return [_with(p.base, verdicts[i].status, verdicts[i].message, verdicts[i].errors) for i, p in enumerate(pending)]


def _open_verdicts(name: str, binary: Path | None, schemas: SchemaSet) -> VerdictMemo | None:
    from rosgit import cache
    from rosgit.validate.verdicts import VerdictMemo

    if not cache.enabled():
        return None
    if name == "kubeconform" and binary is not None:
        from rosgit.validate import kubeconform

        arguments = tuple(kubeconform.arguments(schemas.kubeconform_locations()))
        return VerdictMemo.open(name, cache.tools_digest([binary]), arguments)
    from importlib.metadata import version

    return VerdictMemo.open(name, f"jsonschema {version('jsonschema')}", ())


def _judge(name: str, binary: Path | None, pending: list[_Pending], schemas: SchemaSet) -> list[Verdict]:
    from rosgit.validate.verdicts import Verdict

    if not pending:
        return []
    if name == "kubeconform" and binary is not None:
        from rosgit.validate import kubeconform

        outcomes = kubeconform.run(
            binary, [p.text for p in pending], schemas.kubeconform_locations(), objects=[p.obj for p in pending]
        )
        verdicts = []
        for p, o in zip(pending, outcomes, strict=True):
            message = o.message if o.status != "invalid" else ""
            if o.status == "error" and message.startswith("could not find schema"):
                # kubeconform treats a schema it cannot compile as absent; we know the file is there.
                message = f"cannot load the schema {p.schema} for {p.base.kind}"
            verdicts.append(Verdict(o.status, message, o.errors))
        return verdicts
    from rosgit.validate.builtin import SchemaLoadError, validate_object

    verdicts = []
    for p in pending:
        # The JSON round trip gives the builtin validator exactly the data kubeconform reads.
        try:
            errors = tuple(validate_object(json.loads(p.text), p.schema))
        except SchemaLoadError as err:
            verdicts.append(Verdict("error", f"cannot load the schema {p.schema} for {p.base.kind} ({err})"))
            continue
        verdicts.append(Verdict("invalid" if errors else "valid", "", errors))
    return verdicts
