"""Proof that the chart renders what the overlays build: `helm template` with the real pinned helm
against `rosgit build overlays/<overlay>`, object by object, after the normalisation in normalize.py."""

from __future__ import annotations

import concurrent.futures as cf
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from rosgit import cache, ids
from rosgit.build import Builds
from rosgit.catalog.model import Catalog, OverlaySpec
from rosgit.errors import RosgitError, UsageError
from rosgit.findings import Finding, RuleId
from rosgit.helm.normalize import key_text, normalize_chart_object, normalize_overlay_object, object_key
from rosgit.helm.values import secret_values_key
from rosgit.k8s.objects import Obj, load_objects
from rosgit.tools import find_tool, run_tool
from rosgit.userfiles import read_user_text

Key = tuple[str, str, str, str]
# differences listed per object before the rest are summarised, so one broken field cannot flood output
MAX_FIELDS = 20


@dataclass(frozen=True)
class FieldDiff:
    path: str
    overlay: Any
    chart: Any

    def text(self) -> str:
        return f"{self.path}: overlay {_short(self.overlay)} != chart {_short(self.chart)}"


_MISSING = object()


def _short(value: Any) -> str:
    if value is _MISSING:
        return "<absent>"
    text = yaml.safe_dump(value, default_flow_style=True, width=float("inf")).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    return text if len(text) <= 120 else text[:117] + "..."


def _item_label(item: Any, index: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return f"[name={item['name']}]"
    return f"[{index}]"


def field_diffs(overlay: Any, chart: Any, path: str = "") -> Iterator[FieldDiff]:
    """Every leaf where the two differ, as a dotted field path (list items by name where they have one)."""
    if isinstance(overlay, dict) and isinstance(chart, dict):
        for key in sorted(set(overlay) | set(chart), key=str):
            sub = f"{path}.{key}" if path else str(key)
            yield from field_diffs(overlay.get(key, _MISSING), chart.get(key, _MISSING), sub)
        return
    if isinstance(overlay, list) and isinstance(chart, list):
        if len(overlay) == len(chart):
            for index, (a, b) in enumerate(zip(overlay, chart, strict=True)):
                yield from field_diffs(a, b, f"{path}{_item_label(a, index)}")
            return
        named_a = {_item_label(a, i): a for i, a in enumerate(overlay)}
        named_b = {_item_label(b, i): b for i, b in enumerate(chart)}
        if all(label.startswith("[name=") for label in [*named_a, *named_b]):
            for label in [*named_a, *[b for b in named_b if b not in named_a]]:
                yield from field_diffs(
                    named_a.get(label, _MISSING), named_b.get(label, _MISSING), path + label
                )
            return
    if overlay != chart or type(overlay) is not type(chart):
        if isinstance(overlay, int | float) and isinstance(chart, int | float) and overlay == chart:
            return
        yield FieldDiff(path or "<object>", overlay, chart)


def render_chart(
    chart: Path, namespace: str, values_files: list[Path], *, helm: str = "helm", release: str = "ros-ocp",
    settings: Sequence[str] = (),
) -> str:
    """`helm template RELEASE CHART -n NAMESPACE -f ... --set-string ...` with the pinned helm (helm or helm3)."""
    args = template_arguments(chart, namespace, values_files, release=release, settings=settings)
    return run_tool(helm, args).output(location=str(chart))


def template_arguments(
    chart: Path, namespace: str, values_files: list[Path], *, release: str, settings: Sequence[str] = ()
) -> list[str]:
    args = ["template", release, str(chart), "-n", namespace]
    for values in values_files:
        args += ["-f", str(values)]
    for setting in settings:
        args += ["--set-string", setting]
    return args


def overlay_template_arguments(chart: Path, catalog: Catalog, overlay: OverlaySpec) -> list[str]:
    """The render the proof compares `overlay` with: its namespace, its values files, the stand-ins."""
    return template_arguments(
        chart, catalog.namespace_of(overlay), overlay_values(chart, overlay),
        release=catalog.project.name, settings=provided_stand_ins(catalog, overlay),
    )


PROVIDED_STAND_IN = "rosgit-equivalence-stand-in"


def provided_stand_ins(catalog: Catalog, overlay: OverlaySpec) -> list[str]:
    """A stand-in for each key the overlay's platform owns (`externalOn`): the chart refuses to render
    without the real one, which an installer passes; the proof compares keys, never values."""
    return [
        # helm's --set splits keys at dots: a key such as ca.crt is escaped
        f"secrets.{secret_values_key(spec.name)}.provided.{key.replace('.', chr(92) + '.')}={PROVIDED_STAND_IN}"
        for spec in sorted(catalog.secrets, key=lambda s: s.name)
        for key, declared in sorted(spec.keys.items())
        if overlay.platform in declared.external_on
    ]


def overlay_values(chart: Path, overlay: OverlaySpec) -> list[Path]:
    files = [chart / f"values-{overlay.profile}.yaml"]
    if overlay.platform == "openshift":
        files.append(chart / "values-openshift.yaml")
    return files


@dataclass(frozen=True)
class ObjectDifference:
    """One object that is not the same on both sides: missing, duplicated or with differing fields."""

    id: RuleId
    source: str  # overlays/<name>, so `rosgit check` puts the finding in that overlay's row
    object: str
    summary: str
    fields: tuple[FieldDiff, ...] = ()
    renderer: str = "helm"

    def finding(self) -> Finding:
        if self.id == ids.ROS907:
            return Finding(self.id, "warning", self.object, self.summary, PATCH_HINT, self.source)
        message = f"{self.summary} (chart rendered by {self.renderer})"
        if self.fields:
            shown = "; ".join(d.text() for d in self.fields[:MAX_FIELDS])
            more = f"; and {len(self.fields) - MAX_FIELDS} more" if len(self.fields) > MAX_FIELDS else ""
            message = f"{shown}{more} (chart rendered by {self.renderer})"
        return Finding(self.id, "error", self.object, message, HINT, self.source)

    def report(self) -> str:
        """Multi-line text for `rosgit helm-diff`: the object, then one line per differing field."""
        head = f"{self.source} vs chart ({self.renderer}): {self.id} {self.object}: {self.summary}"
        return "\n".join([head, *(f"    {d.text()}" for d in self.fields)])


HINT = "regenerate the chart: rosgit generate"
PATCH_HINT = "move the change into the catalog (profiles, components) so the chart carries it too"


@dataclass(frozen=True)
class ComparisonInputs:
    """All that an overlay's comparison with its render reads of the catalog; the two texts aside, the
    comparison is a function of this and the overlay's patch files. The remembered comparisons are keyed on
    it, so a catalog edit that changes neither text nor this (another overlay, a comment) compares nothing
    again. `declared_keys`: each catalog Secret's key names, in catalog order (a stub's keys come from it)."""

    overlay: str
    namespace: str
    patches: tuple[str, ...]
    declared_keys: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, catalog: Catalog, overlay: OverlaySpec) -> ComparisonInputs:
        declared = tuple((secret.name, tuple(secret.keys)) for secret in catalog.secrets)
        return cls(overlay.name, catalog.namespace_of(overlay), tuple(overlay.patches), declared)

    def keys_by_secret(self) -> dict[str, tuple[str, ...]]:
        """As `Catalog.secret` finds them: the first Secret of a name."""
        found: dict[str, tuple[str, ...]] = {}
        for name, keys in self.declared_keys:
            found.setdefault(name, keys)
        return found


