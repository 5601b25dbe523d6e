"""Accumulating one kustomization: resources, generators, components, then builtin transformers,
in kustomize's order. The root-only steps (hash suffixes, name references) live in `kustomizer`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize import generators, loader, subbuilds, transformer_order
from rosgit.kustomize.kustomization_fields import KUSTOMIZATION, check
from rosgit.kustomize.loader import Root, as_list, remote_error
from rosgit.kustomize.resource import ResId, Resource
from rosgit.kustomize.yamlio import load_kustomization as parse
from rosgit.kustomize.yamlio import load_resource_documents
from rosgit.userfiles import read_user_text

KNOWN_UNSUPPORTED = frozenset(
    {
        "helmCharts", "helmGlobals", "helmChartInflationGenerator", "vars", "generators",
        "transformers", "validators", "crds", "configurations", "openapi", "buildMetadata",
    }
)

KUSTOMIZATION_KIND = "Kustomization"
COMPONENT_KIND = "Component"


def load_kustomization(root: Root) -> dict[str, Any]:
    text = read_user_text(root.file, location=root.location())
    try:
        data = parse(text, str(root.file))
    except UsageError:
        raise
    except Exception as exc:  # the YAML layer's own parse errors, made one line
        raise UsageError(f"invalid kustomization: {_one_line(str(exc))}", location=root.location()) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError("invalid kustomization: expected a mapping", location=root.location())
    for key in data:
        if key in KNOWN_UNSUPPORTED:
            raise UsageError(
                f"field '{key}' is not supported by the builtin engine; use --engine kustomize",
                location=root.location(),
            )
    check(data, KUSTOMIZATION, "", root.location())
    # Like kustomize, a file that sets nothing but its type (zero values count as unset) is refused.
    if all(value in (None, "", False, 0) for key, value in data.items() if key not in ("apiVersion", "kind")):
        raise UsageError(f"{root.file.name} is empty", location=root.location())
    return data


def _one_line(text: str) -> str:
    return " ".join(text.split())


class ResMap:
    """Resources in input order, refusing duplicate ids as kustomize does."""

    def __init__(self) -> None:
        self.items: list[Resource] = []
        # Current ids of `items`; rebuilt after anything that may rename (transformers, merges).
        self._ids: set[tuple[Any, ...]] | None = None

    def invalidate(self) -> None:
        self._ids = None

    def append(self, res: Resource, location: str, entry: str = "") -> None:
        if self._ids is None:
            self._ids = {_id_key(r.cur_id()) for r in self.items}
        rid = res.cur_id()
        key = _id_key(rid)
        if key in self._ids:
            where = f"resources: '{entry}': " if entry else ""
            raise UsageError(
                f"{where}may not add resource with an already registered id: {rid.describe()}",
                location=location,
            )
        self._ids.add(key)
        self.items.append(res)

    def find_any_id(self, rid: ResId) -> list[Resource]:
        return [r for r in self.items if any(_same_id(i, rid) for i in r.all_ids())]


def _id_key(rid: ResId) -> tuple[Any, ...]:
    """A hashable form of an id under kustomize's equality ('' and 'default' namespaces agree)."""
    ns = "" if rid.gvk.is_cluster_scoped() else (rid.namespace or "default")
    return (rid.gvk, rid.name, ns)


def _same_id(a: ResId, b: ResId) -> bool:
    return a.gvk == b.gvk and a.name == b.name and a.ns_equals(b)


def build_directory(directory: Path, parent: Root | None) -> list[Resource]:
    """The resources of a kustomization another one includes (the same for every overlay including it)."""
    root = loader.open_root(directory, parent)  # the cycle check, whatever is shared
    return subbuilds.accumulated(root.path, lambda: _build(directory, parent, root)[0])


def _build(
    directory: Path, parent: Root | None, opened: Root | None = None
) -> tuple[list[Resource], Root, dict[str, Any]]:
    root = loader.open_root(directory, parent) if opened is None else opened
    kust = load_kustomization(root)
    kind = kust.get("kind") or KUSTOMIZATION_KIND
    # A Component can be built on its own, but a resources entry must not name one.
    if kind == COMPONENT_KIND and parent is not None:
        raise UsageError(
            f"expected kind != '{COMPONENT_KIND}' for path '{loader.display(root.path)}'",
            location=parent.location() if parent else root.location(),
        )
    if kind not in (KUSTOMIZATION_KIND, COMPONENT_KIND):
        raise UsageError(f"unsupported kind '{kind}'", location=root.location())
    resmap = ResMap()
    accumulate(root, kust, resmap)
    return resmap.items, root, kust


