"""Load rosgit.yaml: parse with line numbers, expand component templates, read typed objects, validate."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from rosgit import cache
from rosgit.catalog import lined_yaml
from rosgit.catalog.gateway import with_gateway_config
from rosgit.catalog.lined_yaml import LinedMap, LinedSeq
from rosgit.catalog.model import Catalog, Component
from rosgit.catalog.schema import Reader, camel, unknown_key
from rosgit.catalog.validate import validate_catalog
from rosgit.errors import UsageError
from rosgit.userfiles import check_yaml_depth, decode_user_text, read_user_bytes

# Lists merged by their `name` when a component extends a template; the component's entry wins.
_MERGED_LISTS = ("env", "volumes", "ports", "storage")
# Maps merged key by key, the component's entry winning: a template's reasons stay unless overridden.
_MERGED_MAPS = ("checkovSkips",)
# In a component's command or args: the catalog's `topics:` names, space-separated (the topic-creating Job's
# loop), so the one topic list feeds that script as it feeds the KafkaTopic objects.
TOPICS_PLACEHOLDER = "${topics}"


def read_yaml_bytes(path: Path) -> bytes:
    """The bytes `parse_yaml` parses (a one-line UsageError when the file cannot be read)."""
    return read_user_bytes(path)


def read_catalog_bytes(path: Path) -> bytes:
    """A catalog's bytes: its path resolves, and a missing catalog is named with the command that writes one."""
    check_catalog_place(path)
    if not path.exists() and not path.is_symlink():
        raise UsageError("catalog not found; run `rosgit init` to write the default one", location=str(path))
    return read_user_bytes(path)


def parse_yaml(path: Path, data: bytes | None = None) -> Any:
    """The file's tree with line numbers (`.lc`), as ruamel's round-trip loader reads it. libyaml reads the
    files it reads exactly as ruamel does (rosgit.catalog.lined_yaml); ruamel reads the others, and words
    every error. `data`: the file's bytes, read already (`read_yaml_bytes`)."""
    text = decode_user_text(read_yaml_bytes(path) if data is None else data, location=str(path))
    try:
        return lined_yaml.parse(text, location=str(path))
    except lined_yaml.Unsupported:
        return parse_with_ruamel(text, path)


def parse_with_ruamel(text: str, path: Path) -> Any:
    """The reference reading of a file's text (slow: ruamel composes in pure Python)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    # ruamel composes in (recursive) Python: the depth limit must hold before it starts
    check_yaml_depth(text, location=str(path), always=True)
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = (err.problem or err.context or "invalid YAML").strip().splitlines()[0]
        raise UsageError(f"{problem}", location=f"{path}{line}") from None
    except YAMLError as err:
        raise UsageError(f"invalid YAML: {str(err).splitlines()[0]}", location=str(path)) from None


def check_catalog_place(path: Path) -> None:
    """A catalog path must resolve. A symlinked catalog is fine: the tree lives beside the path as given
    (fileset.state.tree_root), never beside the link's target."""
    try:
        path.resolve()
    except (RuntimeError, OSError):  # RuntimeError: pathlib's "Symlink loop"
        raise UsageError("cannot read: symlink loop", location=str(path)) from None


def load_catalog(path: Path) -> Catalog:
    """Reads and validates a catalog; raises UsageError with FILE:LINE on the first problem. The result of
    the same bytes is reused from an earlier run (rosgit.cache): ruamel's line-numbered parse is slow."""
    return catalog_of_bytes(path, read_catalog_bytes(path))


def catalog_of_bytes(path: Path, data: bytes) -> Catalog:
    """`load_catalog` of a catalog whose bytes were read already (`read_catalog_bytes`)."""
    return cache.file_memo("catalog", path, data, lambda: _load_catalog(path, data))


def _load_catalog(path: Path, data: bytes) -> Catalog:
    tree = parse_yaml(path, data)
    reader = Reader(path)
    if not isinstance(tree, dict):
        raise reader.fail(None, "the catalog must be a mapping")
    templates = tree.get("templates") or {}
    if not isinstance(templates, dict):
        raise reader.fail(_line(tree, "templates"), "templates: expected a mapping")
    _check_template_keys(templates, reader)
    components = tree.get("components")
    if isinstance(components, list):
        tree = _copy_map(tree)
        tree["components"] = _expand_templates(components, templates, reader)
    catalog = reader.read(Catalog, tree, 0, "catalog")
    validate_catalog(catalog, reader)
    return with_gateway_config(_with_topics(catalog))


