"""`replacements`: copy a value from one resource field into fields of selected resources."""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from rosgit.errors import UsageError
from rosgit.kustomize import loader
from rosgit.kustomize.fieldspecs import split_outside
from rosgit.kustomize.gojson import format_go_float, go_scalar_text
from rosgit.kustomize.loader import Root
from rosgit.kustomize.patches import matches_selector
from rosgit.kustomize.resource import Gvk, ResId, Resource, split_api_version
from rosgit.kustomize.yamlio import kyaml_plain_is_string, load_yaml11_value, load_yaml_documents

_MISSING = object()


def split_field_path(path: str) -> list[str]:
    """'a.[name=x.y].b' -> ['a', '[name=x.y]', 'b']: dots inside brackets do not split."""
    return [part for part in split_outside(path, ".", "[", "]") if part != ""]


def _selector_id(sel: dict[str, Any]) -> tuple[Gvk, str, str]:
    group = str(sel.get("group") or "")
    version = str(sel.get("version") or "")
    if sel.get("apiVersion") and not group and not version:
        group, version = split_api_version(str(sel["apiVersion"]))
    return Gvk(group, version, str(sel.get("kind") or "")), str(sel.get("name") or ""), str(
        sel.get("namespace") or ""
    )


def _id_selected(rid: ResId, sel: dict[str, Any]) -> bool:
    gvk, name, namespace = _selector_id(sel)
    if name and name != rid.name:
        return False
    if namespace and not rid.ns_equals(ResId(rid.gvk, rid.name, namespace)):
        return False
    return rid.gvk.is_selected_by(gvk)


def _labels_selected(res: Resource, sel: dict[str, Any]) -> bool:
    md = res.obj.get("metadata") or {}
    if sel.get("labelSelector") and not matches_selector(md.get("labels") or {}, str(sel["labelSelector"])):
        return False
    return not (
        sel.get("annotationSelector")
        and not matches_selector(md.get("annotations") or {}, str(sel["annotationSelector"]))
    )


class _Slot(NamedTuple):
    """A place a field path reaches: `parent[key]`, or, when `missing` is set, the fields still
    to create below `parent` (only for plain paths)."""

    parent: Any
    key: Any
    missing: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        return not self.missing and (isinstance(self.parent, list) or self.key in self.parent)


def _lookup(node: Any, parts: list[str]) -> list[_Slot]:
    """Every slot a field path reaches; `*` and `[k=v]` may fan out."""
    if not parts:
        return []
    head, rest = parts[0], parts[1:]

    def descend(parent: Any, key: Any) -> list[_Slot]:
        return [_Slot(parent, key)] if not rest else _lookup(parent[key], rest)

    if head.startswith("[") and head.endswith("]"):
        if not isinstance(node, list) or "=" not in head:
            return []
        field, _, wanted = head[1:-1].partition("=")
        return [
            slot
            for i, item in enumerate(node)
            if isinstance(item, dict) and str(item.get(field)) == wanted
            for slot in descend(node, i)
        ]
    if head == "*":
        keys: list[Any] = list(range(len(node))) if isinstance(node, list) else (
            list(node) if isinstance(node, dict) else []
        )
        return [slot for key in keys for slot in descend(node, key)]
    if isinstance(node, list):
        if head.lstrip("-").isdigit() and 0 <= int(head) < len(node):
            return descend(node, int(head))
        return []
    if not isinstance(node, dict):
        return []
    if rest and node.get(head) is None:
        return [_Slot(node, head, tuple(rest))]
    return descend(node, head)


def _get(node: Any, path: str) -> Any:
    for slot in _lookup(node, split_field_path(path)):
        if slot.present:
            return slot.parent[slot.key]
    return _MISSING


def _create(parent: dict[str, Any], keys: list[str]) -> tuple[Any, Any]:
    node = parent
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    return node, keys[-1]


def _scalar_text(value: Any) -> str:
    """The text of a scalar node as kyaml holds it (a null node holds no text)."""
    if value is None:
        return ""
    return go_scalar_text(value, format_go_float) or str(value)


def _plain(text: str) -> Any:
    """What an untagged plain scalar with this text reads back as (kyaml's YAML 1.2 rules)."""
    if kyaml_plain_is_string(text):
        return text
    docs = load_yaml_documents(text, "replacement value")
    return docs[0] if docs else None


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _with_delimiter(old: Any, value: Any, options: dict[str, Any]) -> Any:
    """The new text of a delimited target: replace part `index`; a negative index prepends and an
    index past the end appends, as kustomize does."""
    delimiter = str(options["delimiter"])
    parts = _scalar_text(old).split(delimiter)
    index = int(options.get("index") or 0)
    text = _scalar_text(value)
    if index < 0:
        parts.insert(0, text)
    elif index >= len(parts):
        parts.append(text)
    else:
        parts[index] = text
    return delimiter.join(parts)


