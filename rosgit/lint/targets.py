"""Which overlays to work on: catalog overlay names or kustomization directories, with their context."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rosgit.catalog.model import Catalog
from rosgit.contracts.loader import ContractSet
from rosgit.errors import UsageError
from rosgit.lint.context import LintContext


@dataclass(frozen=True)
class OverlayTarget:
    name: str
    path: Path
    context: LintContext


def resolve_targets(
    catalog: Catalog, root: Path, requested: list[str], contracts: ContractSet | None = None
) -> list[OverlayTarget]:
    """Every catalog overlay when nothing is requested; else each name or directory, in the given order.
    Their lint contexts carry the image `contracts` when given (the contract rules need them)."""
    by_name = {o.name: o for o in catalog.overlays}
    targets: list[OverlayTarget] = []
    seen: set[Path] = set()
    # one overlay named twice (or by name and by path) is linted once: 5,000 copies must not cost 5,000 builds
    for item in dict.fromkeys(requested or [o.name for o in catalog.overlays]):
        spec = by_name.get(item)
        path = root / "overlays" / item if spec is not None else Path(item)
        try:
            resolved = path.resolve()
        except RuntimeError:  # pathlib's "Symlink loop"
            raise UsageError(f"{item}: symlink loop") from None
        if resolved in seen:
            continue
        seen.add(resolved)
        if spec is None:
            spec = next(
                (o for o in catalog.overlays if (root / "overlays" / o.name).resolve() == resolved), None
            )
        if not path.is_dir():
            known = ", ".join(by_name)
            raise UsageError(f"no overlay {item!r} (catalog overlays: {known}; or give a kustomization directory)")
        if spec is not None:
            context = LintContext.for_overlay(catalog, spec, contracts)
            targets.append(OverlayTarget(spec.name, path, context))
        else:
            targets.append(OverlayTarget(path.name, path, LintContext(catalog, None, None, str(path), contracts)))
    return targets
