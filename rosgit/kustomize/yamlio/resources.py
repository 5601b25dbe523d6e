"""Resource files and other kyaml-read YAML: documents, List expansion, the resource checks and
kyaml's reading of annotations."""

from __future__ import annotations

from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rosgit import cache
from rosgit.errors import UsageError
from rosgit.kustomize.gcpause import paused_gc
from rosgit.kustomize.gojson import json_scalar_text
from rosgit.kustomize.plain import copy_plain
from rosgit.kustomize.yamlio.compose import compose_kyaml, node_kind
from rosgit.kustomize.yamlio.construct import Builder, alias_budget
from rosgit.kustomize.yamlio.scalars import kyaml_plain_is_string, resolve_v3


def _annotation_text(node: Node) -> str:
    """kyaml reads annotation values as the scalar's source text; anything else reads as ''."""
    return node.value if isinstance(node, ScalarNode) else ""


def _annotations_node(root: MappingNode) -> Node | None:
    """The node under metadata.annotations, if any."""
    found: Node | None = None
    for key_node, value_node in root.value:
        if key_node.value == "metadata" and isinstance(value_node, MappingNode):
            for inner_key, inner_value in value_node.value:
                if isinstance(inner_key, ScalarNode) and inner_key.value == "annotations":
                    found = inner_value
    return found


def _node_annotation_texts(root: Node) -> dict[str, str]:
    """The annotations as kyaml reads them from the parsed nodes: every value as its source text."""
    assert isinstance(root, MappingNode)
    annotations_node = _annotations_node(root)
    texts: dict[str, str] = {}
    if isinstance(annotations_node, MappingNode):
        for key_node, value_node in annotations_node.value:
            if isinstance(key_node, ScalarNode):
                texts[key_node.value] = _annotation_text(value_node)
    elif isinstance(annotations_node, SequenceNode):
        # kyaml walks a sequence here as if it were key/value pairs (and crashes on odd lengths).
        items = annotations_node.value
        if len(items) % 2:
            raise UsageError("metadata.annotations is a list with an odd number of items")
        for index in range(0, len(items), 2):
            texts[_annotation_text(items[index])] = _annotation_text(items[index + 1])
    return texts


