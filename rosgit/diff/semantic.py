"""Two renders compared: objects added, removed and changed (with every changed leaf field), the resource
totals before and after, and the container images that changed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rosgit.diff.render import Render
from rosgit.k8s.objects import Obj
from rosgit.k8s.podspec import pod_templates
from rosgit.resources import Totals, summarize

ObjectKey = tuple[str, str, str, str]  # (group, kind, namespace, name)

# kustomize's generated names end in -<10 characters of its hash alphabet>; a changed ConfigMap is renamed
_HASH_SUFFIX = re.compile(r"-[bcdfghkmt2-9]{10}$")


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: Any  # ABSENT when the field was added
    after: Any  # ABSENT when the field was removed

    @property
    def kind(self) -> str:
        if self.before is ABSENT:
            return "added"
        return "removed" if self.after is ABSENT else "changed"


@dataclass(frozen=True)
class ObjectChange:
    key: ObjectKey
    status: str  # added | removed | changed
    fields: tuple[FieldChange, ...] = ()
    renamed_from: str | None = None  # a hash-suffixed generated name whose content changed

    @property
    def label(self) -> str:
        group, kind, namespace, name = self.key
        where = f"{namespace}/{name}" if namespace else name
        return f"{kind}{'.' + group if group else ''} {where}"


@dataclass(frozen=True)
class ImageChange:
    workload: str  # Kind/name
    container: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class SectionDiff:
    name: str  # overlays/dev, charts/ros-ocp
    status: str  # added | removed | changed | unchanged | error
    objects: tuple[ObjectChange, ...] = ()
    totals_before: Totals | None = None
    totals_after: Totals | None = None
    images: tuple[ImageChange, ...] = ()
    errors: tuple[str, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for change in self.objects if change.status == status)


@dataclass(frozen=True)
class TreeDiff:
    base: str
    head: str
    sections: tuple[SectionDiff, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> list[SectionDiff]:
        return [s for s in self.sections if s.status != "unchanged"]


def object_key(obj: Obj) -> ObjectKey:
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.rpartition("/")[0]
    meta = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
    return (group, str(obj.get("kind", "")), str(meta.get("namespace", "")), str(meta.get("name", "")))


def _item_label(item: Any, index: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return f"[name={item['name']}]"
    return f"[{index}]"


def _by_label(items: list[Any]) -> dict[str, Any] | None:
    """A list keyed by its items' names, when every item has a distinct one (containers, env, ports)."""
    labelled = {_item_label(item, i): item for i, item in enumerate(items)}
    if len(labelled) == len(items) and all(label.startswith("[name=") for label in labelled):
        return labelled
    return None


