"""The catalog's own queries: an overlay's namespace and destination fall back to the project's, and the
Secrets a platform reads are exactly those its enabled components reference."""

from __future__ import annotations

from dataclasses import replace

from rosgit.catalog import load_catalog
from tests.conftest import REPO_ROOT

CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")


def test_namespace_and_destination_fall_back_to_the_project() -> None:
    overlay = CATALOG.overlays[0]
    bare = replace(overlay, namespace=None, destination_server=None)
    assert CATALOG.namespace_of(bare) == CATALOG.project.namespace
    assert CATALOG.destination_of(bare) == CATALOG.project.destination_server
    own = replace(overlay, namespace="elsewhere", destination_server="https://other.example:6443")
    assert CATALOG.namespace_of(own) == "elsewhere"
    assert CATALOG.destination_of(own) == "https://other.example:6443"


def test_secrets_read_on_a_platform_are_the_referenced_ones_sorted() -> None:
    for platform in CATALOG.platforms:
        expected: set[str] = set()
        for component in CATALOG.components:
            if not component.enabled or platform not in component.platforms:
                continue
            expected |= {var.secret.name for var in component.env if var.secret is not None}
            expected |= {volume.secret for volume in component.volumes if volume.secret}
        assert CATALOG.secrets_read_on(platform) == sorted(expected)
        assert expected, f"{platform}: the repository catalog reads Secrets on every platform"
    disabled = replace(CATALOG, components=[replace(c, enabled=False) for c in CATALOG.components])
    assert disabled.secrets_read_on("kubernetes") == []


def test_integers_are_plain_ints_even_zero() -> None:
    # ruamel reads `0` as its ScalarInt, which the generated YAML cannot represent (koku's runAsGroup: 0)
    koku = CATALOG.component("koku-api-reads")
    assert koku is not None
    assert type(koku.run_as_group) is int and koku.run_as_group == 0
