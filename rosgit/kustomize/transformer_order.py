"""The builtin transformer sequence of one kustomization, in kustomize's fixed order:
patchesStrategicMerge, patches, namespace, namePrefix, nameSuffix, labels, commonAnnotations,
patchesJson6902, replicas, images, replacements."""

from __future__ import annotations

import copy
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize import loader, patches, transformers
from rosgit.kustomize.fieldspecs import COMMON_ANNOTATIONS, spec
from rosgit.kustomize.loader import Root, as_list
from rosgit.kustomize.resource import ResId, Resource, gvk_of
from rosgit.kustomize.yamlio import kyaml_plain_is_string, load_resource_documents, load_yaml11_value


def run_all(root: Root, kust: dict[str, Any], items: list[Resource]) -> None:
    try:
        _run_all(root, kust, items)
    except UsageError as exc:
        if exc.location is not None:
            raise
        raise UsageError(exc.message, location=root.location()) from None


def _run_all(root: Root, kust: dict[str, Any], items: list[Resource]) -> None:
    location = root.location()
    for entry in as_list(kust.get("patchesStrategicMerge"), root, "patchesStrategicMerge"):
        for doc in _smp_docs(root, str(entry), "patchesStrategicMerge"):
            _apply_smp_by_id(items, doc, location)
    for entry in as_list(kust.get("patches"), root, "patches"):
        _apply_patch_entry(root, entry, items)
    namespace = kust.get("namespace")
    if namespace:
        transformers.set_namespace(items, str(namespace))
        _refuse_id_conflicts(items, "namespace", location)
    prefix = str(kust.get("namePrefix") or "")
    if prefix:
        transformers.add_prefix_suffix(items, prefix, "")
    suffix = str(kust.get("nameSuffix") or "")
    if suffix:
        transformers.add_prefix_suffix(items, "", suffix)
    for label in as_list(kust.get("labels"), root, "labels"):
        if not isinstance(label, dict):
            raise UsageError("labels: expected a mapping", location=location)
        pairs = _string_map(label.get("pairs"), root, "labels.pairs")
        specs = transformers.label_specs(
            bool(label.get("includeSelectors")), bool(label.get("includeTemplates"))
        )
        specs = specs + [
            spec(
                str(f.get("path") or ""), str(f.get("kind") or ""), str(f.get("group") or ""),
                str(f.get("version") or ""), bool(f.get("create")),
            )
            for f in label.get("fields") or []
        ]
        transformers.set_map_entries(items, pairs, specs)
    common_labels = _string_map(kust.get("commonLabels"), root, "commonLabels")
    if common_labels:
        transformers.set_map_entries(items, common_labels, transformers.label_specs(True, True))
    annotations = _string_map(kust.get("commonAnnotations"), root, "commonAnnotations")
    if annotations:
        transformers.set_map_entries(items, annotations, COMMON_ANNOTATIONS)
    for entry in as_list(kust.get("patchesJson6902"), root, "patchesJson6902"):
        _apply_json6902_entry(root, entry, items)
    replicas = as_list(kust.get("replicas"), root, "replicas")
    if replicas:
        transformers.set_replicas(items, replicas, location)
    # The deprecated `imageTags` are read after `images`.
    images = [*as_list(kust.get("images"), root, "images"), *as_list(kust.get("imageTags"), root, "imageTags")]
    if images:
        transformers.set_images(items, images)
    replacements = as_list(kust.get("replacements"), root, "replacements")
    if replacements:
        # Loaded here so that only kustomizations with replacements pay for the module on start-up.
        from rosgit.kustomize.replacements import apply_replacements

        apply_replacements(root, replacements, items)


def _refuse_id_conflicts(items: list[Resource], field: str, location: str) -> None:
    seen: set[Any] = set()
    for res in items:
        rid = res.cur_id()
        key = (rid.gvk, rid.name, "" if rid.gvk.is_cluster_scoped() else (rid.namespace or "default"))
        if key in seen:
            raise UsageError(
                f"{field}: namespace transformation produces ID conflict: {rid.describe()}", location=location
            )
        seen.add(key)


