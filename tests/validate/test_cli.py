"""`rosgit validate` and `rosgit schemas add-crd` as a user runs them: exact lines and exit codes.

Exit codes: 0 all valid, 1 something invalid or unvalidatable, 2 usage error (one line on stderr).
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from rosgit.validate.command import run_add_crd, run_validate
from tests.conftest import require_real_tool, run_rosgit
from tests.validate.conftest import CORPUS

VALIDATORS = ["kubeconform", "builtin"]


def _corpus(name: str) -> str:
    return str(CORPUS / name)


@pytest.fixture(params=VALIDATORS)
def validator(request: pytest.FixtureRequest) -> str:
    if request.param == "kubeconform":
        require_real_tool("kubeconform")
    return str(request.param)


def test_invalid_and_error_exit_1_in_a_real_process(validator: str) -> None:
    typo, kindless = _corpus("invalid-unknown-field-typo.yaml"), _corpus("error-missing-kind.yaml")
    proc = run_rosgit("validate", "--validator", validator, typo, kindless)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines() == [
        f"{typo}:3 - Deployment/typo is invalid: /spec/template/spec/containers/0: "
        "additional properties 'imagePullPolice' not allowed",
        f"{kindless}:2 - failed validation: missing 'kind' key",
        "Summary: 2 resources found in 2 files - Valid: 0, Invalid: 1, Errors: 1, Skipped: 0",
    ]


def test_ignore_missing_schemas_skips_and_passes(validator: str) -> None:
    crd = _corpus("error-unknown-crd.yaml")
    proc = run_rosgit("validate", "--validator", validator, "--ignore-missing-schemas", crd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        "Summary: 1 resource found in 1 file - Valid: 0, Invalid: 0, Errors: 0, Skipped: 1"
    ]


def test_stdin_and_verbose() -> None:
    text = Path(_corpus("valid-configmap-list.yaml")).read_text(encoding="utf-8")
    proc = run_rosgit("validate", "--validator", "builtin", "-v", "-", input_text=text)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "stdin:2 - ConfigMap/first is valid",
        "stdin:2 - ConfigMap/second is valid",
        "Summary: 2 resources found parsing stdin - Valid: 2, Invalid: 0, Errors: 0, Skipped: 0",
    ]


def test_json_output(validator: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = _corpus("invalid-wrong-type.yaml")
    assert run_validate([path, _corpus("valid-route.yaml")], validator=validator, output="json") == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["summary"] == {"valid": 1, "invalid": 1, "errors": 0, "skipped": 0}
    assert payload["validator"] == validator and payload["kubernetesVersion"] == "1.33.0"
    [entry] = payload["resources"]
    assert entry["filename"] == path and entry["line"] == 3
    assert (entry["kind"], entry["name"], entry["version"], entry["status"]) == (
        "Deployment", "wrong-type", "apps/v1", "statusInvalid",
    )
    assert entry["validationErrors"] == [{"path": "/spec/replicas", "msg": "got string, want null or integer"}]


def test_junit_output_is_xml_with_counts() -> None:
    proc = run_rosgit(
        "validate", "--validator", "builtin", "-o", "junit",
        _corpus("invalid-wrong-type.yaml"), _corpus("error-missing-kind.yaml"), _corpus("valid-route.yaml"),
    )
    assert proc.returncode == 1
    root = ElementTree.fromstring(proc.stdout)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("disabled")) == ("3", "1", "1", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        _corpus("invalid-wrong-type.yaml"), _corpus("error-missing-kind.yaml"), _corpus("valid-route.yaml"),
    ]
    failure = suites[0].find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == "/spec/replicas: got string, want null or integer"
    assert suites[0].find("testcase").get("classname") == "Deployment@apps/v1"  # type: ignore[union-attr]


def test_tap_output() -> None:
    valid, invalid = _corpus("valid-route.yaml"), _corpus("invalid-kind-case.yaml")
    proc = run_rosgit("validate", "--validator", "builtin", "-o", "tap", valid, invalid)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "TAP version 13",
        f"ok 1 - {valid}:2 (route.openshift.io/v1/Route/demo/web)",
        f"not ok 2 - {invalid}:3 (v1/configmap//lower-kind): /kind: value must be 'ConfigMap'",
        "1..2",
    ]


def test_kubernetes_version_flag() -> None:
    path = _corpus("valid-deployment.yaml")
    assert run_rosgit("validate", "--validator", "builtin", "--kubernetes-version", "1.30", path).returncode == 0
    proc = run_rosgit("validate", "--kubernetes-version", "1.7", path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("rosgit: no Kubernetes schemas for version '1.7'; available: 1.25, ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate"], "rosgit: nothing to validate: give an overlay directory, a YAML file or - for stdin"),
        (["validate", "no/such/file.yaml"], "rosgit: no/such/file.yaml: no such file or directory"),
        (
            ["validate",
            "-o", "xml", "rosgit.yaml"], "rosgit: "
            "unknown output format 'xml'; choose one of text, json, junit, tap",
        ),
        (
            ["validate",
            "--validator", "kubeval", "rosgit.yaml"], "rosgit: "
            "unknown validator 'kubeval'; choose one of auto, kubeconform, builtin",
        ),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    proc = run_rosgit(*args)
    assert proc.returncode == 2
    assert proc.stderr.strip() == message
    assert proc.stdout == ""


def test_user_crd_added_with_schemas_add_crd_is_used(
    tmp_path: Path, validator: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rosgit.yaml").write_text("# project root marker\n", encoding="utf-8")
    (tmp_path / "widgets.yaml").write_text(WIDGET_CRD, encoding="utf-8")
    (tmp_path / "good.yaml").write_text(WIDGET.format(extra=""), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(WIDGET.format(extra="  colour: red\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert run_validate(["good.yaml"], validator=validator) == 1
    assert "could not find schema for Widget" in capsys.readouterr().out

    added = run_rosgit("schemas", "add-crd", "widgets.yaml", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    written = tmp_path / "schemas" / "crds" / "example.com" / "widget_v1.json"
    assert added.stdout.splitlines() == [f"wrote {written}"]
    schema = json.loads(written.read_text(encoding="utf-8"))
    assert schema["properties"]["spec"]["additionalProperties"] is False

    assert run_validate(["good.yaml"], validator=validator) == 0
    assert run_validate(["bad.yaml"], validator=validator) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-2] == "bad.yaml:1 - Widget/w is invalid: /spec: additional properties 'colour' not allowed"
    # Converting again gives the same bytes: the file can be committed.
    first = written.read_bytes()
    assert run_add_crd([Path("widgets.yaml")]) == [written]
    assert written.read_bytes() == first


def test_add_crd_refuses_a_non_crd_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "rosgit.yaml").write_text("", encoding="utf-8")
    (tmp_path / "widgets.yaml").write_text(WIDGET_CRD, encoding="utf-8")
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", encoding="utf-8")
    proc = run_rosgit("schemas", "add-crd", "widgets.yaml", "cm.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "rosgit: cm.yaml: no CustomResourceDefinition found"
    assert not (tmp_path / "schemas").exists()


def test_add_crd_reports_a_broken_schema(tmp_path: Path) -> None:
    (tmp_path / "rosgit.yaml").write_text("", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(WIDGET_CRD.replace("type: integer", "type: 7"), encoding="utf-8")
    proc = run_rosgit("schemas", "add-crd", "bad.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        "rosgit: bad.yaml: Widget v1: openAPIV3Schema is not a valid JSON schema at "
        "properties/spec/properties/size/type:"
    )
    assert not (tmp_path / "schemas").exists()


WIDGET = """apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  size: 3
{extra}"""

WIDGET_CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size:
                  type: integer
"""