def accumulate(root: Root, kust: dict[str, Any], resmap: ResMap) -> None:
    location = root.location()
    # The deprecated `bases` are read after `resources`, as kustomize appends them.
    entries = [*as_list(kust.get("resources"), root, "resources"), *as_list(kust.get("bases"), root, "bases")]
    for entry in entries:
        for res in _load_resource_entry(root, str(entry)):
            resmap.append(res, location, str(entry))
    options = kust.get("generatorOptions") or {}
    for field, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
        for entry in as_list(kust.get(field), root, field):
            if not isinstance(entry, dict):
                raise UsageError(f"{field}: expected a mapping", location=location)
            _absorb(resmap, generators.generate(entry, kind, options, root, field), location)
    for entry in as_list(kust.get("components"), root, "components"):
        _accumulate_component(root, str(entry), resmap)
    transformer_order.run_all(root, kust, resmap.items)
    resmap.invalidate()


def _accumulate_component(parent: Root, entry: str, resmap: ResMap) -> None:
    if loader.looks_remote(entry):
        raise remote_error(parent, "components", entry)
    path = parent.path / entry
    if not path.is_dir():
        raise UsageError(f"components: '{entry}' is not a directory", location=parent.location())
    root = loader.open_root(path, parent)
    kust = load_kustomization(root)
    kind = kust.get("kind") or KUSTOMIZATION_KIND
    if kind != COMPONENT_KIND:
        raise UsageError(
            f"components: expected kind '{COMPONENT_KIND}' for path '{loader.display(root.path)}' "
            f"but got '{kind}'",
            location=parent.location(),
        )
    accumulate(root, kust, resmap)


def _load_resource_entry(root: Root, entry: str) -> list[Resource]:
    if loader.looks_remote(entry):
        raise remote_error(root, "resources", entry)
    candidate = root.path / entry
    if candidate.is_dir():
        return build_directory(candidate, root)
    text = loader.read_text(root, entry, "resources")
    return load_documents(text, root, entry)


def load_documents(text: str, root: Root, entry: str) -> list[Resource]:
    try:
        docs = load_resource_documents(text, entry)
    except UsageError as exc:
        # the message's "line N" counts in the resource file, so name it
        raise UsageError(f"resources: '{entry}': {exc.message}", location=root.location()) from exc
    except Exception as exc:
        raise UsageError(f"resources: '{entry}': {_one_line(str(exc))}", location=root.location()) from exc
    out: list[Resource] = []
    for doc in docs:
        if not isinstance(doc, dict):
            raise UsageError(f"resources: '{entry}': expected a mapping", location=root.location())
        if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            out.extend(Resource(item) for item in doc["items"] if isinstance(item, dict))
            continue
        if not doc.get("kind"):
            raise UsageError(
                f"resources: '{entry}': missing Resource metadata (kind)", location=root.location()
            )
        out.append(Resource(doc))
    return out


def _absorb(resmap: ResMap, res: Resource, location: str) -> None:
    matches = resmap.find_any_id(res.cur_id())
    if not matches:
        if res.behavior in ("merge", "replace"):
            raise UsageError(
                f"id {res.cur_id().describe()} does not exist; cannot merge or replace", location=location
            )
        resmap.append(res, location)
        return
    if len(matches) > 1:
        raise UsageError(f"found multiple objects matching {res.cur_id().describe()}", location=location)
    old = matches[0]
    if res.behavior == "create":
        raise UsageError(
            f"id {res.cur_id().describe()} exists; behavior must be merge or replace", location=location
        )
    new_meta = res.obj.setdefault("metadata", {})
    old_meta = old.obj.get("metadata") or {}
    for field in ("labels", "annotations"):
        merged = {**(old_meta.get(field) or {}), **(new_meta.get(field) or {})}
        if merged:
            new_meta[field] = merged
    new_meta["name"] = old_meta.get("name")
    if old_meta.get("namespace"):
        new_meta["namespace"] = old_meta["namespace"]
    else:
        new_meta.pop("namespace", None)
    if res.behavior == "merge":
        for field in ("data", "binaryData"):
            merged = {**(old.obj.get(field) or {}), **(res.obj.get(field) or {})}
            if merged:
                res.obj[field] = merged
    # Either side turning the hash suffix off keeps it off.
    res.needs_hash = res.needs_hash and old.needs_hash
    res.prev_ids = list(old.prev_ids)
    res.prefixes = list(old.prefixes)
    res.suffixes = list(old.suffixes)
    index = resmap.items.index(old)
    resmap.items[index] = res
    resmap.invalidate()





SortSpec = tuple[list[str] | None, list[str] | None] | None


def build_directory_with_options(directory: Path) -> tuple[list[Resource], SortSpec]:
    """Build the top kustomization. Also gives its output order: None keeps input order (fifo);
    otherwise kustomize's legacy sort with (orderFirst, orderLast), None meaning the defaults."""
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory")
    resources, root, kust = _build(directory, None)
    sort_options = kust.get("sortOptions") or {}
    order = sort_options.get("order") or "legacy"
    if order not in ("legacy", "fifo"):
        raise UsageError(f"sortOptions: unknown order '{order}'", location=root.location())
    if order == "fifo":
        return resources, None
    legacy = sort_options.get("legacySortOptions")
    if legacy is None:
        return resources, (None, None)
    return resources, (list(legacy.get("orderFirst") or []), list(legacy.get("orderLast") or []))
