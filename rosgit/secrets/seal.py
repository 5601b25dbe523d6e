"""`rosgit seal OVERLAY --cert CERT.pem`: turn the overlay's SealedSecret stubs into real ones.

Per declared key: a value the user gave is sealed unless its fingerprint (a memory-hard KDF with its own salt,
rosgit.secrets.fingerprint) matches the one recorded at the last sealing (then the old ciphertext stays and
Git does not churn); a key with no value keeps its sealed ciphertext, or gets a fresh random value of the
declared shape if it was never sealed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rosgit.catalog.model import Catalog, OverlaySpec, SecretKey
from rosgit.catalog.profiles import overlay_secrets
from rosgit.errors import UsageError
from rosgit.k8s import labels as L
from rosgit.k8s.argo import WAVE_CONFIG, wave_annotation
from rosgit.k8s.sealedsecret import Scope, sealed_secret_object, sealed_secret_path
from rosgit.secrets.clusters import cluster_kustomization, cluster_kustomization_path
from rosgit.secrets.crypto import SealingCert, seal_value
from rosgit.secrets.files import (
    FINGERPRINT_ANNOTATION,
    SealedFile,
    encode_fingerprints,
    is_sealed_text,
    read_overlay_sealed_files,
    sealed_file_text,
)
from rosgit.secrets.fingerprint import fingerprint_matches, is_current_scheme, value_fingerprint
from rosgit.secrets.strength import weakness
from rosgit.secrets.values import SecretRef, ValueInputs, env_var_name, generate_value

Generator = Callable[[SecretKey], str | None]


@dataclass
class SealResult:
    """The files to write and what happened to each key (never any value)."""

    files: dict[str, str] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The values drawn for keys never sealed, for `--show-generated` only; never printed or logged.
    generated: dict[SecretRef, str] = field(default_factory=dict, repr=False)


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
    unfingerprinted: frozenset[SecretRef] = frozenset(),
    cluster: str | None = None,
) -> SealResult:
    """Everything `rosgit seal` would write, computed before anything is written.

    `unfingerprinted`: given values sealed with no fingerprint (weak ones the user accepted): no oracle.
    `cluster`: seal into the overlay's per-cluster directory (rosgit.secrets.clusters) instead of its own.
    """
    result = SealResult()
    namespace = catalog.namespace_of(overlay)
    ctx = _Sealing(
        catalog, cert, values, namespace, overlay.platform, scope, generate, unfingerprinted, result.generated
    )
    referenced = overlay_secrets(catalog, overlay)
    existing = read_overlay_sealed_files(root, overlay.name, cluster)
    problems: list[str] = []
    for name in referenced:
        spec = catalog.secret(name)
        rel = sealed_secret_path(overlay.name, name, cluster)
        if spec is None:
            problems.append(
                f"{rel}: secret {name!r} is referenced by a component but not declared under secrets:"
            )
            continue
        current = existing.get(name)
        if current is not None and current.state == "foreign":
            problems.append(f"{rel}: not written by rosgit; move it away before sealing")
            continue
        text, lines, missing = _seal_secret(ctx, name, current, spec.keys)
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
                k for k, v in current.fingerprints.items() if k in spec.keys and not v.startswith(f"{tag}:")
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
    if cluster is not None:
        _plan_cluster_kustomization(root, result, overlay, cluster, namespace, referenced, problems)
    if problems:
        raise UsageError("; ".join(problems))
    return result


def _plan_cluster_kustomization(
    root: Path,
    result: SealResult,
    overlay: OverlaySpec,
    cluster: str,
    namespace: str,
    referenced: list[str],
    problems: list[str],
) -> None:
    rel = cluster_kustomization_path(overlay.name, cluster)
    text = cluster_kustomization(overlay.name, cluster, namespace, referenced)
    current = _current_text(root, rel)
    if current is not None and not is_sealed_text(current):
        problems.append(f"{rel}: not written by rosgit seal; move it away before sealing")
    elif current == text:
        result.unchanged.append(rel)
    else:
        result.files[rel] = text


def _current_text(root: Path, rel: str) -> str | None:
    try:
        return (root / rel).read_text(encoding="utf-8")
    except OSError:
        return None


@dataclass
class _Sealing:
    """What every secret of one `plan_seal` call shares; `generated` collects the values drawn here."""

    catalog: Catalog
    cert: SealingCert
    values: dict[SecretRef, bytes]
    namespace: str
    platform: str
    scope: Scope | None
    generate: Generator
    unfingerprinted: frozenset[SecretRef]
    generated: dict[SecretRef, str] = field(default_factory=dict, repr=False)


def _seal_secret(
    ctx: _Sealing, name: str, current: SealedFile | None, keys: dict[str, SecretKey]
) -> tuple[str, list[str], list[str]]:
    cert, values, namespace, scope = ctx.cert, ctx.values, ctx.namespace, ctx.scope
    generated, unfingerprinted = ctx.generated, ctx.unfingerprinted
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
    fingerprints: dict[str, str] = {}
    lines: list[str] = []
    missing: list[str] = []

    def fingerprint(key: str, value: bytes) -> str:
        return value_fingerprint(tag, namespace=namespace, name=name, key=key, value=value)

    for key in sorted(keys):
        given = values.get((name, key))
        previous = current.fingerprints.get(key) if current is not None else None
        has_old = current is not None and sealed and key in current.encrypted
        if given is not None:
            if (
                reusable
                and has_old
                and previous is not None
                and fingerprint_matches(previous, tag, namespace=namespace, name=name, key=key, value=given)
            ):
                assert current is not None
                encrypted[key], fingerprints[key] = current.encrypted[key], previous
                lines.append(f"{key}: unchanged")
                continue
            encrypted[key] = seal_value(cert, given, scope=target_scope, namespace=namespace, name=name)
            if (name, key) in unfingerprinted:
                lines.append(f"{key}: sealed ({'changed' if has_old else 'new'} value, no fingerprint: weak)")
            else:
                fingerprints[key] = fingerprint(key, given)
                lines.append(f"{key}: sealed ({'changed' if has_old else 'new'} value)")
        elif reusable and has_old:
            assert current is not None
            encrypted[key] = current.encrypted[key]
            if previous is not None and is_current_scheme(previous):
                fingerprints[key] = previous
                lines.append(f"{key}: kept")
            elif previous is not None:
                lines.append(f"{key}: kept; its legacy HMAC digest (guessable offline) is removed")
            else:
                lines.append(f"{key}: kept")
        elif has_old:
            assert current is not None
            missing.append(
                f"{key} was sealed for {current.namespace}/{current.name} ({current.scope}) and cannot move to "
                f"{namespace}/{name} ({target_scope}); give its value to re-seal it"
            )
        else:
            if keys[key].external(ctx.platform):
                missing.append(_external_message(name, key, keys[key], ctx.platform))
                continue
            value = ctx.generate(keys[key])
            if value is None:
                missing.append(_external_message(name, key, keys[key], ctx.platform))
                continue
            data = value.encode()
            encrypted[key] = seal_value(cert, data, scope=target_scope, namespace=namespace, name=name)
            fingerprints[key] = fingerprint(key, data)
            generated[(name, key)] = value
            lines.append(f"{key}: sealed (generated {keys[key].generate})")
    if current is not None and sealed:
        lines.extend(f"{key}: dropped (not declared)" for key in sorted(set(current.encrypted) - set(keys)))
    obj = sealed_secret_object(
        name=name,
        namespace=namespace,
        labels=L.project_labels(ctx.catalog),
        annotations={
            **wave_annotation(WAVE_CONFIG),
            FINGERPRINT_ANNOTATION: encode_fingerprints(fingerprints),
        },
        encrypted=encrypted,
        scope=target_scope,
    )
    return sealed_file_text(obj), lines, missing


def _external_message(name: str, key: str, spec: SecretKey, platform: str) -> str:
    """One line: whose value it is and how to give it (a generated one could never match)."""
    why = (
        f"is owned by another system on {platform} (never generated)"
        if platform in spec.external_on
        else "`generate: none`"
    )
    return (
        f"{key} has no value and {why}; give it with --from-file {name}/{key}=PATH, "
        f"--from-env-file or ${env_var_name(name, key)}"
    )


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


def require_sealing_backend(catalog: Catalog) -> None:
    store = catalog.secrets_backend.store
    if catalog.secrets_backend.type == "external-secrets" and store is not None:
        raise UsageError(
            f"secretsBackend.type is external-secrets: the External Secrets Operator fills the Secrets from "
            f"{store.kind} {store.name}; there is nothing to seal"
        )


def weak_values(
    catalog: Catalog, values: dict[SecretRef, bytes], allowed: frozenset[SecretRef]
) -> tuple[list[str], list[str]]:
    """(refusals, warnings) for guessable user-given values; messages name the key, never the value.

    A fingerprint of a guessable value lets anyone with the repository confirm a guess offline however
    costly the KDF, so such a value is refused unless `--allow-weak` names it (a value another system owns
    may be weak and unchangeable); then it is sealed with no fingerprint.
    """
    refusals, warnings = [], []
    for (secret, key), value in sorted(values.items()):
        spec = catalog.secret(secret)
        if spec is not None and spec.keys[key].generate == "username":
            continue  # a user name is not a secret
        reason = weakness(value)
        if reason is None:
            continue
        if (secret, key) in allowed:
            warnings.append(
                f"{secret}/{key}: WEAK value ({reason}) sealed without a fingerprint, as --allow-weak asked; "
                "it is re-sealed whenever it is given"
            )
        else:
            refusals.append(
                f"{secret}/{key}: value refused, {reason}: the fingerprint beside its ciphertext would let "
                "anyone with the repository confirm a guess offline; leave it out to get a generated value, "
                f"or pass --allow-weak {secret}/{key} if another system owns it"
            )
    return refusals, warnings


def seal_overlay(
    root: Path,
    catalog: Catalog,
    overlay_name: str,
    cert: SealingCert,
    inputs: ValueInputs,
    *,
    scope: str | None = None,
    allow_weak: list[str] | None = None,
    show_generated: Path | None = None,
    cluster: str | None = None,
) -> SealResult:
    """Check every input, plan, then write: the whole command minus printing."""
    from rosgit.secrets.clusters import valid_cluster
    from rosgit.secrets.files import valid_scope
    from rosgit.secrets.values import collect_values, declared_refs

    overlay = resolve_overlay(catalog, overlay_name)
    require_sealing_backend(catalog)
    chosen_scope = valid_scope(scope) if scope is not None else None
    if not (root / "overlays" / overlay.name / "kustomization.yaml").is_file():
        raise UsageError(f"overlay {overlay.name} is not generated yet; run `rosgit generate` first")
    if show_generated is not None and (show_generated.exists() or show_generated.is_symlink()):
        raise UsageError(
            "already exists; --show-generated never overwrites a file", location=str(show_generated)
        )
    usable = overlay_secrets(catalog, overlay)
    allowed = declared_refs(catalog, usable, allow_weak or [], "--allow-weak")
    values = collect_values(catalog, usable, inputs)
    refusals, warnings = weak_values(catalog, values, allowed)
    if refusals:
        raise UsageError("; ".join(refusals))
    result = plan_seal(
        root,
        catalog,
        overlay,
        cert,
        values,
        scope=chosen_scope,
        unfingerprinted=frozenset(allowed),
        cluster=None if cluster is None else valid_cluster(cluster),
    )
    result.warnings.extend(warnings)
    if show_generated is not None and result.generated:
        write_generated(show_generated, result.generated)
    write_result(root, result)
    return result


def write_generated(path: Path, generated: dict[SecretRef, str]) -> None:
    """The generated values as an env file (`SECRET/KEY=VALUE`, what `--from-env-file` reads), created new
    with mode 0600 before the sealed files are written: a value is never sealed without its copy."""
    text = "".join(f"{secret}/{key}={value}\n" for (secret, key), value in sorted(generated.items()))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise UsageError(
            "already exists; --show-generated never overwrites a file", location=str(path)
        ) from None
    except OSError as err:
        raise UsageError(f"cannot create: {err.strerror}", location=str(path)) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # the umask may have narrowed it, never widened; be exact
        handle.write(text)
