"""Checks on the promotion stages (`environments:`): every overlay in at most one, image pins the overlays
and the chart can both carry."""

from __future__ import annotations

from rosgit.catalog.model import Catalog
from rosgit.catalog.schema import Reader, split_image_ref


def check_environments(catalog: Catalog, reader: Reader) -> None:
    owner: dict[str, str] = {}
    overridden = {
        key for platform in catalog.platforms.values() for pair in platform.image_overrides.items() for key in pair
    }
    repositories: dict[str, list[str]] = {}
    for key, ref in catalog.images.items():
        repositories.setdefault(split_image_ref(ref)[0], []).append(key)
    for name, environment in catalog.environments.items():
        where = f"catalog.environments.{name}"
        line = reader.line_of(environment)
        for overlay in environment.overlays:
            if catalog.overlay(overlay) is None:
                known = ", ".join(o.name for o in catalog.overlays)
                raise reader.fail(line, f"environment {name!r}: unknown overlay {overlay!r} (overlays: {known})")
            if overlay in owner:
                raise reader.fail(
                    line, f"environment {name!r}: overlay {overlay!r} is already in environment {owner[overlay]!r}"
                )
            owner[overlay] = name
        for key in environment.images:
            at = reader.line_at(f"{where}.images.{key}") or line
            if key not in catalog.images:
                raise reader.fail(at, f"environment {name!r}: unknown image {key!r} (not in images:)")
            if key in overridden:
                raise reader.fail(
                    at,
                    f"environment {name!r}: image {key!r} is replaced per platform (imageOverrides); pin the "
                    "image each platform runs in images: instead",
                )
            if len(repositories[split_image_ref(catalog.images[key])[0]]) > 1:
                raise reader.fail(
                    at,
                    f"environment {name!r}: image {key!r} shares its repository with "
                    f"{', '.join(sorted(repositories[split_image_ref(catalog.images[key])[0]]))}; kustomize's "
                    "images: would retag them all",
                )
    _check_profiles_agree(catalog, reader)


def _check_profiles_agree(catalog: Catalog, reader: Reader) -> None:
    """The chart has one values file per profile: the overlays of one profile must run the same images."""
    by_profile: dict[str, tuple[str, dict[str, str]]] = {}
    for overlay in catalog.overlays:
        pins = catalog.image_pins_of(overlay.name)
        first = by_profile.setdefault(overlay.profile, (overlay.name, pins))
        if first[1] != pins:
            environment = catalog.environment_of(overlay.name) or catalog.environment_of(first[0])
            raise reader.fail(
                reader.line_of(environment) if environment else None,
                f"overlays {first[0]!r} and {overlay.name!r} (both profile {overlay.profile!r}) pin different "
                f"images, but the chart's values-{overlay.profile}.yaml serves both: put them in one environment",
            )
