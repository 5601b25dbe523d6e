"""Reading small YAML snippets that kustomize decodes into Go structs (JSON patch operations,
replacement files): YAML 1.1 scalars as in kustomization files, any top-level shape."""

from __future__ import annotations

from typing import Any


def load_plain(text: str, source: str) -> Any:
    """The value of one YAML document of any shape (list, mapping or scalar)."""
    from rosgit.kustomize.yamlio import load_kustomization

    # The kustomization reader wants a mapping at the top, so nest the snippet under one key.
    wrapped = "value:\n" + "".join(f"  {line}\n" for line in text.splitlines())
    return load_kustomization(wrapped, source).get("value")
