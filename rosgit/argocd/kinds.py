"""Which resource kinds the generated Kustomize tree emits, read from the tree itself (no build needed)."""

from __future__ import annotations

import functools
from typing import Any

from rosgit.fileset.text import written_documents
from rosgit.k8s.objects import load_objects
from rosgit.userfiles import MAX_DEPTH, alias_budget, check_yaml_depth

# Kinds that only configure Kustomize; they never reach the cluster.
_KUSTOMIZE_KINDS = {"Kustomization", "Component"}
_GENERATED_KINDS = {"configMapGenerator": ("", "ConfigMap"), "secretGenerator": ("", "Secret")}
INJECT_CA_BUNDLE = "service.beta.openshift.io/inject-cabundle"

GroupKind = tuple[str, str]


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0] if "/" in api_version else ""


def tree_objects(tree: dict[str, str], prefixes: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """(path, object) for every YAML document in the tree's files under the given directory prefixes."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path, text in sorted(tree.items()):
        if not path.endswith((".yaml", ".yml")) or not path.startswith(prefixes):
            continue
        found.extend((path, doc) for doc in parsed_documents(text))
    return found


@functools.lru_cache(maxsize=4096)
def parsed_documents(text: str) -> tuple[dict[str, Any], ...]:
    """Parsed once per file text: the Argo CD generator reads the same tree several times. Read-only.

    A text `rosgit generate` wrote in this process is not parsed again: its documents are known. It is
    still refused as load_objects would refuse it: the depth check runs on every text, and one with anchors
    and aliases is parsed after all (for load_objects' own errors) unless its documents are within the
    limits load_objects measures such a text by."""
    written = written_documents(text)
    if written is None or ("&" in text and "*" in text and not _within_alias_limits(written, text)):
        loaded = load_objects(text)
    else:
        check_yaml_depth(text, location="<yaml>")
        loaded = [doc for doc in written if isinstance(doc, dict)]
    return tuple(doc for doc in loaded if "kind" in doc)


def _within_alias_limits(documents: tuple[Any, ...], text: str) -> bool:
    """Whether every document, aliases expanded, has at most alias_budget(text) nodes and MAX_DEPTH levels,
    the limits `check_node_graph` holds each composed document of `text` to. The written documents are
    that expansion already (shared containers were copied where each appears), a key or scalar one node."""
    budget = alias_budget(text)
    for document in documents:
        measured = _size_within(document, MAX_DEPTH, budget)
        if measured is None:
            return False
    return True


def _size_within(node: Any, levels: int, budget: int) -> int | None:
    """The node count of `node`, or None once it nests deeper than `levels` or counts over `budget`."""
    if levels < 1:
        return None
    if isinstance(node, dict):
        size = 1 + len(node)  # the mapping and its keys
        children: Any = node.values()
    elif isinstance(node, list):
        size = 1
        children = node
    else:
        return 1
    for child in children:
        below = _size_within(child, levels - 1, budget - size)
        if below is None:
            return None
        size += below
    return size if size <= budget else None


def emitted_kinds(tree: dict[str, str]) -> set[GroupKind]:
    """(group, kind) of every object the overlays can emit: resources and generator outputs.

    Patches are excluded: a patch file is only referenced from `patches:` and never adds an object; the
    kustomizations' resources lists decide which files are objects.
    """
    resource_files: set[str] = set()
    kinds: set[GroupKind] = set()
    for path, doc in tree_objects(tree, ("base/", "components/", "overlays/")):
        if doc.get("kind") not in _KUSTOMIZE_KINDS:
            continue
        directory = path.rpartition("/")[0]
        for entry in doc.get("resources") or []:
            if isinstance(entry, str) and entry.endswith((".yaml", ".yml")):
                resource_files.add(_join(directory, entry))
        for generator, group_kind in _GENERATED_KINDS.items():
            if doc.get(generator):
                kinds.add(group_kind)
    for path, doc in tree_objects(tree, ("base/", "components/", "overlays/")):
        if path in resource_files and doc.get("kind") not in _KUSTOMIZE_KINDS:
            kinds.add((group_of(str(doc.get("apiVersion", ""))), str(doc["kind"])))
    return kinds


def injected_config_maps(tree: dict[str, str], prefix: str) -> list[str]:
    """ConfigMaps under `prefix` whose data OpenShift's service-ca operator injects in the cluster."""
    names = []
    for _path, doc in tree_objects(tree, (prefix,)):
        meta = doc.get("metadata") or {}
        if doc.get("kind") == "ConfigMap" and (meta.get("annotations") or {}).get(INJECT_CA_BUNDLE) == "true":
            names.append(str(meta.get("name")))
    return sorted(names)


def _join(directory: str, entry: str) -> str:
    parts: list[str] = directory.split("/") if directory else []
    for piece in entry.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)