def _string_map(value: Any, root: Root, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UsageError(f"{field}: expected a mapping", location=root.location())
    out: dict[str, str] = {}
    for key, val in value.items():
        if val is None:
            val = ""
        if not isinstance(val, str):
            kind = "bool" if isinstance(val, bool) else "number" if isinstance(val, int | float) else "object"
            raise UsageError(
                f"invalid Kustomization: {field}: cannot unmarshal {kind} into string "
                f"(value of '{key}'; quote it)",
                location=root.location(),
            )
        out[str(key)] = val
    check_plain_keys(out, root, field)
    return out


def check_plain_keys(keys: Any, root: Root, field: str) -> None:
    """kustomize writes keys it adds as plain scalars; one that reads back as a number or bool
    (e.g. "9", "true") makes its output step fail, so refuse it here with the key named."""
    for key in keys:
        if not kyaml_plain_is_string(str(key)):
            raise UsageError(
                f"{field}: key '{key}' would be written as a non-string YAML key "
                "(json: unsupported type: map[interface {}]interface {})",
                location=root.location(),
            )


def _is_inline(entry: str) -> bool:
    return "\n" in entry or entry.lstrip().startswith(("{", "["))


def _looks_like_ops(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return stripped.startswith("[") or (stripped.startswith("-") and not stripped.startswith("---"))
    return False


def _load_ops(root: Root, text: str, source: str) -> list[Any]:
    """JSON 6902 operations, read as kustomize reads them (YAML 1.1 scalars, then JSON)."""
    try:
        ops = load_yaml11_value(text, source)
    except UsageError as exc:
        raise UsageError(f"patch {source}: {exc.message}", location=root.location()) from exc
    if not isinstance(ops, list):
        raise UsageError(f"patch {source}: expected a list of operations", location=root.location())
    return ops


def _load_patch_docs(root: Root, text: str, source: str) -> list[Any]:
    if _looks_like_ops(text):
        return [_load_ops(root, text, source)]
    try:
        return list(load_resource_documents(text, source, patch=True))
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"patch {source}: {' '.join(str(exc).split())}", location=root.location()) from exc


def _patch_text(root: Root, entry: dict[str, Any] | str, field: str) -> tuple[str, str]:
    if isinstance(entry, str):
        if _is_inline(entry):
            return entry, "inline patch"
        return loader.read_text(root, entry, field), entry
    if entry.get("path") and entry.get("patch"):
        raise UsageError(f"{field}: patch and path can't be set at the same time", location=root.location())
    if entry.get("path"):
        path = str(entry["path"])
        return loader.read_text(root, path, field), path
    if entry.get("patch") is not None:
        return str(entry["patch"]), "inline patch"
    raise UsageError(f"{field}: must specify one of patch and path", location=root.location())


def _smp_docs(root: Root, entry: str, field: str) -> list[dict[str, Any]]:
    text, source = _patch_text(root, entry, field)
    docs = _load_patch_docs(root, text, source)
    for doc in docs:
        if not isinstance(doc, dict):
            raise UsageError(
                f"{field}: {source}: expected a strategic merge patch mapping", location=root.location()
            )
    return docs


def _patch_id(doc: dict[str, Any]) -> ResId:
    md = doc.get("metadata") or {}
    return ResId(gvk_of(doc), str(md.get("name") or ""), str(md.get("namespace") or ""))


def _apply_smp_by_id(items: list[Resource], doc: dict[str, Any], location: str) -> None:
    pid = _patch_id(doc)
    # the name first: equal ids have equal names, and an id costs its object's gvk parsed again
    matches = [
        r for r in items
        if (r.name == pid.name or any(i.name == pid.name for i in r.prev_ids))
        and any(_id_equal(i, pid) for i in r.all_ids())
    ]
    if len(matches) != 1:
        what = "no matches" if not matches else "multiple matches"
        raise UsageError(
            f"{what} for Id {pid.describe()}; failed to find unique target for patch", location=location
        )
    target = matches[0]
    md = doc.get("metadata")
    if isinstance(md, dict) and md.get("name") != target.name:
        # The patch found its target by an earlier name; it must not undo later renames.
        doc = {**doc, "metadata": {**md, "name": target.name}}
    _apply_smp(items, target, doc)


def _id_equal(a: ResId, b: ResId) -> bool:
    return a.gvk == b.gvk and a.name == b.name and a.ns_equals(b)


def _apply_smp(items: list[Resource], target: Resource, doc: dict[str, Any]) -> None:
    if doc.get("$patch") == "delete":
        items.remove(target)
        return
    gvk = target.gvk
    merged = patches.strategic_merge(target.obj, doc, gvk.kind, (), gvk.group in patches.BUILTIN_GROUPS)
    if merged is None:
        items.remove(target)
        return
    metadata = merged.get("metadata")
    if isinstance(metadata, dict) and metadata.get("annotations") == {}:
        # kyaml keeps annotations only while there is one (a patch deleting the last leaves none)
        del metadata["annotations"]
    _replace_object(target, merged)


def _replace_object(res: Resource, obj: dict[str, Any]) -> None:
    """Swap in a patched object; a patch that renamed it leaves the old id for name references."""
    before = res.cur_id()
    res.obj = obj
    if res.cur_id() != before:
        res.prev_ids.append(before)


def _apply_patch_entry(root: Root, entry: Any, items: list[Resource]) -> None:
    location = root.location()
    if not isinstance(entry, dict):
        raise UsageError("patches: each entry needs path or patch", location=location)
    text, source = _patch_text(root, entry, "patches")
    docs = _load_patch_docs(root, text, source)
    target = entry.get("target")
    options = entry.get("options") or {}
    if len(docs) == 1 and isinstance(docs[0], list):
        if not target:
            raise UsageError(f"patches: {source}: must specify a target for JSON patch", location=location)
        for res in patches.select(items, target):
            _json6902(res, docs[0], source, location)
        return
    for doc in docs:
        if not isinstance(doc, dict):
            raise UsageError(f"patches: {source}: unable to parse as a patch", location=location)
        if not target:
            _apply_smp_by_id(items, doc, location)
            continue
        for res in patches.select(items, target):
            patch = copy.deepcopy(doc)
            if not isinstance(patch.get("metadata"), dict):
                patch["metadata"] = {}
            md = patch["metadata"]
            if not options.get("allowNameChange"):
                md["name"] = res.name
            if not options.get("allowKindChange"):
                patch["kind"] = res.gvk.kind
                patch["apiVersion"] = res.obj.get("apiVersion")
            _apply_smp(items, res, patch)


def _op_value_keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(k) for k in value] + [k for v in value.values() for k in _op_value_keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in _op_value_keys(v)]
    return []


