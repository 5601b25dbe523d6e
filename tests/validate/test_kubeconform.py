"""Running the real kubeconform: offline arguments, result mapping, and reading its error tree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rosgit.validate import kubeconform
from rosgit.validate.builtin import validate_object
from rosgit.validate.core import validate
from rosgit.validate.inputs import parse_stream
from rosgit.validate.schemas import schema_set
from tests.conftest import require_real_tool

NESTED = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "x", "labels": {"a": 1}},
    "spec": {
        "replicas": "3",
        "selector": {"matchLabels": {"a": "b"}},
        "template": {"spec": {"containers": [
            {"name": "c", "image": "i", "ports": [{"containerPort": "80"}], "resources": {"limits": {"cpu": True}}},
            {"image": "no-name"},
        ]}},
    },
}


def test_command_is_strict_json_and_local_only() -> None:
    argv = kubeconform.command(Path("/bin/kubeconform"), ["/a/{{.ResourceKind}}.json"])
    assert argv[:3] == ["/bin/kubeconform", "-strict", "-output"]
    assert argv[argv.index("-output") + 1] == "json"
    assert argv[argv.index("-schema-location") + 1] == "/a/{{.ResourceKind}}.json"
    assert not any(arg.startswith("http") for arg in argv)


def test_leaves_of_a_nested_error_tree_match_the_builtin_validator() -> None:
    binary = require_real_tool("kubeconform")
    schemas = schema_set("1.33")
    schema = schemas.locate("Deployment", "apps/v1")
    assert schema is not None
    [result] = kubeconform.run(binary, [json.dumps(NESTED)], schemas.kubeconform_locations())
    assert result.status == "invalid"
    assert "validation failed" not in [e.message for e in result.errors]
    assert list(result.errors) == validate_object(NESTED, schema)
    paths = [e.path for e in result.errors]
    assert "/spec/template/spec/containers/0/resources/limits/cpu" in paths  # the oneOf node, not its branches
    assert paths.count("/spec/template/spec/containers/0/resources/limits/cpu") == 1


def test_results_map_back_to_objects_in_order() -> None:
    binary = require_real_tool("kubeconform")
    schemas = schema_set("1.33")
    assert schemas.locate("ConfigMap", "v1") is not None  # converts the schema kubeconform will read
    objects = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}"}, "data": {"k": i if i % 3 else "s"}}
        for i in range(12)
    ]
    results = kubeconform.run(binary, [json.dumps(o) for o in objects], schemas.kubeconform_locations())
    assert [r.status for r in results] == ["valid" if i % 3 == 0 else "invalid" for i in range(12)]


def _config_map(name: Any, namespace: str | None = None, data: Any = "v", **metadata: Any) -> dict[str, Any]:
    meta = {"name": name, **({"namespace": namespace} if namespace else {}), **metadata}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": data}}


# (object, the status kubeconform gives it alone)
SIGNATURE_CASES = [
    (_config_map("cm", "a"), "valid"),
    (_config_map("cm", "b", data=1), "invalid"),  # the same report name as the one before and after
    (_config_map("cm", "c"), "valid"),
    (_config_map("cm", "d", data=2), "invalid"),
    (_config_map(7), "invalid"),  # a name that is no string: the report names it ""
    (_config_map(8, data=3), "invalid"),
    (_config_map("", data=4), "invalid"),
    (_config_map(None, generateName="gen-"), "valid"),  # reported as gen-{{ generateName }}
    (_config_map(None, generateName="gen-", data=5), "invalid"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}, "Metadata": {"name": "n"}}, "invalid"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "k"}, "KIND": "Secret"}, "invalid"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ok", "namespace": 3}}, "invalid"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ok2"}, "data": {"x": "y"}}, "valid"),
]


def test_results_map_back_to_objects_that_share_a_report_name_or_have_none() -> None:
    """kubeconform names a result by file, apiVersion, kind and metadata.name only: objects it would name
    alike (other namespaces, a name that is no string, generateName, keys Go's JSON decoding folds together)
    still get their own verdict, the one each gets alone."""
    binary = require_real_tool("kubeconform")
    schemas = schema_set("1.33")
    assert schemas.locate("ConfigMap", "v1") is not None
    objects = [obj for obj, _ in SIGNATURE_CASES]
    alone = [kubeconform.run(binary, [json.dumps(o)], schemas.kubeconform_locations())[0] for o in objects]
    assert [r.status for r in alone] == [status for _, status in SIGNATURE_CASES]
    for given in (objects, None):
        together = kubeconform.run(
            binary, [json.dumps(o) for o in objects], schemas.kubeconform_locations(), objects=given
        )
        assert together == alone


def test_objects_kubeconform_names_apart_share_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file per object costs a file creation and an open each (a third of validation's own time on an
    overlay of 150 objects): objects kubeconform's report tells apart share files."""
    binary = require_real_tool("kubeconform")
    schemas = schema_set("1.33")
    assert schemas.locate("ConfigMap", "v1") is not None
    read: list[list[str]] = []
    real_run_tool = kubeconform.run_tool

    def recording(tool: Any, args: list[str], *, cwd: Path | None = None) -> Any:
        read.append([arg for arg in args if arg.endswith(".json") and "{{" not in arg])
        return real_run_tool(tool, args, cwd=cwd)

    monkeypatch.setattr(kubeconform, "run_tool", recording)
    objects = [_config_map(f"cm{i}", "a" if i % 2 else "b") for i in range(40)] + [_config_map("cm1", "c")]
    results = kubeconform.run(binary, [json.dumps(o) for o in objects], schemas.kubeconform_locations())
    assert [r.status for r in results] == ["valid"] * len(objects)
    assert len(read) == 1 and len(read[0]) == 2  # cm1 twice: the second cm1 in a second file


def test_a_schema_kubeconform_cannot_compile_is_an_error_for_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_real_tool("kubeconform")
    (tmp_path / "rosgit.yaml").write_text("", encoding="utf-8")
    broken = tmp_path / "schemas" / "crds" / "example.com" / "gadget_v1.json"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"type": 7}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    docs = parse_stream("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n", source="g.yaml")
    for validator in ("kubeconform", "builtin"):
        [result] = validate(docs, validator=validator).results
        assert result.status == "error", validator
        assert result.message.startswith(f"cannot load the schema {broken} for Gadget"), result.message


def test_leaf_errors_parser_handles_quotes_in_paths() -> None:
    message = (
        "problem validating schema. Check JSON formatting: jsonschema validation failed with 'file:///s.json#' "
        "- at '/metadata/annotations/it\\'s': got number, want string "
        "- at '/spec': validation failed   - at '/spec/x': oneOf failed, none matched"
        "     - at '/spec/x': got boolean, want string"
    )
    leaves = kubeconform.leaf_errors(message)
    assert [(e.path, e.message) for e in leaves] == [
        ("/metadata/annotations/it's", "got number, want string"),
        ("/spec/x", "oneOf failed, none matched"),
    ]
