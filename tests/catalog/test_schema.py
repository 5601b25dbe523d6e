"""The catalog's JSON Schema and reference page come from the typed model; a typo anywhere is refused by both
the schema (what an editor shows) and the loader (FILE:LINE with a "did you mean")."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from rosgit.catalog.json_schema import EDITOR_LINE, SCHEMA_FILE, catalog_schema, reference_markdown
from rosgit.catalog.model import Catalog
from rosgit.catalog.schema import camel
from tests.catalog.refusal import assert_generate_refuses
from tests.conftest import REPO_ROOT, run_rosgit

CATALOG = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")


def _validator() -> jsonschema.Draft202012Validator:
    schema = catalog_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


Path_ = tuple[str | int, ...]


def _keys(node: Any, path: Path_ = ()) -> list[Path_]:
    """Every mapping key of a document, as a path of keys and list indices."""
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in ((*path, key), *_keys(value, (*path, key)))]
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in _keys(item, (*path, i))]
    return []


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _object_at(schema: dict[str, Any], path: Path_) -> dict[str, Any]:
    """The schema of the mapping at `path` (the object branch of an anyOf: a list or one item)."""
    node = _resolve(schema, schema)
    for part in path:
        branches = [_resolve(schema, b) for b in node.get("anyOf", [node])]
        node = next(b for b in branches if b.get("type") == ("array" if isinstance(part, int) else "object"))
        if isinstance(part, int):
            node = _resolve(schema, node["items"])
        elif part in node.get("properties", {}):
            node = _resolve(schema, node["properties"][part])
        else:
            node = _resolve(schema, node["additionalProperties"])
    branches = [_resolve(schema, b) for b in node.get("anyOf", [node])]
    return next(b for b in branches if b.get("type") == "object")


def test_the_default_catalog_validates_key_by_key() -> None:
    document = yaml.safe_load(CATALOG)
    validator = _validator()
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    # every key is allowed by name, not by an open object somewhere above it: renamed, each key of a fixed
    # object must make the catalog invalid (one probe per position: list items share their schema). The keys
    # of maps whose keys the user names (images, profiles, size classes) are what the schema itself says are
    # free: an object schema without `properties`, so a section added to the model needs no edit here.
    schema = catalog_schema()
    positions: dict[tuple[object, ...], Path_] = {}
    for path in _keys(document):
        positions.setdefault(tuple("[]" if isinstance(p, int) else p for p in path), path)
    open_keys, probed = [], 0
    for path in positions.values():
        if "properties" not in _object_at(schema, path[:-1]):
            continue
        probed += 1
        node = document
        for part in path[:-1]:
            node = node[part]
        node["rosgitNoSuchKey"] = node.pop(path[-1])
        if validator.is_valid(document):
            open_keys.append(path)
        node[path[-1]] = node.pop("rosgitNoSuchKey")
    assert open_keys == []
    assert probed > 150


@pytest.mark.parametrize(
    ("old", "new", "marker", "schema_path", "reason"),
    [
        ("    scalable: true\n    command: [/bin/sh, -c, ./rosocp start api]",
         "    scalable: true\n    comand: [/bin/sh, -c, ./rosocp start api]", "comand:", "$.components[",
         r"unknown field 'comand'; did you mean 'command'\?"),
        ("  dev:\n    description: shared development clusters\n",
         "  dev:\n    descripton: shared development clusters\n", "descripton:", "$.profiles.dev",
         r"unknown field 'descripton'; did you mean 'description'\?"),
        ("    size: ros-app\n", "    size: ros-app\n    replicsa: 2\n", "replicsa:", "$.templates",
         r"templates\.\w+: unknown field 'replicsa'; did you mean 'replicas'\?"),
        ("\nplatforms:\n  kubernetes:", "\nplatforms:\n  kubernets:", "kubernets:", "$.platforms",
         r"unknown key 'kubernets'; did you mean 'kubernetes'\?"),
    ],
    ids=["component-field", "profile-field", "template-field", "platform-key"],
)
def test_a_typo_is_refused_by_the_schema_and_the_loader(
    tmp_path: Path, old: str, new: str, marker: str, schema_path: str, reason: str
) -> None:
    assert CATALOG.count(old) >= 1
    text = CATALOG.replace(old, new, 1)
    errors = list(_validator().iter_errors(yaml.safe_load(text)))
    assert errors and any(e.json_path.startswith(schema_path) for e in errors), [e.message for e in errors]
    assert_generate_refuses(tmp_path, text, marker, reason)


def test_a_misspelt_size_class_is_refused_with_the_closest_one(tmp_path: Path) -> None:
    # the case: prod's `koku-wrker:` would leave the workers at the inherited size, silently
    prod = "  prod:\n"
    assert prod in CATALOG
    at = CATALOG.index("    sizes:\n", CATALOG.index(prod))
    typo = "      koku-wrker: {requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 2, memory: 2Gi}}\n"
    text = CATALOG[:at] + "    sizes:\n" + typo + CATALOG[at + len("    sizes:\n"):]
    assert_generate_refuses(
        tmp_path, text, "koku-wrker:", r"profile 'prod': sizes: unknown size class 'koku-wrker'; "
        r"did you mean 'koku-worker'\?",
    )


def test_the_schema_covers_every_field_of_the_model() -> None:
    # generated from the model: every dataclass field reachable from Catalog is a property of its object
    schema = catalog_schema()
    seen: set[type] = set()

    def walk(cls: type) -> None:
        if cls in seen:
            return
        seen.add(cls)
        name = "Catalog" if cls is Catalog else cls.__name__
        properties = schema["properties"] if cls is Catalog else schema["$defs"][name]["properties"]
        for f in dataclasses.fields(cls):
            assert f.metadata.get("key", camel(f.name)) in properties, (name, f.name)
        for hint in typing.get_type_hints(cls).values():
            nested = [a for h in typing.get_args(hint) for a in typing.get_args(h)]
            for inner in (hint, *typing.get_args(hint), *nested):
                if dataclasses.is_dataclass(inner) and isinstance(inner, type):
                    walk(inner)

    walk(Catalog)
    assert len(seen) > 20


def test_schema_command_and_committed_files_are_the_model() -> None:
    printed = run_rosgit("schema", "catalog")
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == catalog_schema()
    assert (REPO_ROOT / SCHEMA_FILE).read_text(encoding="utf-8") == printed.stdout, \
        "run: rosgit schema catalog > rosgit.schema.json"
    assert (REPO_ROOT / "docs/catalog-reference.md").read_text(encoding="utf-8") == reference_markdown(), \
        "run: rosgit schema catalog -o markdown > docs/catalog-reference.md"
    assert run_rosgit("schema", "catalog", "-o", "markdown").stdout == reference_markdown()


def test_init_writes_the_editor_line_and_the_schema_beside_the_catalog(tmp_path: Path) -> None:
    result = run_rosgit("init", "--catalog", str(tmp_path / "rosgit.yaml"))
    assert result.returncode == 0, result.stderr
    catalog = (tmp_path / "rosgit.yaml").read_text(encoding="utf-8")
    assert catalog.splitlines()[0] == EDITOR_LINE
    assert json.loads((tmp_path / SCHEMA_FILE).read_text(encoding="utf-8")) == catalog_schema()