def flatten(before: Any, after: Any, path: str = "") -> Iterator[FieldChange]:
    """Every leaf that differs, as a dotted path; named list items as [name=x], others by index."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after), key=str):
            sub = f"{path}.{key}" if path else str(key)
            yield from flatten(before.get(key, ABSENT), after.get(key, ABSENT), sub)
        return
    if isinstance(before, list) and isinstance(after, list):
        named_before, named_after = _by_label(before), _by_label(after)
        if named_before is not None and named_after is not None:
            labels = [*named_before, *(label for label in named_after if label not in named_before)]
            for label in labels:
                yield from flatten(named_before.get(label, ABSENT), named_after.get(label, ABSENT), path + label)
            return
        if len(before) == len(after):
            for index, (a, b) in enumerate(zip(before, after, strict=True)):
                yield from flatten(a, b, f"{path}[{index}]")
            return
    if before is ABSENT and isinstance(after, dict | list) and after:
        yield from _leaves(after, path, added=True)
    elif after is ABSENT and isinstance(before, dict | list) and before:
        yield from _leaves(before, path, added=False)
    elif before != after or type(before) is not type(after):
        yield FieldChange(path or "<object>", before, after)


def _leaves(value: Any, path: str, *, added: bool) -> Iterator[FieldChange]:
    """A whole subtree that appeared (or went), leaf by leaf, so a new container lists what it sets."""
    if isinstance(value, dict) and value:
        for key in value:
            yield from _leaves(value[key], f"{path}.{key}" if path else str(key), added=added)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, path + _item_label(item, index), added=added)
    else:
        yield FieldChange(path, ABSENT, value) if added else FieldChange(path, value, ABSENT)


REDACTED = "<redacted>"


def _redacted(obj: Obj) -> Obj:
    """A Secret with its values hidden: a diff is posted on pull requests, and the chart generates random
    values on every render, so only the keys a Secret holds are compared."""
    if obj.get("kind") != "Secret" or obj.get("apiVersion") != "v1":
        return obj
    hidden = dict(obj)
    for field_name in ("data", "stringData"):
        if isinstance(obj.get(field_name), dict):
            hidden[field_name] = dict.fromkeys(obj[field_name], REDACTED)
    return hidden


def _index(objects: list[Obj]) -> dict[ObjectKey, Obj]:
    return {object_key(obj): _redacted(obj) for obj in objects}


def _pair_renamed(removed: set[ObjectKey], added: set[ObjectKey]) -> dict[ObjectKey, ObjectKey]:
    """Added key -> removed key for generated objects whose hash suffix changed with their content."""
    def stem(key: ObjectKey) -> ObjectKey | None:
        group, kind, namespace, name = key
        if not _HASH_SUFFIX.search(name):
            return None
        return (group, kind, namespace, _HASH_SUFFIX.sub("", name))

    by_stem: dict[ObjectKey, list[ObjectKey]] = {}
    for key in removed:
        found = stem(key)
        if found is not None:
            by_stem.setdefault(found, []).append(key)
    pairs: dict[ObjectKey, ObjectKey] = {}
    for key in sorted(added):
        found = stem(key)
        candidates = by_stem.get(found) if found is not None else None
        if candidates and len(candidates) == 1:
            pairs[key] = candidates.pop()
    return pairs


def object_changes(before: list[Obj], after: list[Obj]) -> list[ObjectChange]:
    old, new = _index(before), _index(after)
    removed, added = set(old) - set(new), set(new) - set(old)
    renamed = _pair_renamed(removed, added)
    changes: list[ObjectChange] = []
    for key in sorted(set(old) & set(new)):
        fields = tuple(flatten(old[key], new[key]))
        if fields:
            changes.append(ObjectChange(key, "changed", fields))
    for key, previous in renamed.items():
        fields = tuple(f for f in flatten(old[previous], new[key]) if f.path != "metadata.name")
        changes.append(ObjectChange(key, "changed", fields, renamed_from=previous[3]))
    changes += [ObjectChange(key, "added") for key in added if key not in renamed]
    changes += [ObjectChange(key, "removed") for key in removed if key not in renamed.values()]
    order = {"removed": 0, "added": 1, "changed": 2}
    return sorted(changes, key=lambda c: (c.key[1], c.key[2], c.key[3], order[c.status]))


def images_of(objects: list[Obj]) -> dict[tuple[str, str], str]:
    """(Kind/name, container) -> image, for every container of every pod template."""
    found: dict[tuple[str, str], str] = {}
    for template in pod_templates(objects):
        for container in template.containers():
            image = container.get("image")
            if isinstance(image, str):
                found[(f"{template.kind}/{template.name}", str(container.get("name", "")))] = image
    return found


def image_changes(before: list[Obj], after: list[Obj]) -> list[ImageChange]:
    old, new = images_of(before), images_of(after)
    return [
        ImageChange(workload, container, old.get((workload, container)), new.get((workload, container)))
        for workload, container in sorted(set(old) | set(new))
        if old.get((workload, container)) != new.get((workload, container))
    ]


def _totals(objects: list[Obj]) -> Totals | None:
    try:
        return summarize(objects).total
    except Exception:  # an object resources cannot size (a bad quantity) leaves the totals out, not the diff
        return None


def section_diff(name: str, before: Render, after: Render) -> SectionDiff:
    errors = tuple(
        f"{side}: {render.errors[name]}" for side, render in (("base", before), ("head", after))
        if name in render.errors
    )
    if errors:
        return SectionDiff(name, "error", errors=errors)
    old, new = before.objects.get(name), after.objects.get(name)
    status = "added" if old is None else "removed" if new is None else "changed"
    old_objects, new_objects = old or [], new or []
    changes = tuple(object_changes(old_objects, new_objects))
    if status == "changed" and not changes:
        status = "unchanged"
    return SectionDiff(
        name,
        status,
        changes,
        _totals(old_objects) if old is not None else None,
        _totals(new_objects) if new is not None else None,
        tuple(image_changes(old_objects, new_objects)),
    )


def diff_renders(base: str, head: str, before: Render, after: Render) -> TreeDiff:
    names = sorted(before.sections | after.sections)
    notes = tuple(dict.fromkeys([*before.notes, *after.notes]))
    return TreeDiff(base, head, tuple(section_diff(name, before, after) for name in names), notes)