def _index(objects: list[Obj], source: str, side: str) -> tuple[dict[Key, Obj], list[ObjectDifference]]:
    index: dict[Key, Obj] = {}
    duplicates = []
    for obj in objects:
        key = object_key(obj)
        if key in index:
            duplicates.append(ObjectDifference(ids.ROS905, source, key_text(key), f"rendered twice by the {side}"))
        index[key] = obj
    return index, duplicates


def object_differences(
    overlay_objects: list[Obj], chart_objects: list[Obj], declared_keys: Mapping[str, Sequence[str]], source: str
) -> list[ObjectDifference]:
    """`declared_keys`: the keys the catalog declares per Secret name (`ComparisonInputs.keys_by_secret`)."""
    normalized = [normalize_overlay_object(o, declared_keys) for o in overlay_objects]
    expected, problems = _index(normalized, source, "overlay")
    actual, duplicates = _index([normalize_chart_object(o) for o in chart_objects], source, "chart")
    problems += duplicates
    for key in sorted(set(expected) | set(actual)):
        name = key_text(key)
        if key not in actual:
            problems.append(
                ObjectDifference(ids.ROS902, source, name, "in the overlay but not rendered by the chart")
            )
        elif key not in expected:
            problems.append(
                ObjectDifference(ids.ROS903, source, name, "rendered by the chart but not in the overlay")
            )
        else:
            diffs = tuple(field_diffs(expected[key], actual[key]))
            if diffs:
                problems.append(ObjectDifference(ids.ROS901, source, name, f"{len(diffs)} field(s) differ", diffs))
    return problems


def patch_starts(text: str) -> list[int]:
    """The line (1-based) each YAML document of a patch file starts on."""
    starts = [1]
    for number, line in enumerate(text.splitlines(), start=1):
        if line.rstrip() == "---" and number > 1:
            starts.append(number + 1)
    return starts


