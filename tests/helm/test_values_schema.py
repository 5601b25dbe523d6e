"""values.schema.json: closed everywhere, accepts every values file, rejects typos (also in real helm)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from rosgit.catalog import Catalog
from rosgit.helm.values import default_values
from rosgit.helm.values_schema import values_schema
from tests.helm.conftest import helm


def _objects(schema: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            found.append(schema)
        for value in schema.values():
            found += _objects(value)
    elif isinstance(schema, list):
        for item in schema:
            found += _objects(item)
    return found


def _merged(chart: Path, *names: str) -> dict[str, Any]:
    values: dict[str, Any] = yaml.safe_load((chart / "values.yaml").read_text())

    def merge(into: dict[str, Any], other: dict[str, Any]) -> None:
        for key, value in other.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = value

    for name in names:
        merge(values, yaml.safe_load((chart / name).read_text()))
    return values


def test_every_object_is_closed(catalog: Catalog) -> None:
    objects = _objects(values_schema(default_values(catalog)))
    assert len(objects) > 40
    assert all(o.get("additionalProperties") is False for o in objects)


@pytest.mark.parametrize("files", [(), ("values-dev.yaml",), ("values-prod.yaml", "values-openshift.yaml")])
def test_values_files_validate(chart_dir: Path, files: tuple[str, ...]) -> None:
    schema = json.loads((chart_dir / "values.schema.json").read_text())
    jsonschema.validate(_merged(chart_dir, *files), schema)


def test_typo_and_bad_quantity_rejected(chart_dir: Path) -> None:
    schema = json.loads((chart_dir / "values.schema.json").read_text())
    values = _merged(chart_dir)
    values["koku"]["api"]["reads"]["replicaz"] = 3
    with pytest.raises(jsonschema.ValidationError, match="replicaz"):
        jsonschema.validate(values, schema)
    values = _merged(chart_dir)
    values["trino"]["worker"]["resources"]["limits"]["memory"] = "lots"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(values, schema)


@pytest.mark.tools
@pytest.mark.parametrize("binary", ["helm", "helm3"])
def test_real_helm_rejects_typo_in_values_file(chart_dir: Path, tmp_path: Path, binary: str) -> None:
    typo = tmp_path / "values-typo.yaml"
    typo.write_text("koku:\n  celery:\n    workers:\n      priorityXL:\n        replicas: 2\n")
    proc = helm(binary, "template", "ros-ocp", str(chart_dir), "-f", str(typo))
    assert proc.returncode != 0
    assert "priorityXL" in proc.stderr and "additional properties" in proc.stderr
