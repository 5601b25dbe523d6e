"""The rehearsal's secret values and their sealing with `rosgit seal`'s own machinery.

Every key an overlay reads gets a fresh random value (never printed, never in argv: it reaches `seal_overlay` as
the ROSGIT_SECRET_* environment mapping it reads, here a dict of this process), sealed with the controller's
certificate into the copy that is pushed; the controller's unsealed Secrets are compared with these values.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from rosgit.catalog.model import Catalog
from rosgit.secrets.crypto import SealingCert
from rosgit.secrets.seal import seal_overlay
from rosgit.secrets.values import SecretRef, ValueInputs, env_var_name

Values = dict[SecretRef, str]


def rehearsal_values(catalog: Catalog, platform: str) -> Values:
    """A strong random value for every key of every Secret the platform's pods read."""
    values: Values = {}
    usable = set(catalog.secrets_read_on(platform))
    for spec in catalog.secrets:
        if spec.name in usable:
            for key in spec.keys:
                values[(spec.name, key)] = secrets.token_urlsafe(24)
    return values


def seal_copy(copy: Path, catalog: Catalog, overlay: str, cert: SealingCert, values: Values) -> list[str]:
    """Seal `values` into the overlay's SealedSecret files in `copy`; the files written."""
    environ = {env_var_name(secret, key): value for (secret, key), value in values.items()}
    result = seal_overlay(copy, catalog, overlay, cert, ValueInputs(environ=environ))
    return sorted(result.files)
