"""Findings about the sealed secrets of every overlay: stubs left, stale or misbound files, missing keys.

`rosgit check` calls `stub_findings`. A stub is a warning in minimal/dev overlays and an error in production
overlays (`overlays[].production: true`): a production sync would stop at its first wave.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from rosgit import ids
from rosgit.build import Builds
from rosgit.catalog.model import Catalog, OverlaySpec
from rosgit.catalog.profiles import overlay_secrets
from rosgit.errors import RosgitError
from rosgit.findings import Finding, Severity
from rosgit.k8s.objects import Obj
from rosgit.k8s.sealedsecret import Scope, scope_of, sealed_secret_path
from rosgit.secrets.files import SealedFile, read_overlay_sealed_files


def _obj(namespace: str, name: str) -> str:
    return f"SealedSecret/{namespace}/{name}"


def _unfinished(overlay: OverlaySpec) -> Severity:
    return "error" if overlay.production else "warning"


def ciphertext_problem(value: str) -> str | None:
    """Why an encryptedData entry cannot be a kubeseal ciphertext, or None if it has the right shape."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "is not base64"
    if len(raw) < 2:
        return "is too short"
    size = int.from_bytes(raw[:2], "big")
    # RSA part (256..1024 bytes for 2048..8192-bit keys), then at least the 16-byte GCM tag
    if size < 256 or len(raw) < 2 + size + 16:
        return "does not have the sealed-secrets layout (uint16 length, RSA block, AES-GCM data)"
    return None


def overlay_findings(root: Path, catalog: Catalog, overlay: OverlaySpec) -> list[Finding]:
    """File-level findings for one overlay's sealed-secrets directory."""
    findings: list[Finding] = []
    namespace = catalog.namespace_of(overlay)
    # With the external-secrets backend no SealedSecret is deployed: any sealed file left is reported stale.
    sealing = catalog.secrets_backend.type == "sealed-secrets"
    referenced = overlay_secrets(catalog, overlay) if sealing else []
    try:
        files = read_overlay_sealed_files(root, overlay.name)
    except RosgitError as err:
        return [
            Finding(
                ids.ROS509, "error", err.location or overlay.name, err.message, source=err.location or ""
            )
        ]
    for name in referenced:
        rel = sealed_secret_path(overlay.name, name)
        sealed = files.get(name)
        if sealed is None:
            findings.append(
                Finding(
                    ids.ROS506,
                    "error",
                    _obj(namespace, name),
                    "no SealedSecret file; the overlay does not build",
                    hint="run `rosgit generate`, then `rosgit seal`",
                    source=rel,
                )
            )
            continue
        findings.extend(_file_findings(catalog, overlay, namespace, name, sealed))
    for name, sealed in sorted(files.items()):
        if name not in referenced:
            findings.append(
                Finding(
                    ids.ROS502,
                    "warning",
                    _obj(sealed.namespace or namespace, sealed.name or name),
                    "sealed file for a Secret no component of this overlay references; it is not deployed",
                    hint=f"delete {sealed.path} if the secret is gone for good",
                    source=sealed.path,
                )
            )
    return findings


def _file_findings(
    catalog: Catalog, overlay: OverlaySpec, namespace: str, name: str, sealed: SealedFile
) -> list[Finding]:
    where = _obj(namespace, name)
    if sealed.state == "foreign":
        return [
            Finding(
                ids.ROS507,
                "error",
                where,
                "file was written neither by `rosgit generate` nor by `rosgit seal`",
                hint="delete it and run `rosgit generate` and `rosgit seal`",
                source=sealed.path,
            )
        ]
    if sealed.state == "stub":
        return [
            Finding(
                ids.ROS501,
                _unfinished(overlay),
                where,
                "SealedSecret is a stub with no real ciphertext; the controller cannot create the Secret",
                hint=f"run `rosgit seal {overlay.name} --cert CERT.pem`",
                source=sealed.path,
            )
        ]
    findings: list[Finding] = []
    binding = [
        ("metadata.name", sealed.name, name),
        ("metadata.namespace", sealed.namespace, namespace),
        ("spec.template.metadata.name", sealed.template_name or name, name),
        ("spec.template.metadata.namespace", sealed.template_namespace or namespace, namespace),
    ]
    for field_name, actual, wanted in binding:
        if actual != wanted:
            findings.append(
                Finding(
                    ids.ROS503,
                    "error",
                    where,
                    f"{field_name} is {actual!r} but the overlay deploys it as {wanted!r}; "
                    "a strict or namespace-wide SealedSecret never decrypts elsewhere",
                    hint=f"re-seal every key: `rosgit seal {overlay.name} --cert CERT.pem --from-env-file FILE`",
                    source=sealed.path,
                )
            )
    spec = catalog.secret(name)
    declared = set(spec.keys) if spec is not None else set()
    for key in sorted(declared - set(sealed.encrypted)):
        findings.append(
            Finding(
                ids.ROS504,
                _unfinished(overlay),
                where,
                f"declared key {key!r} is not sealed",
                hint=f"run `rosgit seal {overlay.name} --cert CERT.pem`",
                source=sealed.path,
            )
        )
    for key in sorted(set(sealed.encrypted) - declared):
        findings.append(
            Finding(
                ids.ROS505,
                "warning",
                where,
                f"sealed key {key!r} is not declared under secrets: in the catalog",
                hint="declare it or re-run `rosgit seal`, which drops undeclared keys",
                source=sealed.path,
            )
        )
    for key, value in sorted(sealed.encrypted.items()):
        problem = ciphertext_problem(value)
        if problem is not None:
            findings.append(
                Finding(
                    ids.ROS508, "error", where, f"encryptedData.{key} {problem}", source=sealed.path
                )
            )
    return findings


