"""Builtin transformers that rewrite fields in place: namespace, name prefix/suffix, labels,
annotations, images and replicas. Each takes the current resources and the kustomization's value."""

from __future__ import annotations

import re
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize import fieldspecs as fs
from rosgit.kustomize.resource import Resource, meta


def _set_string(value: str) -> Any:
    def setter(parent: Any, key: str) -> None:
        parent[key] = value

    return setter


def set_namespace(resources: list[Resource], namespace: str) -> None:
    for res in resources:
        gvk = res.gvk
        # kustomize records every object's id here, changed or not, which makes it findable by
        # name references later (e.g. a binding subject then gets the account's namespace).
        res.store_previous_id()
        if not gvk.is_cluster_scoped():
            meta(res.obj)["namespace"] = namespace
        if gvk.kind in ("RoleBinding", "ClusterRoleBinding"):
            _subjects_namespace(res.obj, namespace)
        fs.apply_specs(res.obj, gvk, fs.NAMESPACE_EXTRA, fs.SCALAR, _set_string(namespace))


def _subjects_namespace(obj: dict[str, Any], namespace: str) -> None:
    # Only the subject named "default" is moved (kustomize's defaultOnly subject mode).
    subjects = obj.get("subjects")
    if not isinstance(subjects, list):
        return
    for subject in subjects:
        if isinstance(subject, dict) and subject.get("name") == "default":
            subject["namespace"] = namespace


def add_prefix_suffix(resources: list[Resource], prefix: str, suffix: str) -> None:
    for res in resources:
        # Namespaces keep their name; CRDs' names are fixed by their group.
        if res.gvk.kind in ("Namespace", "CustomResourceDefinition"):
            continue
        res.store_previous_id()
        res.set_name(f"{prefix}{res.name}{suffix}")
        if prefix:
            res.prefixes.append(prefix)
        if suffix:
            res.suffixes.append(suffix)


def set_map_entries(
    resources: list[Resource], pairs: dict[str, str], specs: list[fs.FieldSpec]
) -> None:
    def setter(parent: Any, key: str) -> None:
        current = parent.get(key)
        if current is not None and not isinstance(current, dict):
            raise fs.ShapeError("wrong node kind: expected MappingNode")
        if current is None:
            current = {}
            parent[key] = current
        for k, v in pairs.items():
            current[k] = v

    for res in resources:
        fs.apply_specs(res.obj, res.gvk, specs, fs.MAP, setter)


def label_specs(include_selectors: bool, include_templates: bool) -> list[fs.FieldSpec]:
    if include_selectors:
        return fs.COMMON_LABELS
    if include_templates:
        return [*fs.METADATA_LABELS, *fs.TEMPLATE_LABELS]
    return fs.METADATA_LABELS


def set_replicas(resources: list[Resource], replicas: list[dict[str, Any]], location: str) -> None:
    for entry in replicas:
        name = str(entry.get("name") or "")
        count = entry.get("count")
        matched = False
        for res in resources:
            if not any(rid.name == name for rid in res.all_ids()):
                continue
            for spec in fs.REPLICAS:
                if spec.selects(res.gvk):
                    matched = True
                    fs.apply_checked(res.obj, spec, True, fs.SCALAR, _set_value(count))
        if not matched:
            raise UsageError(f"replicas: no resource named '{name}' holds replicas", location=location)


def _set_value(value: Any) -> Any:
    def setter(parent: Any, key: str) -> None:
        parent[key] = value

    return setter


# ---- images ----------------------------------------------------------------------------------


def split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) as kustomize splits an image reference: separators are only looked for
    after the first '/', so a registry port is not a tag."""
    slash = image.find("/")
    offset = slash if slash > 0 else 0
    search = image[offset:]
    at, colon = search.find("@"), search.find(":")
    if at < 0 and colon < 0:
        return image, "", ""
    if at >= 0 and (colon < 0 or at < colon):
        return image[: offset + at], "", image[offset + at + 1 :]
    if at >= 0:
        return image[: offset + colon], image[offset + colon + 1 : offset + at], image[offset + at + 1 :]
    return image[: offset + colon], image[offset + colon + 1 :], ""


def image_matches(image: str, name: str) -> bool:
    """kustomize's match of an `images` entry: the name (as a regular expression), then an optional
    tag and an optional sha256 digest."""
    try:
        pattern = re.compile(f"^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$")
    except re.error:
        return False
    return pattern.match(image) is not None


def _rewrite_image(value: str, entry: dict[str, Any]) -> str | None:
    if not image_matches(value, str(entry.get("name") or "")):
        return None
    name, tag, digest = split_image(value)
    new_name = entry.get("newName")
    new_tag = entry.get("newTag")
    new_digest = entry.get("digest")
    tag_suffix = entry.get("tagSuffix")
    if new_name:
        name = str(new_name)
    if new_tag and new_digest:
        tag, digest = str(new_tag), str(new_digest)
    elif new_tag:
        tag, digest = str(new_tag), ""
    elif new_digest:
        tag, digest = "", str(new_digest)
    if tag_suffix:
        tag = f"{tag}{tag_suffix}"
    out = name
    if tag:
        out += f":{tag}"
    if digest:
        out += f"@{digest}"
    return out


def set_images(resources: list[Resource], images: list[dict[str, Any]]) -> None:
    """Rewrite `image` in every containers/initContainers list at any depth (kustomize's legacy
    image filter), except in CRDs. Entries apply in order, as successive transformers would."""
    for res in resources:
        if res.gvk.kind != "CustomResourceDefinition":
            _walk_containers(res.obj, images)


def _update_image(item: dict[str, Any], images: list[dict[str, Any]]) -> None:
    if not isinstance(item.get("image"), str):
        return
    for entry in images:
        new = _rewrite_image(item["image"], entry)
        if new is not None:
            item["image"] = new


def _walk_containers(node: Any, images: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and value is not None and not isinstance(value, list):
                raise UsageError(f"considering field '{key}[]/image': expected sequence or mapping node")
            if isinstance(value, list):
                if key in ("containers", "initContainers"):
                    for item in value:
                        if isinstance(item, dict):
                            _update_image(item, images)
                for item in value:
                    if isinstance(item, dict | list):
                        _walk_containers(item, images)
            elif isinstance(value, dict):
                _walk_containers(value, images)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, dict | list):
                _walk_containers(item, images)