def _new_value(old: Any, value: Any, options: dict[str, Any], created: bool) -> Any:
    """A scalar target keeps its own type and takes the new text (so ints and strings convert);
    a created field is an untagged scalar, typed by its text; anything else is copied whole."""
    if options.get("delimiter"):
        value = _with_delimiter(old, value, options)
    elif not _is_scalar(value):
        return copy.deepcopy(value)
    text = _scalar_text(value)
    if created or old is None or not _is_scalar(old):
        return _plain(text) if created or old is None else text
    if isinstance(old, str):
        return text
    return _plain(text)


def apply_replacements(root: Root, entries: list[Any], items: list[Resource]) -> None:
    for entry in entries:
        for replacement in _expand(root, entry):
            _apply_one(root, replacement, items)


def _expand(root: Root, entry: Any) -> list[dict[str, Any]]:
    if isinstance(entry, dict) and entry.get("path") and not entry.get("source"):
        text = loader.read_text(root, str(entry["path"]), "replacements")
        try:
            doc = load_yaml11_value(text, str(entry["path"]))
        except UsageError as exc:
            raise UsageError(f"replacements: {exc}", location=root.location()) from exc
        items = doc if isinstance(doc, list) else [doc]
        if not all(isinstance(item, dict) for item in items):
            raise UsageError(f"replacements: {entry['path']}: expected replacements", location=root.location())
        return items
    if not isinstance(entry, dict):
        raise UsageError("replacements: expected a mapping", location=root.location())
    return [entry]


def _apply_one(root: Root, rep: dict[str, Any], items: list[Resource]) -> None:
    location = root.location()
    source = rep.get("source")
    if not isinstance(source, dict):
        raise UsageError("replacements: a replacement needs a source", location=location)
    matches = [r for r in items if any(_id_selected(i, source) for i in r.all_ids())]
    if not matches:
        raise UsageError(f"replacements: nothing selected by source {_describe(source)}", location=location)
    if len(matches) > 1:
        raise UsageError(f"replacements: multiple matches for source {_describe(source)}", location=location)
    field_path = str(source.get("fieldPath") or "metadata.name")
    value = _get(matches[0].obj, field_path)
    if value is _MISSING:
        raise UsageError(
            f"replacements: fieldPath `{field_path}` is missing for replacement source "
            f"{matches[0].cur_id().describe()}",
            location=location,
        )
    options = source.get("options") or {}
    if options.get("delimiter"):
        parts = str(value).split(str(options["delimiter"]))
        index = int(options.get("index") or 0)
        if index < 0 or index >= len(parts):
            raise UsageError(f"replacements: options.index {index} is out of bounds", location=location)
        value = parts[index]
    for target in rep.get("targets") or []:
        select = target.get("select")
        if not isinstance(select, dict):
            raise UsageError("replacements: target must specify resources to select", location=location)
        rejects = target.get("reject") or []
        for res in items:
            ids = res.all_ids()
            if not _labels_selected(res, select):
                continue
            if not any(_id_selected(i, select) for i in ids):
                continue
            if any(
                _rejected(res, ids, reject) for reject in rejects if isinstance(reject, dict)
            ):
                continue
            _copy_to_target(res, value, target, location)


def _rejected(res: Resource, ids: list[ResId], reject: dict[str, Any]) -> bool:
    has_id = any(reject.get(k) for k in ("group", "version", "kind", "name", "namespace", "apiVersion"))
    has_sel = reject.get("labelSelector") or reject.get("annotationSelector")
    if has_sel and not _labels_selected(res, reject):
        return False
    if has_id and not any(_id_selected(i, reject) for i in ids):
        return False
    return bool(has_id or has_sel)


def _copy_to_target(res: Resource, value: Any, target: dict[str, Any], location: str) -> None:
    options = target.get("options") or {}
    create = bool(options.get("create"))
    for field_path in target.get("fieldPaths") or ["metadata.name"]:
        slots = _lookup(res.obj, split_field_path(str(field_path)))
        present = [slot for slot in slots if slot.present]
        if present:
            for slot in present:
                old = slot.parent[slot.key]
                if _is_scalar(old) or options.get("delimiter"):
                    slot.parent[slot.key] = _new_value(old, value, options, created=False)
                else:
                    slot.parent[slot.key] = copy.deepcopy(value)
            continue
        if create and len(slots) == 1 and isinstance(slots[0].parent, dict):
            parent, key = _create(slots[0].parent, [slots[0].key, *slots[0].missing])
            parent[key] = _new_value(None, value, options, created=True)
            continue
        raise UsageError(
            f'replacements: unable to find field "{field_path}" in replacement target '
            f"{res.cur_id().describe()}",
            location=location,
        )


def _describe(sel: dict[str, Any]) -> str:
    gvk, name, namespace = _selector_id(sel)
    return ResId(gvk, name, namespace).describe()
