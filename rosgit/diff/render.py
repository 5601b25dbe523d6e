"""Everything one tree renders: each overlay under overlays/ with the builtin engine (the real kustomize
only as `build_with_fallback`'s retry), and each chart under charts/ with its default values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rosgit.build import build_with_fallback, failure_text
from rosgit.helm.equivalence import render_chart
from rosgit.k8s.objects import Obj, load_objects
from rosgit.tools import find_tool

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


@dataclass
class Render:
    """Section name (`overlays/dev`, `charts/ros-ocp`) -> its objects, or why it did not render."""

    objects: dict[str, list[Obj]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def sections(self) -> set[str]:
        return set(self.objects) | set(self.errors)


def overlay_dirs(root: Path) -> list[Path]:
    base = root / "overlays"
    if not base.is_dir():
        return []
    return sorted(
        d for d in base.iterdir() if d.is_dir() and any((d / name).is_file() for name in KUSTOMIZATION_FILES)
    )


def _namespace(root: Path, chart: str) -> str:
    """The project's namespace from the catalog at this revision (read loosely: an old catalog may not load)."""
    try:
        catalog = yaml.safe_load((root / "rosgit.yaml").read_text(encoding="utf-8"))
        namespace = catalog["project"]["namespace"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return chart
    return namespace if isinstance(namespace, str) else chart


def render_tree(root: Path, *, chart: bool = True) -> Render:
    render = Render()
    for directory in overlay_dirs(root):
        section = f"overlays/{directory.name}"
        try:
            render.objects[section] = build_with_fallback(directory).objects
        except Exception as err:  # one overlay that does not build is reported, the others still compared
            render.errors[section] = failure_text(err)
    charts = sorted(p.parent for p in (root / "charts").glob("*/Chart.yaml")) if chart else []
    if charts and find_tool("helm") is None:
        render.notes.append("the charts were not rendered: helm is not installed (scripts/install-tools.sh)")
        return render
    for directory in charts:
        section = f"charts/{directory.name}"
        try:
            text = render_chart(directory, _namespace(root, directory.name), [], release=directory.name)
            render.objects[section] = load_objects(text)
        except Exception as err:
            render.errors[section] = failure_text(err)
    return render
