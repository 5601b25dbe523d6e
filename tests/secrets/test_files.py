"""SealedSecret files: kubeseal's object shape, scope annotations, the sealed header, parsing errors."""

from __future__ import annotations

import pytest

from rosgit.errors import UsageError
from rosgit.fileset.text import is_generated, yaml_file
from rosgit.k8s.sealedsecret import CLUSTER_WIDE, NAMESPACE_WIDE, scope_of, sealed_secret_object
from rosgit.secrets.files import SEALED_HEADER, parse_sealed_file, sealed_file_text


def _obj(scope: str = "strict") -> dict[str, object]:
    return sealed_secret_object(
        name="s",
        namespace="ns",
        labels={"a": "b"},
        annotations={"x": "y", "rosgit.io/sealed-value-fingerprints": '{"k":"t:h"}'},
        encrypted={"k": "AgB=", "a": "AgC="},
        scope=scope,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("scope", "annotation"), [("namespace-wide", NAMESPACE_WIDE), ("cluster-wide", CLUSTER_WIDE)]
)
def test_scope_annotations_on_object_and_template(scope: str, annotation: str) -> None:
    obj = _obj(scope)
    assert obj["metadata"]["annotations"][annotation] == "true"  # type: ignore[index]
    assert obj["spec"]["template"]["metadata"]["annotations"] == {annotation: "true"}  # type: ignore[index]
    assert scope_of(obj["metadata"]["annotations"]) == scope  # type: ignore[index,arg-type]


def test_sealed_text_is_not_generated_and_parses_back() -> None:
    text = sealed_file_text(_obj())
    assert text.startswith(SEALED_HEADER + "\n") and not is_generated(text)
    parsed = parse_sealed_file("overlays/o/sealed-secrets/s.yaml", text)
    assert parsed.state == "sealed" and parsed.scope == "strict"
    assert list(parsed.encrypted) == ["a", "k"]  # sorted: stable files
    assert parsed.fingerprints == {"k": "t:h"}
    assert (parsed.name, parsed.namespace, parsed.template_name, parsed.template_namespace) == (
        "s",
        "ns",
        "s",
        "ns",
    )


def test_stub_and_foreign_files() -> None:
    assert parse_sealed_file("x.yaml", yaml_file(_obj())).state == "stub"
    assert parse_sealed_file("x.yaml", "apiVersion: v1\nkind: Secret\n").state == "foreign"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a: [\n", "invalid YAML"),
        ("kind: ConfigMap\n", "exactly one SealedSecret"),
        ("kind: SealedSecret\nspec: {encryptedData: {k: 1}}\n", "base64 strings"),
        (
            "kind: SealedSecret\nmetadata: {annotations: {rosgit.io/sealed-value-hmacs: nope}}\n",
            "JSON object",
        ),
        (
            "kind: SealedSecret\nmetadata: {annotations: {rosgit.io/sealed-value-fingerprints: '[1]'}}\n",
            "JSON object",
        ),
    ],
)
def test_malformed_sealed_files(body: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as err:
        parse_sealed_file("f.yaml", f"{SEALED_HEADER}\n{body}")
    assert str(err.value.location).startswith("f.yaml")