def _fix_annotations(root: Node, obj: dict[str, Any], via_json: bool, patch: bool = False) -> None:
    """Makes metadata.annotations the string map kyaml reads (dropped when empty). In a strategic-merge
    patch a null annotation stays None: kyaml's merge deletes the key before anything reads it as text."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict) or "annotations" not in metadata:
        return
    annotations = metadata["annotations"]
    texts: dict[str, str] = {}
    if not via_json:
        texts = _node_annotation_texts(root)
    elif isinstance(annotations, dict):
        texts = {key: json_scalar_text(value) for key, value in annotations.items()}
    for key in texts:
        if not kyaml_plain_is_string(key):
            # kustomize rewrites annotations with plain keys, which then read back as non-strings.
            raise UsageError(
                f"json: unsupported type: map[interface {{}}]interface {{}} (annotation key {key!r})"
            )
    if texts:
        nulls = set()
        if patch and isinstance(annotations, dict):
            nulls = {key for key, value in annotations.items() if value is None}
        metadata["annotations"] = {key: None if key in nulls else text for key, text in texts.items()}
    else:
        del metadata["annotations"]


# Parsed files by text digest, so that a build parses each file once and every build after it none: across
# runs in a `cache.Pool`, kept per cache directory and rosgit (tests switch both), because an edited overlay is
# built again but its bases' files are the same texts; within the process alone when caches are off.
_POOLS: dict[tuple[str, str], cache.Pool[list[dict[str, Any]]]] = {}
_POOL_LIMIT = 4000
_IN_PROCESS: dict[str, list[dict[str, Any]]] = {}
_IN_PROCESS_LIMIT = 256


def _pool() -> cache.Pool[list[dict[str, Any]]] | None:
    if not cache.enabled():
        return None
    stamp = (str(cache.results_dir()), cache.source_digest())
    if stamp not in _POOLS:
        _POOLS[stamp] = cache.Pool("kyaml", ("resource documents",), (cache.source_digest(),), _POOL_LIMIT)
    return _POOLS[stamp]


def remember_documents() -> None:
    """Store the files parsed since the last call, for the next run (the engine calls it after a build)."""
    pool = _pool()
    if pool is not None:
        pool.commit()


def load_resource_documents(text: str, source: str, *, patch: bool = False) -> list[dict[str, Any]]:
    """Every non-empty document of a resource file, parsed as kustomize reads resources.

    A document whose kind ends in "List" and that has `items` is replaced by its items (recursively).
    Like kustomize, every resource needs a mapping with `kind` and `metadata.name`.
    The result is the caller's to mutate: repeated loads of the same text return fresh copies.
    """
    key = f"{'patch' if patch else 'resource'} {cache.text_digest(text)}"
    pool = _pool()
    cached = pool.get(key) if pool is not None else _IN_PROCESS.get(key)
    if cached is None:
        # Parsing allocates many small objects that never form cycles; the collector only slows it down.
        with paused_gc():
            cached = _load_resources(text, source, patch)
        if pool is not None:
            pool.put(key, cached)
        else:
            if len(_IN_PROCESS) >= _IN_PROCESS_LIMIT:
                _IN_PROCESS.pop(next(iter(_IN_PROCESS)))
            _IN_PROCESS[key] = cached
    return [copy_plain(doc) for doc in cached]


def _load_resources(text: str, source: str, patch: bool) -> list[dict[str, Any]]:
    documents = compose_kyaml(text, source)
    builder = Builder(source, alias_budget(text), resolve_v3)
    out: list[dict[str, Any]] = []
    for node, piece, offset in documents:
        builder.text, builder.line_offset = piece, offset
        try:
            _collect_resource(builder, node, out, len(documents) == 1, patch=patch)
        except RecursionError:
            raise builder.fail(node, "document nests too deeply") from None
    return out


def load_yaml_documents(text: str, source: str) -> list[Any]:
    """Every non-empty document as plain data with kyaml's scalar rules, without resource checks.

    For patch files and other inputs read through kyaml that are not necessarily resources.
    """
    builder = Builder(source, alias_budget(text), resolve_v3)
    out: list[Any] = []
    for node, piece, offset in compose_kyaml(text, source):
        builder.text, builder.line_offset = piece, offset
        try:
            out.append(builder.build(node, top_level=isinstance(node, MappingNode)))
        except RecursionError:
            raise builder.fail(node, "document nests too deeply") from None
    return out


def _go_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "map[string]interface {}"


def _collect_resource(
    builder: Builder, node: Node, out: list[dict[str, Any]], single: bool, in_list: int = 0, *, patch: bool = False
) -> None:
    """Adds the resource(s) of one document node.

    kustomize expands the items of a List in a one-document file from the parsed nodes, but goes
    through JSON for a List in a multi-document file and for Lists nested in Lists; the two paths
    differ in how annotations read and in how a non-list `items` is treated.
    """
    if not isinstance(node, MappingNode):
        kind_of = node_kind(node)
        raise builder.fail(node, f"missing Resource metadata (the document is a {kind_of}, not a mapping)")
    obj = builder.build(node, top_level=True)
    via_json = in_list > 1 or (in_list == 1 and not single)
    _fix_annotations(node, obj, via_json, patch)
    kind = obj.get("kind")
    if isinstance(kind, str) and kind.endswith("List"):
        if "items" not in obj:
            # kustomize keeps an item-less list as an ordinary (nameless) resource.
            obj.setdefault("metadata", {})
            out.append(obj)
            return
        items_node = next(v for k, v in node.value if isinstance(k, ScalarNode) and k.value == "items")
        if isinstance(items_node, SequenceNode):
            for item_node in items_node.value:
                _collect_resource(builder, item_node, out, single, in_list + 1, patch=patch)
        elif obj["items"] is not None and (in_list or not single):
            raise builder.fail(node, f"expected array in {kind}/items, but found {_go_type_name(obj['items'])}")
        return
    if kind in (None, ""):
        raise builder.fail(node, "missing kind in object")
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if name in (None, ""):
        raise builder.fail(node, f"missing metadata.name in object of kind {kind}")
    out.append(obj)