def built_binding_findings(overlay: OverlaySpec, namespace: str, objects: list[Obj]) -> list[Finding]:
    """Checks each built SealedSecret decrypts where it lands, after every Kustomize transform.

    The controller derives the OAEP label from the object's final metadata, and creates the Secret named by
    the template; both must be the name and namespace the components read.
    """
    findings: list[Finding] = []
    for obj in objects:
        if obj.get("kind") != "SealedSecret":
            continue
        meta = obj.get("metadata") or {}
        name, ns = str(meta.get("name", "")), str(meta.get("namespace", ""))
        template_meta = ((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}
        scope: Scope = scope_of({str(k): str(v) for k, v in (meta.get("annotations") or {}).items()})
        where = _obj(ns, name)
        source = sealed_secret_path(overlay.name, str(template_meta.get("name") or name))
        if ns != namespace:
            findings.append(
                Finding(
                    ids.ROS503,
                    "error",
                    where,
                    f"built into namespace {ns!r}, not the overlay namespace {namespace!r}",
                    source=source,
                )
            )
        for field_name, wanted in (("name", name), ("namespace", ns)):
            actual = template_meta.get(field_name)
            if actual is not None and actual != wanted:
                findings.append(
                    Finding(
                        ids.ROS503,
                        "error",
                        where,
                        f"spec.template.metadata.{field_name} {actual!r} differs from the built object's "
                        f"{wanted!r} ({scope} scope)",
                        source=source,
                    )
                )
    return findings


def stale_sealed_files(root: Path, catalog: Catalog) -> list[str]:
    """Sealed files nothing deploys any more: the secret is unreferenced, or the overlay left the catalog.

    `rosgit generate` never deletes them (they hold the only copy of the ciphertext), so it reports them.
    """
    from rosgit.secrets.files import is_sealed_file

    wanted = {
        sealed_secret_path(o.name, name)
        for o in catalog.overlays
        for name in overlay_secrets(catalog, o)
    }
    stale = []
    for path in sorted((root / "overlays").glob("*/sealed-secrets/*.y*ml")):
        rel = path.relative_to(root).as_posix()
        if rel not in wanted and is_sealed_file(path):
            stale.append(rel)
    return stale


def stub_findings(root: Path, catalog: Catalog, builds: Builds | None = None) -> list[Finding]:
    """Findings for every overlay's sealed secrets, including the binding of the built objects (taken from
    `builds`, or built here when not given)."""
    builds = Builds() if builds is None else builds
    findings: list[Finding] = []
    for overlay in catalog.overlays:
        findings.extend(overlay_findings(root, catalog, overlay))
        path = root / "overlays" / overlay.name
        if not (path / "kustomization.yaml").is_file():
            continue
        try:
            objects = builds.get(path).objects
        except RosgitError:
            continue  # the build failure itself is reported by the Argo CD and validation checks
        findings.extend(built_binding_findings(overlay, catalog.namespace_of(overlay), objects))
    known = {o.name for o in catalog.overlays}
    for rel in stale_sealed_files(root, catalog):
        if rel.split("/")[1] not in known:
            findings.append(
                Finding(
                    ids.ROS502,
                    "warning",
                    rel,
                    "sealed file of an overlay the catalog no longer has; it is not deployed",
                    hint=f"delete {rel}",
                    source=rel,
                )
            )
    return sorted(set(findings), key=lambda f: (f.source, f.id, f.object, f.message))
