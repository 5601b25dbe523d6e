"""Pure-Python `kustomize build`: the default engine of `rosgit build`.

Public API: `build_text(path)` gives the exact bytes `kustomize build path` prints;
`build_resources(path)` gives the same objects as plain data, in output order;
`split_image(image)` splits an image reference as the images transformer does.
The engine loads on the first call, so importing this package costs nothing
(`rosgit build` starts through here). The build itself is `kustomizer`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rosgit.kustomize.loader import Reads

__all__ = ["build_resources", "build_text", "build_text_and_reads", "split_image"]


def build_resources(path: Path) -> list[dict[str, Any]]:
    """The built objects in kustomize's output order."""
    from rosgit.kustomize.kustomizer import build_objects

    return build_objects(path)


def build_text(path: Path) -> str:
    """Exactly what `kustomize build path` prints."""
    from rosgit.kustomize.kustomizer import build_text as build

    return build(path)


def build_text_and_reads(path: Path) -> tuple[str, Reads]:
    """build_text, and what the build read besides file contents (`loader.Reads`): the kustomization
    directories it opened (it read no file outside them) and the environment variables it took."""
    from rosgit.kustomize.kustomizer import build_text as build
    from rosgit.kustomize.loader import recording_reads
    from rosgit.kustomize.yamlio.resources import remember_documents

    with recording_reads() as reads:
        text = build(path)
    remember_documents()
    return text, reads


def split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) of an image reference, split as kustomize's images transformer splits it."""
    from rosgit.kustomize.transformers import split_image as split

    return split(image)