def _json6902(res: Resource, ops: list[Any], source: str, location: str) -> None:
    for op in ops:
        for key in _op_value_keys(op.get("value") if isinstance(op, dict) else None):
            if not kyaml_plain_is_string(key):
                raise UsageError(
                    f"patch {source}: key '{key}' in a JSON patch value would print as a non-string "
                    "YAML key (json: unsupported type: map[interface {}]interface {})",
                    location=location,
                )
    try:
        _replace_object(res, patches.apply_json6902(res.obj, ops))
    except Exception as exc:
        raise UsageError(
            f"patch {source} failed on {res.cur_id().describe()}: {' '.join(str(exc).split())}",
            location=location,
        ) from exc


def _apply_json6902_entry(root: Root, entry: Any, items: list[Resource]) -> None:
    location = root.location()
    if not isinstance(entry, dict) or not isinstance(entry.get("target"), dict):
        raise UsageError("patchesJson6902: each entry needs a target", location=location)
    text, source = _patch_text(root, entry, "patchesJson6902")
    docs = _load_patch_docs(root, text, source)
    if len(docs) != 1 or not isinstance(docs[0], list):
        raise UsageError(f"patchesJson6902: {source}: expected a list of operations", location=location)
    for res in patches.select(items, entry["target"]):
        _json6902(res, docs[0], source, location)
