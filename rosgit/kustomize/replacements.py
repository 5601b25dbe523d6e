"""`replacements`: copy a value from one resource field into fields of selected resources."""

from __future__ import annotations

import copy
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize import loader
from rosgit.kustomize.loader import Root
from rosgit.kustomize.resource import Gvk, Resource, ResId, split_api_version

_MISSING = object()


def split_field_path(path: str) -> list[str]:
    """'a.[name=x.y].b' -> ['a', '[name=x.y]', 'b']: dots inside brackets do not split."""
    parts: list[str] = []
    cur = ""
    depth = 0
    for ch in path:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "." and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p for p in parts if p != ""]


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
    from rosgit.kustomize.patches import matches_selector

    md = res.obj.get("metadata") or {}
    if sel.get("labelSelector") and not matches_selector(md.get("labels") or {}, str(sel["labelSelector"])):
        return False
    return not (
        sel.get("annotationSelector")
        and not matches_selector(md.get("annotations") or {}, str(sel["annotationSelector"]))
    )


def _lookup(node: Any, parts: list[str]) -> list[tuple[Any, Any]]:
    """All (parent, key) slots that a path reaches; the slot may be missing."""
    if not parts:
        return []
    head, rest = parts[0], parts[1:]
    slots: list[tuple[Any, Any]] = []
    if head.startswith("[") and head.endswith("]"):
        if not isinstance(node, list) or "=" not in head:
            return []
        key, _, value = head[1:-1].partition("=")
        for i, item in enumerate(node):
            if isinstance(item, dict) and str(item.get(key)) == value:
                slots.extend([(node, i)] if not rest else _lookup(item, rest))
        return slots
    if head == "*":
        if isinstance(node, list):
            items = list(enumerate(node))
        elif isinstance(node, dict):
            items = list(node.items())
        else:
            return []
        for key, value in items:
            slots.extend([(node, key)] if not rest else _lookup(value, rest))
        return slots
    if isinstance(node, list):
        if head.isdigit() or (head.startswith("-") and head[1:].isdigit()):
            index = int(head)
            if 0 <= index < len(node):
                return [(node, index)] if not rest else _lookup(node[index], rest)
        return []
    if not isinstance(node, dict):
        return []
    if not rest:
        return [(node, head)]
    if head not in node or node[head] is None:
        return [(node, head, *rest)]  # type: ignore[list-item]
    return _lookup(node[head], rest)


def _get(node: Any, path: str) -> Any:
    for parent, key, *rest in _lookup(node, split_field_path(path)):
        if rest:
            continue
        if isinstance(parent, dict) and key in parent:
            return parent[key]
        if isinstance(parent, list):
            return parent[key]
    return _MISSING


def _create(parent: dict[str, Any], keys: list[str]) -> tuple[Any, Any]:
    node = parent
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    return node, keys[-1]


def _apply_delimiter(old: Any, value: Any, options: dict[str, Any]) -> Any:
    delimiter = options.get("delimiter")
    if not delimiter:
        return copy.deepcopy(value)
    parts = str(old if old is not None else "").split(str(delimiter))
    index = int(options.get("index") or 0)
    if index < 0 or index >= len(parts):
        raise UsageError(f"options.index {index} is out of bounds for value {old}")
    parts[index] = str(value)
    return str(delimiter).join(parts)


def apply_replacements(root: Root, entries: list[Any], items: list[Resource]) -> None:
    for entry in entries:
        for replacement in _expand(root, entry):
            _apply_one(root, replacement, items)


def _expand(root: Root, entry: Any) -> list[dict[str, Any]]:
    if isinstance(entry, dict) and entry.get("path") and not entry.get("source"):
        from rosgit.kustomize.yamlio import load_resource_documents

        text = loader.read_text(root, str(entry["path"]), "replacements")
        docs = load_resource_documents(text, str(entry["path"]))
        out: list[dict[str, Any]] = []
        for doc in docs:
            out.extend(doc if isinstance(doc, list) else [doc])
        return out
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
        present = [
            (parent, key)
            for parent, key, *rest in slots
            if not rest and (isinstance(parent, list) or key in parent)
        ]
        if present:
            for parent, key in present:
                parent[key] = _apply_delimiter(parent[key], value, options)
            continue
        if create and len(slots) == 1:
            parent, key, *rest = slots[0]
            parent, key = _create(parent, [key, *rest])
            parent[key] = _apply_delimiter(None, value, options)
            continue
        raise UsageError(
            f'replacements: unable to find field "{field_path}" in replacement target '
            f"{res.cur_id().describe()}",
            location=location,
        )


def _describe(sel: dict[str, Any]) -> str:
    gvk, name, namespace = _selector_id(sel)
    return ResId(gvk, name, namespace).describe()
