"""Keys another system owns on a platform (`externalOn`: the ODF account's S3 keys on OpenShift) are never drawn
at random by the chart there: an installer provides them, or the render fails naming the setting."""

from __future__ import annotations

import base64

import pytest

from rosgit.catalog import Catalog, load_catalog
from rosgit.errors import RosgitError
from rosgit.helm.equivalence import overlay_values, render_chart
from rosgit.k8s.objects import load_objects
from tests.conftest import REPO_ROOT, require_real_tool

CHART = REPO_ROOT / "charts" / "ros-ocp"
SECRET = "object-storage-credentials"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REPO_ROOT / "rosgit.yaml")


def _render(catalog: Catalog, overlay: str, settings: list[str]) -> list[dict[str, object]]:
    require_real_tool("helm")
    spec = catalog.overlay(overlay)
    assert spec is not None
    text = render_chart(CHART, catalog.namespace_of(spec), overlay_values(CHART, spec), settings=settings)
    return load_objects(text)


def _data(objects: list[dict[str, object]]) -> dict[str, str]:
    secret = next(o for o in objects if o.get("kind") == "Secret" and o["metadata"]["name"] == SECRET)  # type: ignore[index]
    return {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}  # type: ignore[union-attr,index]


def test_openshift_without_the_platform_account_fails_naming_the_setting(catalog: Catalog) -> None:
    with pytest.raises(RosgitError) as failure:
        _render(catalog, "openshift-minimal", [])
    assert "secrets.objectStorageCredentials.provided.access-key" in str(failure.value)


def test_openshift_uses_the_provided_keys(catalog: Catalog) -> None:
    keys = {"access-key": "ODF-ACCOUNT-KEY", "secret-key": "odf-account-secret-value"}
    settings = [f"secrets.objectStorageCredentials.provided.{k}={v}" for k, v in keys.items()]
    assert _data(_render(catalog, "openshift-minimal", settings)) == keys


def test_kubernetes_still_generates_them(catalog: Catalog) -> None:
    first, second = (_data(_render(catalog, "minimal", [])) for _ in range(2))
    assert set(first) == {"access-key", "secret-key"}
    assert first != second, "a fresh install draws new random keys (MinIO's root account is ours)"
