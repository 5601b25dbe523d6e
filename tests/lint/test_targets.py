from __future__ import annotations

import pytest

from rosgit.catalog import load_catalog
from rosgit.errors import UsageError
from rosgit.lint.targets import resolve_targets
from tests.conftest import REPO_ROOT


def test_targets_default_to_every_catalog_overlay_and_accept_directories() -> None:
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    assert [t.name for t in resolve_targets(catalog, REPO_ROOT, [])] == [o.name for o in catalog.overlays]
    by_dir = resolve_targets(catalog, REPO_ROOT, [str(REPO_ROOT / "overlays/openshift-dev")])
    assert [(t.name, t.context.platform, t.context.namespace) for t in by_dir] == [
        ("openshift-dev", "openshift", "ros-ocp-dev")
    ]
    with pytest.raises(UsageError):
        resolve_targets(catalog, REPO_ROOT, ["missing"])


def test_a_directory_outside_the_catalog_has_no_platform(tmp_path) -> None:  # type: ignore[no-untyped-def]
    catalog = load_catalog(REPO_ROOT / "rosgit.yaml")
    [target] = resolve_targets(catalog, REPO_ROOT, [str(tmp_path)])
    assert target.context.platform is None and target.context.source == str(tmp_path)