def _with_topics(catalog: Catalog) -> Catalog:
    names = " ".join(topic.name for topic in catalog.topics)

    def expand(words: list[str] | None) -> list[str] | None:
        if words is None:
            return None
        return type(words)(word.replace(TOPICS_PLACEHOLDER, names) for word in words)

    def component(c: Component) -> Component:
        return dataclasses.replace(c, command=expand(c.command), args=expand(c.args))

    return dataclasses.replace(catalog, components=type(catalog.components)(map(component, catalog.components)))


def _check_template_keys(templates: dict[str, Any], reader: Reader) -> None:
    """A template's keys are a component's fields: a typo in a template no component extends yet would
    otherwise wait, unread, for the first component that does."""
    known = {f.metadata.get("key", camel(f.name)) for f in dataclasses.fields(Component)}
    for name, template in templates.items():
        if not isinstance(template, dict):
            continue  # _resolve_template names it when a component extends it
        for key in template:
            if key not in known:
                line = _line(template, key) if isinstance(key, str) else None
                raise reader.fail(line, unknown_key(f"templates.{name}", "field", str(key), known))


def _expand_templates(components: list[Any], templates: dict[str, Any], reader: Reader) -> list[Any]:
    expanded = LinedSeq()
    for index, node in enumerate(components):
        line = _item_line(components, index)
        if isinstance(node, dict) and "extends" in node:
            name = node["extends"]
            if name not in templates:
                raise reader.fail(_line(node, "extends"), f"components[{index}]: unknown template {name!r}")
            node = _merge(_resolve_template(name, templates, reader, ()), node)
        expanded.append(node)
        expanded.lc.add_idx_line_col(index, [line, 0])
    return expanded


def _resolve_template(name: str, templates: dict[str, Any], reader: Reader, chain: tuple[str, ...]) -> Any:
    """A template with everything it inherits through `extends` merged in (parents first)."""
    if name in chain:
        raise reader.fail(_line(templates, name), f"templates: extends cycle {' -> '.join((*chain, name))}")
    template = templates[name]
    if not isinstance(template, dict):
        raise reader.fail(_line(templates, name), f"templates.{name}: expected a mapping")
    parent = template.get("extends")
    if parent is None:
        return template
    if parent not in templates:
        raise reader.fail(_line(template, "extends"), f"templates.{name}: unknown template {parent!r}")
    return _merge(_resolve_template(parent, templates, reader, (*chain, name)), template)


def _merge(template: Any, component: Any) -> Any:
    merged = LinedMap()
    merged.lc.line = getattr(component.lc, "line", 0)
    for source in (template, component):
        for key, value in source.items():
            if key in _MERGED_LISTS and key in merged and isinstance(value, list):
                merged[key] = _merge_named_list(merged[key], value)
            elif key in _MERGED_MAPS and isinstance(merged.get(key), dict) and isinstance(value, dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
            merged.lc.add_kv_line_col(key, _kv_where(source, key))
    return merged


def _merge_named_list(base: list[Any], override: list[Any]) -> list[Any]:
    items: list[tuple[Any, Any]] = []
    for source in (base, override):
        for index, item in enumerate(source):
            key = item.get("name") if isinstance(item, dict) else None
            position = next((i for i, (k, _) in enumerate(items) if key is not None and k == key), None)
            entry = (key, (item, _idx_where(source, index)))
            if position is None:
                items.append(entry)
            else:
                items[position] = entry
    merged = LinedSeq()
    for index, (_, (item, where)) in enumerate(items):
        merged.append(item)
        merged.lc.add_idx_line_col(index, where)
    return merged


def _copy_map(node: Any) -> Any:
    copy = LinedMap()
    for key, value in node.items():
        copy[key] = value
        copy.lc.add_kv_line_col(key, _kv_where(node, key))
    return copy


def _kv_where(node: Any, key: Any) -> list[int]:
    data = getattr(getattr(node, "lc", None), "data", None) or {}
    return list(data.get(key, [0, 0, 0, 0]))


def _idx_where(node: Any, index: int) -> list[int]:
    data = getattr(getattr(node, "lc", None), "data", None) or {}
    return list(data.get(index, [0, 0]))


def _line(node: Any, key: str) -> int | None:
    try:
        return int(node.lc.key(key)[0])
    except (AttributeError, KeyError, TypeError):
        return None


def _item_line(node: Any, index: int) -> int:
    try:
        return int(node.lc.item(index)[0])
    except (AttributeError, KeyError, TypeError, IndexError):
        return 0
