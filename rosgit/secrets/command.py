"""`rosgit seal`: the thin layer that reads the inputs, seals and reports (key names only, never values)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rosgit.catalog import load_catalog
from rosgit.secrets.crypto import load_cert
from rosgit.secrets.seal import resolve_overlay, seal_overlay
from rosgit.secrets.values import ValueInputs


def run_seal(
    catalog_path: Path,
    overlay_name: str,
    cert_path: Path,
    *,
    scope: str | None,
    from_files: list[str],
    env_files: list[str],
) -> int:
    """Load the catalog and certificate, seal, report on stderr."""
    catalog = load_catalog(catalog_path)
    root = catalog_path.resolve().parent
    resolve_overlay(catalog, overlay_name)
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
    result = seal_overlay(root, catalog, overlay_name, cert, inputs, scope=scope)
    for line in result.report:
        print(f"rosgit: {line}", file=sys.stderr)
    for line in result.warnings:
        print(f"rosgit: warning: {line}", file=sys.stderr)
    print(
        f"rosgit: {len(result.files)} SealedSecret file(s) written, {len(result.unchanged)} unchanged "
        f"(overlay {resolve_overlay(catalog, overlay_name).name}, cert {cert.fingerprint[:23]})",
        file=sys.stderr,
    )
    return 0
