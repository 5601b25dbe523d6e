"""kustomize's content-hash name suffix for ConfigMaps and Secrets.

The hashed JSON deliberately mirrors a quirk of kustomize: the name is always the empty string
(its lookup never finds a value), so the suffix depends only on kind, type and data.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize.gojson import go_json

# Go's hex digest letters that kustomize swaps for ones that cannot spell words or look like digits.
_LETTER_SWAP = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})


def _encode(obj: dict[str, Any]) -> str:
    kind = obj.get("kind")
    fields: dict[str, Any] = {"kind": kind, "name": "", "data": obj.get("data", "")}
    if kind == "Secret":
        fields["type"] = obj.get("type", "")
        extra = "stringData"
    else:
        extra = "binaryData"
    extra_value = obj.get(extra)
    if isinstance(extra_value, dict):
        fields[extra] = extra_value
    return go_json(fields)


def name_suffix_hash(obj: dict[str, Any]) -> str:
    """The 10-character suffix kustomize appends (after a dash) to a hashed ConfigMap or Secret name."""
    kind = obj.get("kind")
    if kind not in ("ConfigMap", "Secret"):
        raise UsageError(f"cannot compute a name hash for kind {kind!r}")
    digest = hashlib.sha256(_encode(obj).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:10].translate(_LETTER_SWAP)
