"""Each defect class gives its exact one-line report and exit code 1, with either validator.

Run in-process through the same function the CLI calls (the CLI itself is covered in test_cli.py).
"""

from __future__ import annotations

import pytest

from rosgit.validate.command import run_validate
from tests.conftest import require_real_tool
from tests.validate.conftest import CORPUS


def _corpus(name: str) -> str:
    return str(CORPUS / name)


@pytest.fixture(params=["kubeconform", "builtin"])
def validator(request: pytest.FixtureRequest) -> str:
    if request.param == "kubeconform":
        require_real_tool("kubeconform")
    return str(request.param)


@pytest.mark.parametrize(
    ("name", "line"),
    [
        (
            "invalid-unknown-field-typo.yaml",
            "{f}:3 - Deployment/typo is invalid: /spec/template/spec/containers/0: "
            "additional properties 'imagePullPolice' not allowed",
        ),
        (
            "invalid-wrong-type.yaml",
            "{f}:3 - Deployment/wrong-type is invalid: /spec/replicas: "
            "got string, want null or integer",
        ),
        (
            "invalid-missing-required.yaml",
            "{f}:3 - Pod/no-container-name is invalid: /spec/containers/0: "
            "missing property 'name'",
        ),
        (
            "invalid-int-or-string.yaml",
            "{f}:3 - Service/bad-port is invalid: /spec/ports/0/targetPort: "
            "oneOf failed, none matched",
        ),
        (
            "invalid-application-typo.yaml",
            "{f}:3 - Application/typo is invalid: /spec/source: additional properties 'pathh' not allowed",
        ),
        (
            "invalid-servicemonitor.yaml",
            "{f}:3 - ServiceMonitor/typo is invalid: /spec/endpoints/0: additional properties 'intervall' not allowed",
        ),
        (
            "invalid-sealedsecret.yaml",
            "{f}:3 - SealedSecret/no-data is invalid: /spec: additional properties 'encrypteddata' not allowed; "
            "/spec: missing property 'encryptedData'",
        ),
    ],
)
def test_invalid_resource_line_and_exit_1(
    validator: str, name: str, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _corpus(name)
    assert run_validate([path], validator=validator) == 1
    assert capsys.readouterr().out.splitlines() == [
        line.format(f=path),
        "Summary: 1 resource found in 1 file - Valid: 0, Invalid: 1, Errors: 0, Skipped: 0",
    ]


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        (
            "error-duplicate-keys.yaml",
            ["{f}:8 - failed validation: malformed YAML: "
            "duplicate key 'key' (first at line 7)"],
        ),
        ("error-missing-kind.yaml", ["{f}:2 - failed validation: missing 'kind' key"]),
        (
            "error-missing-apiversion.yaml",
            ["{f}:2 - ConfigMap/versionless failed validation: "
            "missing 'apiVersion' key"],
        ),
        ("error-unknown-crd.yaml", ["{f}:2 - Widget/unknown failed validation: could not find schema for Widget"]),
        ("error-not-a-mapping.yaml", ["{f}:2 - failed validation: document is a list, not a mapping of fields"]),
        (
            "error-duplicate-objects.yaml",
            [
                "{f}:8 - ConfigMap/settings failed validation: "
                "duplicate object: ConfigMap/settings already defined at {f}:2"
            ],
        ),
        (
            "error-malformed.yaml",
            [
                "{f}:12 - failed validation: "
                "malformed YAML: while parsing a flow sequence did not find expected ',' or ']'"
            ],
        ),
    ],
)
def test_unvalidatable_document_line_and_exit_1(
    validator: str, name: str, lines: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _corpus(name)
    assert run_validate([path], validator=validator) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:-1] == [line.format(f=path) for line in lines]
    assert "Errors: 1," in out[-1]


