"""The default catalog shipped with rosgit (`rosgit init`)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rosgit.errors import UsageError


def default_catalog_text() -> str:
    return resources.files("rosgit.catalog").joinpath("default-catalog.yaml").read_text(encoding="utf-8")


def write_default_catalog(path: Path, *, force: bool = False) -> None:
    if path.exists() and not force:
        raise UsageError("already exists; pass --force to overwrite it", location=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".rosgit-tmp")
    tmp.write_text(default_catalog_text(), encoding="utf-8")
    tmp.replace(path)
