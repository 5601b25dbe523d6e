"""`rosgit seal OVERLAY --cert CERT.pem`: turn the overlay's SealedSecret stubs into real ones.

Per declared key: a value the user gave is sealed unless its keyed digest matches the one recorded at the
last sealing (then the old ciphertext stays and Git does not churn); a key with no value keeps its sealed
ciphertext, or gets a fresh random value of the declared shape if it was never sealed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rosgit.catalog.model import Catalog, OverlaySpec, SecretKey
from rosgit.errors import UsageError
from rosgit.k8s import labels as L
from rosgit.k8s.argo import WAVE_CONFIG, wave_annotation
from rosgit.k8s.sealedsecret import Scope, sealed_secret_object, sealed_secret_path
from rosgit.secrets.crypto import SealingCert, seal_value, value_hmac
from rosgit.secrets.files import (
    HMAC_ANNOTATION,
    SealedFile,
    encode_hmacs,
    read_overlay_sealed_files,
    sealed_file_text,
)
from rosgit.secrets.values import SecretRef, ValueInputs, env_var_name, generate_value

Generator = Callable[[SecretKey], str | None]


@dataclass
class SealResult:
    """The files to write and what happened to each key (never any value)."""

    files: dict[str, str] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _fingerprint_tag(cert: SealingCert) -> str:
    return cert.fingerprint.removeprefix("sha256:")[:16]


def resolve_overlay(catalog: Catalog, name_or_path: str) -> OverlaySpec:
    name = Path(name_or_path).name or name_or_path
    overlay = catalog.overlay(name)
    if overlay is None:
        known = ", ".join(o.name for o in catalog.overlays)
        raise UsageError(f"unknown overlay {name_or_path!r} (known: {known})")
    return overlay


def plan_seal(
    root: Path,
    catalog: Catalog,
    overlay: OverlaySpec,
    cert: SealingCert,
    values: dict[SecretRef, bytes],
    *,
    scope: Scope | None = None,
    generate: Generator = generate_value,
) -> SealResult:
    """Everything `rosgit seal` would write, computed before anything is written."""
    result = SealResult()
    namespace = catalog.namespace_of(overlay)
    referenced = catalog.secrets_read_on(overlay.platform)
    existing = read_overlay_sealed_files(root, overlay.name)
    problems: list[str] = []
    for name in referenced:
        spec = catalog.secret(name)
        rel = sealed_secret_path(overlay.name, name)
        if spec is None:
            problems.append(
                f"{rel}: secret {name!r} is referenced by a component but not declared under secrets:"
            )
            continue
        current = existing.get(name)
        if current is not None and current.state == "foreign":
            problems.append(f"{rel}: not written by rosgit; move it away before sealing")
            continue
        text, lines, missing = _seal_secret(
            catalog, cert, values, name, namespace, current, scope, spec.keys, generate
        )
        if missing:
            problems.extend(f"{rel}: {message}" for message in missing)
            continue
        if current is not None and current.state == "sealed" and text == _current_text(root, rel):
            result.unchanged.append(rel)
        else:
            result.files[rel] = text
        result.report.extend(f"{rel}: {line}" for line in lines)
        if current is not None and current.state == "sealed":
            tag = _fingerprint_tag(cert)
            stale = sorted(
                k for k, v in current.hmacs.items() if k in spec.keys and not v.startswith(f"{tag}:")
            )
            kept = [k for k in stale if (name, k) not in values]
            if kept:
                result.warnings.append(
                    f"{rel}: {', '.join(kept)} stay sealed for another certificate; give their values to re-seal"
                )
    for name, current in sorted(existing.items()):
        if name not in referenced:
            result.warnings.append(
                f"{current.path}: no component of overlay {overlay.name} references secret {name!r} any more; "
                "it is not deployed, delete the file"
            )
    if problems:
        raise UsageError("; ".join(problems))
    return result


def _current_text(root: Path, rel: str) -> str | None:
    try:
        return (root / rel).read_text(encoding="utf-8")
    except OSError:
        return None


def _seal_secret(
    catalog: Catalog,
    cert: SealingCert,
    values: dict[SecretRef, bytes],
    name: str,
    namespace: str,
    current: SealedFile | None,
    scope: Scope | None,
    keys: dict[str, SecretKey],
    generate: Generator,
) -> tuple[str, list[str], list[str]]:
    sealed = current is not None and current.state == "sealed"
    target_scope: Scope = scope or (current.scope if current is not None and sealed else "strict")
    # Old ciphertext can be kept only if it still decrypts where the object lands: same name, namespace, scope.
    reusable = (
        current is not None
        and sealed
        and current.name == name
        and current.namespace == namespace
        and (current.template_namespace or namespace) == namespace
        and (current.template_name or name) == name
        and current.scope == target_scope
    )
    tag = _fingerprint_tag(cert)
    encrypted: dict[str, str] = {}
    hmacs: dict[str, str] = {}
    lines: list[str] = []
    missing: list[str] = []
    for key in sorted(keys):
        given = values.get((name, key))
        previous_hmac = current.hmacs.get(key) if current is not None else None
        has_old = current is not None and sealed and key in current.encrypted
        if given is not None:
            digest = f"{tag}:{value_hmac(cert, namespace=namespace, name=name, key=key, value=given)}"
            if reusable and has_old and previous_hmac == digest:
                assert current is not None
                encrypted[key], hmacs[key] = current.encrypted[key], digest
                lines.append(f"{key}: unchanged")
                continue
            encrypted[key] = seal_value(cert, given, scope=target_scope, namespace=namespace, name=name)
            hmacs[key] = digest
            lines.append(f"{key}: sealed ({'changed' if has_old else 'new'} value)")
        elif reusable and has_old:
            assert current is not None
            encrypted[key] = current.encrypted[key]
            if previous_hmac is not None:
                hmacs[key] = previous_hmac
            lines.append(f"{key}: kept")
        elif has_old:
            assert current is not None
            missing.append(
                f"{key} was sealed for {current.namespace}/{current.name} ({current.scope}) and cannot move to "
                f"{namespace}/{name} ({target_scope}); give its value to re-seal it"
            )
        else:
            value = generate(keys[key])
            if value is None:
                missing.append(
                    f"{key} has no value and `generate: none`; give it with --from-file {name}/{key}=PATH, "
                    "--from-env-file or $" + env_var_name(name, key)
                )
                continue
            data = value.encode()
            encrypted[key] = seal_value(cert, data, scope=target_scope, namespace=namespace, name=name)
            hmacs[key] = f"{tag}:{value_hmac(cert, namespace=namespace, name=name, key=key, value=data)}"
            lines.append(f"{key}: sealed (generated {keys[key].generate})")
    if current is not None and sealed:
        lines.extend(f"{key}: dropped (not declared)" for key in sorted(set(current.encrypted) - set(keys)))
    obj = sealed_secret_object(
        name=name,
        namespace=namespace,
        labels=L.project_labels(catalog),
        annotations={**wave_annotation(WAVE_CONFIG), HMAC_ANNOTATION: encode_hmacs(hmacs)},
        encrypted=encrypted,
        scope=target_scope,
    )
    return sealed_file_text(obj), lines, missing


def write_result(root: Path, result: SealResult) -> None:
    """All files or none (staged next to their targets, then swapped in)."""
    from rosgit.fileset.writer import Plan, apply_plan

    plan = Plan()
    for rel, text in result.files.items():
        old = _current_text(root, rel)
        if old is None:
            plan.create[rel] = text
        else:
            plan.update[rel] = (old, text)
    apply_plan(root, plan)


def seal_overlay(
    root: Path,
    catalog: Catalog,
    overlay_name: str,
    cert: SealingCert,
    inputs: ValueInputs,
    *,
    scope: str | None = None,
) -> SealResult:
    """Check every input, plan, then write: the whole command minus printing."""
    from rosgit.secrets.files import valid_scope
    from rosgit.secrets.values import collect_values

    overlay = resolve_overlay(catalog, overlay_name)
    chosen_scope = valid_scope(scope) if scope is not None else None
    if not (root / "overlays" / overlay.name / "kustomization.yaml").is_file():
        raise UsageError(f"overlay {overlay.name} is not generated yet; run `rosgit generate` first")
    values = collect_values(catalog, catalog.secrets_read_on(overlay.platform), inputs)
    result = plan_seal(root, catalog, overlay, cert, values, scope=chosen_scope)
    write_result(root, result)
    return result