def apply_overlay_patches(
    root: Path, inputs: ComparisonInputs, chart_objects: list[Obj]
) -> tuple[list[Obj], list[ObjectDifference]]:
    """The chart's objects with the overlay's own `patches:` (the catalog's escape hatch) applied as the overlay
    applies them, by the builtin engine, and one note per patch: a chart has no place for them, so a Helm
    install gets them only from a post-renderer. Without this the proof would blame the chart for them."""
    if not inputs.patches:
        return chart_objects, []
    from rosgit.build import builtin_build

    namespace, source = inputs.namespace, f"overlays/{inputs.overlay}"
    notes = []
    with tempfile.TemporaryDirectory(prefix="rosgit-patched-chart-") as tmp:
        work = Path(tmp)
        # as the overlay sees its bases: objects without the namespace, which the kustomization then sets
        stripped = [_without_namespace(obj, namespace) for obj in chart_objects]
        (work / "chart.yaml").write_text(yaml.safe_dump_all(stripped, sort_keys=False), encoding="utf-8")
        entries = []
        for index, rel in enumerate(inputs.patches):
            patch = root / "overlays" / inputs.overlay / rel
            text = read_user_text(patch)
            (work / f"patch-{index}.yaml").write_text(text, encoding="utf-8")
            entries.append({"path": f"patch-{index}.yaml"})
            for line in patch_starts(text)[:1]:
                notes.append(ObjectDifference(
                    ids.ROS907, source, f"{source}/{rel}:{line}",
                    "an overlay patch (catalog overlays[].patches) is not representable in the chart: the proof "
                    "applied it to the chart's objects; a Helm install needs it as a post-renderer",
                ))
        kustomization = {"resources": ["chart.yaml"], "namespace": namespace, "patches": entries}
        (work / "kustomization.yaml").write_text(yaml.safe_dump(kustomization), encoding="utf-8")
        patched = load_objects(builtin_build(work))
    return patched, notes


def _without_namespace(obj: Obj, namespace: str) -> Obj:
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("namespace") != namespace:
        return obj
    return {**obj, "metadata": {k: v for k, v in metadata.items() if k != "namespace"}}


def check_overlay(
    root: Path,
    catalog: Catalog,
    overlay: OverlaySpec,
    chart: Path,
    *,
    helm: str = "helm",
    builds: Builds,
    rendered: cf.Future[str] | None = None,
) -> list[ObjectDifference]:
    """The overlay's objects against the chart's (`rendered`: its render, already under way). Of the catalog
    it reads only `ComparisonInputs` (and, with no render given, what the render needs)."""
    source = f"overlays/{overlay.name}"
    inputs = ComparisonInputs.of(catalog, overlay)
    try:
        text = rendered.result() if rendered is not None else _render(chart, catalog, overlay, helm)
        built = builds.get(root / "overlays" / overlay.name).objects
        chart_objects, notes = apply_overlay_patches(root, inputs, load_objects(text))
    except RosgitError as err:
        message = err.message if not err.location else str(err)
        return [ObjectDifference(ids.ROS904, source, source, message, renderer=helm)]
    differences = object_differences(built, chart_objects, inputs.keys_by_secret(), source)
    return [*notes, *(replace(d, renderer=helm) for d in differences)]


def _render(chart: Path, catalog: Catalog, overlay: OverlaySpec, helm: str) -> str:
    return run_tool(helm, overlay_template_arguments(chart, catalog, overlay)).output(location=str(chart))


