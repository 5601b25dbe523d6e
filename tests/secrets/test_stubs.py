"""stub_findings building blocks: ciphertext shape and the binding of built SealedSecrets."""

from __future__ import annotations

import base64

from rosgit.catalog.model import OverlaySpec
from rosgit.secrets.stubs import built_binding_findings, ciphertext_problem


def test_ciphertext_shape() -> None:
    good = base64.b64encode((512).to_bytes(2, "big") + bytes(512) + bytes(20)).decode()
    assert ciphertext_problem(good) is None
    assert ciphertext_problem("not-sealed:run-rosgit-seal") == "is not base64"
    assert "layout" in str(ciphertext_problem(base64.b64encode(b"\x00\x10abc").decode()))


def _sealed(namespace: str, template_namespace: str) -> dict[str, object]:
    return {
        "kind": "SealedSecret",
        "metadata": {"name": "s", "namespace": namespace},
        "spec": {"template": {"metadata": {"name": "s", "namespace": template_namespace}}},
    }


def test_built_binding() -> None:
    overlay = OverlaySpec(name="prod", profile="prod", platform="kubernetes")
    assert built_binding_findings(overlay, "ns", [_sealed("ns", "ns")]) == []
    moved = built_binding_findings(overlay, "ns", [_sealed("other", "other")])
    assert [f.id for f in moved] == ["ROS503"] and "overlay namespace" in moved[0].message
    split = built_binding_findings(overlay, "ns", [_sealed("ns", "old")])
    assert [f.id for f in split] == ["ROS503"] and "spec.template.metadata.namespace" in split[0].message
