"""`rosgit seal`: the thin layer that reads the inputs, seals and reports (key names only, never values)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rosgit.catalog import load_catalog
from rosgit.fileset.state import tree_root
from rosgit.secrets.crypto import load_cert
from rosgit.secrets.seal import require_sealing_backend, resolve_overlay, seal_overlay
from rosgit.secrets.values import ValueInputs


def run_seal(
    catalog_path: Path,
    overlay_name: str,
    cert_path: Path,
    *,
    scope: str | None,
    from_files: list[str],
    env_files: list[str],
    allow_weak: list[str] | None = None,
    show_generated: Path | None = None,
    cluster: str | None = None,
) -> int:
    """Load the catalog and certificate, seal, report on stderr."""
    catalog = load_catalog(catalog_path)
    root = tree_root(catalog_path)
    resolve_overlay(catalog, overlay_name)
    require_sealing_backend(catalog)
    cert = load_cert(cert_path)
    if cert.expired:
        print(
            f"rosgit: warning: {cert_path}: certificate expired on {cert.not_after:%Y-%m-%d}; "
            "make sure the controller still holds this key",
            file=sys.stderr,
        )
    inputs = ValueInputs(
        from_files=from_files, env_files=env_files, environ=dict(os.environ), stdin=sys.stdin
    )
    result = seal_overlay(
        root,
        catalog,
        overlay_name,
        cert,
        inputs,
        scope=scope,
        allow_weak=allow_weak,
        show_generated=show_generated,
        cluster=cluster,
    )
    for line in result.report:
        print(f"rosgit: {line}", file=sys.stderr)
    if show_generated is not None:
        written = (
            f"written to {show_generated} (mode 0600)"
            if result.generated
            else f"none; {show_generated} not written"
        )
        print(f"rosgit: generated values: {written}", file=sys.stderr)
    for line in result.warnings:
        print(f"rosgit: warning: {line}", file=sys.stderr)
    print(
        f"rosgit: {len(result.files)} SealedSecret file(s) written, {len(result.unchanged)} unchanged "
        f"(overlay {resolve_overlay(catalog, overlay_name).name}{f', cluster {cluster}' if cluster else ''}, "
        f"cert {cert.fingerprint[:23]})",
        file=sys.stderr,
    )
    return 0