@dataclass(frozen=True)
class RememberedRenders:
    """`helm template`'s output is a function of the chart directory (the values files are in it), the
    arguments, the helm binary and helm's environment: a committed chart's renders are reused while none of
    those changed, so a pull request that leaves the chart alone runs no helm. A render is not kept when a
    chart file was modified since shortly before the proof began (it may have been read half-written)."""

    chart: Path
    stamp: tuple[str, ...]
    began_ns: int

    @classmethod
    def of(cls, chart: Path, helm: str) -> RememberedRenders | None:
        if not cache.enabled():
            return None
        began = time.time_ns()
        try:
            tree = cache.tree_digest([chart])
        except cache.TooLarge:
            return None
        environment = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("HELM_"))
        return cls(chart, (tree, cache.tools_digest([find_tool(helm)]), *environment), began)

    def render(self, catalog: Catalog, overlay: OverlaySpec, helm: str) -> str:
        identity = (
            os.path.abspath(self.chart), helm, overlay.name, catalog.namespace_of(overlay), overlay.profile,
            overlay.platform, catalog.project.name, *provided_stand_ins(catalog, overlay),
        )
        text: str = cache.keyed(
            "helm-render", identity, self.stamp, partial(_render, self.chart, catalog, overlay, helm),
            accept=lambda value: isinstance(value, str),
            keep=lambda: not cache.tree_modified_since([self.chart], self.began_ns - cache.RACY_NS),
        )
        return text

    def differences(
        self, root: Path, catalog: Catalog, overlay: OverlaySpec, helm: str, builds: Builds,
        rendered: cf.Future[str],
    ) -> list[ObjectDifference]:
        """`check_overlay`'s answer, remembered by what it compares: the render's text, the overlay's build,
        what it reads of the catalog (`ComparisonInputs`) and the overlay's own patch files. Reading and
        normalising both sides costs more than the render."""
        compare = partial(
            check_overlay, root, catalog, overlay, self.chart, helm=helm, builds=builds, rendered=rendered
        )
        try:
            text, built = rendered.result(), builds.get(root / "overlays" / overlay.name)
        except RosgitError:
            return compare()  # its error, reported as ever
        inputs = ComparisonInputs.of(catalog, overlay)
        patches = [root / "overlays" / overlay.name / rel for rel in inputs.patches]
        stamp = (
            cache.text_digest(text), cache.text_digest(built.text), cache.text_digest(repr(inputs)),
            cache.files_digest(patches), cache.source_digest(),
        )
        found: list[ObjectDifference] = cache.keyed(
            "helm-compare", (os.path.abspath(self.chart), helm, overlay.name), stamp, compare,
            accept=lambda value: isinstance(value, list),
            keep=lambda: not any(cache.modified_since(p, self.began_ns - cache.RACY_NS) for p in patches),
        )
        return found


def _compare_all(
    root: Path, catalog: Catalog, selected: list[OverlaySpec], chart: Path, helm: str, builds: Builds,
    *, committed: bool = False,
) -> list[ObjectDifference]:
    """Two renders at a time (helm is a process of its own: 2 cores) while this thread compares.
    `committed`: the chart is the repository's, whose renders and comparisons may be remembered (an
    exported one is new)."""
    differences: list[ObjectDifference] = []
    remembered = RememberedRenders.of(chart, helm) if committed else None
    render = remembered.render if remembered is not None else partial(_render, chart)
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        renders = [pool.submit(render, catalog, overlay, helm) for overlay in selected]
        for overlay, rendered in zip(selected, renders, strict=True):
            if remembered is not None:
                differences += remembered.differences(root, catalog, overlay, helm, builds, rendered)
            else:
                differences += check_overlay(root, catalog, overlay, chart, helm=helm, builds=builds, rendered=rendered)
    return differences


def equivalence_differences(
    root: Path,
    catalog: Catalog,
    *,
    helm: str = "helm",
    engine: str = "builtin",
    chart: Path | None = None,
    overlays: list[str] | None = None,
    builds: Builds | None = None,
) -> list[ObjectDifference]:
    """Every object that differs between an overlay and the chart rendered with that overlay's values files.

    The chart is the committed one (charts/<project>) when present, else exported from the catalog. The
    overlays come from `builds` (built with `engine` on first use when not given).
    """
    builds = Builds(engine) if builds is None else builds
    if overlays is not None:
        unknown = sorted(set(overlays) - {o.name for o in catalog.overlays})
        if unknown:
            names = ", ".join(o.name for o in catalog.overlays)
            raise UsageError(f"unknown overlay {unknown[0]!r}; the catalog has {names}")
    selected = [o for o in catalog.overlays if overlays is None or o.name in overlays]
    committed = root / "charts" / catalog.project.name
    if chart is None and (committed / "Chart.yaml").is_file():
        chart = committed
    if chart is not None:
        return _compare_all(
            root, catalog, selected, chart, helm, builds, committed=chart == committed
        )
    from rosgit.helm.export import write_chart

    with tempfile.TemporaryDirectory(prefix="rosgit-chart-") as tmp:
        return _compare_all(root, catalog, selected, write_chart(catalog, Path(tmp)), helm, builds)


def check_equivalence(
    root: Path,
    catalog: Catalog,
    *,
    helm: str = "helm",
    engine: str = "builtin",
    chart: Path | None = None,
    overlays: list[str] | None = None,
    builds: Builds | None = None,
) -> list[Finding]:
    """The equivalence proof as findings for `rosgit check`: none when every overlay equals the chart."""
    return [
        d.finding()
        for d in equivalence_differences(
            root, catalog, helm=helm, engine=engine, chart=chart, overlays=overlays, builds=builds
        )
    ]
