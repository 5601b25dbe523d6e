"""Site knobs (docs/site-knobs.md): what one installation decides about where and how pods run, set at four
levels. The most specific level that sets a knob wins: component > profile > platform > catalog-wide. Maps of
labels, annotations and storage classes merge key by key (a more specific level's key wins); every other knob
(nodeSelector, tolerations, affinity, imagePullSecrets, host, tls) is replaced whole by the most specific
level that sets it to something non-empty. The chart's `ros-ocp.site` helper resolves its values the same way.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rosgit.catalog.model import Affinity, Catalog, Component, PlatformName, Site, SiteTls, Toleration
from rosgit.catalog.schema import Reader, did_you_mean

# the knobs that merge key by key across levels; the others are replaced whole
MERGED_KNOBS = ("storage_class_names", "labels", "annotations")
# knobs of the published endpoint: never per component (only the gateway is published)
PUBLISH_KNOBS = ("host", "tls")
# label keys rosgit sets on every component (rosgit.k8s.labels), which selectors and the chart rely on
RESERVED_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/instance",
    "rosgit.io/group",
)
# annotation prefixes rosgit writes on workloads (sync order, Helm hooks, checkov skips)
RESERVED_ANNOTATION_PREFIXES = ("argocd.argoproj.io/", "helm.sh/", "checkov.io/")


def is_set(value: Any) -> bool:
    """A knob a level sets: non-empty, and for a nested object at least one of its fields set."""
    if dataclasses.is_dataclass(value):
        return any(is_set(getattr(value, f.name)) for f in dataclasses.fields(value))
    return bool(value)


def layered(*levels: Site) -> Site:
    """The knobs of several levels, the least specific first."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Site):
        if f.name in MERGED_KNOBS:
            merged: dict[str, str] = {}
            for level in levels:
                merged.update(getattr(level, f.name))
            values[f.name] = merged
            continue
        chosen = getattr(Site(), f.name)
        for level in levels:
            if is_set(getattr(level, f.name)):
                chosen = getattr(level, f.name)
        values[f.name] = chosen
    return Site(**values)


def site_of(catalog: Catalog, platform: PlatformName, profile_site: Site, component: Component | None) -> Site:
    """The knobs in force for a component (None: for the overlay's published endpoint) in one overlay."""
    levels = [catalog.site, catalog.platforms[platform].site, profile_site]
    if component is not None:
        levels.append(component.site)
    return layered(*levels)


def published_host(catalog: Catalog, platform: PlatformName, profile_site: Site, *, ingress: bool) -> str | None:
    """The published endpoint's hostname: the profile's, the platform's (for the Ingress, its `ingressHost`
    too), the catalog's."""
    settings = catalog.platforms[platform]
    platform_host = settings.site.host or (settings.ingress_host if ingress else None)
    return profile_site.host or platform_host or catalog.site.host


def plain(value: Any) -> Any:
    """A raw catalog value (an affinity part) as plain data: dicts, lists, str, int, float, bool, None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def toleration_object(toleration: Toleration) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    if toleration.key is not None:
        obj["key"] = toleration.key
    obj["operator"] = toleration.operator
    if toleration.value is not None:
        obj["value"] = toleration.value
    if toleration.effect is not None:
        obj["effect"] = toleration.effect
    if toleration.toleration_seconds is not None:
        obj["tolerationSeconds"] = toleration.toleration_seconds
    return obj


def affinity_object(affinity: Affinity | None) -> dict[str, Any]:
    if affinity is None:
        return {}
    parts = (
        ("nodeAffinity", affinity.node_affinity),
        ("podAffinity", affinity.pod_affinity),
        ("podAntiAffinity", affinity.pod_anti_affinity),
    )
    return {key: plain(value) for key, value in parts if value}


def tls_secret(tls: SiteTls | None) -> str | None:
    return tls.secret_name if tls is not None else None


# --- validation ---------------------------------------------------------------------------------------------


def site_levels(catalog: Catalog) -> list[tuple[str, Site, bool]]:
    """(the level's path in the file, its knobs, whether it is a component's) of every level."""
    levels: list[tuple[str, Site, bool]] = [("catalog.site", catalog.site, False)]
    levels += [(f"catalog.platforms.{name}.site", p.site, False) for name, p in catalog.platforms.items()]
    levels += [(f"catalog.profiles.{name}.site", p.site, False) for name, p in catalog.profiles.items()]
    levels += [(f"catalog.components[{i}].site", c.site, True) for i, c in enumerate(catalog.components)]
    return levels


def check_site(catalog: Catalog, reader: Reader) -> None:
    """What the types cannot say: tolerations Kubernetes would refuse, keys rosgit owns, unknown volume
    classes, a published endpoint's knobs on a component, two hosts on one platform."""
    classes = {claim.volume_class for c in catalog.components for claim in c.storage}
    own_labels = {key for c in catalog.components for key in c.labels}
    for path, site, is_component in site_levels(catalog):
        line = reader.line_at(path)
        for knob in PUBLISH_KNOBS if is_component else ():
            if is_set(getattr(site, knob)):
                raise reader.fail(
                    reader.line_at(f"{path}.{knob}") or line,
                    f"{path}.{knob}: set catalog-wide, per platform or per profile (only the gateway is published)",
                )
        for name in site.storage_class_names:
            if name not in classes:
                raise reader.fail(
                    reader.line_at(f"{path}.storageClassNames.{name}") or line,
                    f"{path}.storageClassNames: no claim has class {name!r}{did_you_mean(name, classes)} "
                    f"(classes: {', '.join(sorted(classes))})",
                )
        for key in site.labels:
            if key in RESERVED_LABELS or key in own_labels:
                owner = "rosgit" if key in RESERVED_LABELS else "a component's labels:"
                raise reader.fail(
                    reader.line_at(f"{path}.labels.{key}") or line, f"{path}.labels: {key} is set by {owner}"
                )
        for key in site.annotations:
            if key.startswith(RESERVED_ANNOTATION_PREFIXES):
                raise reader.fail(
                    reader.line_at(f"{path}.annotations.{key}") or line,
                    f"{path}.annotations: {key} is written by rosgit (sync order, Helm hooks, checkov skips)",
                )
        for index, toleration in enumerate(site.tolerations):
            _check_toleration(toleration, f"{path}.tolerations[{index}]", reader, line)
    for name, platform in catalog.platforms.items():
        if platform.ingress_host and platform.site.host:
            path = f"catalog.platforms.{name}.site.host"
            raise reader.fail(
                reader.line_at(path), f"{path}: the platform's ingressHost already names the host; keep one"
            )


def _check_toleration(toleration: Toleration, path: str, reader: Reader, fallback: int | None) -> None:
    line = reader.line_at(path) or fallback
    if toleration.operator == "Exists" and toleration.value:
        raise reader.fail(line, f"{path}: operator Exists matches any value; remove value {toleration.value!r}")
    if toleration.key is None and toleration.operator != "Exists":
        raise reader.fail(line, f"{path}: a toleration without a key must have operator: Exists")
    if toleration.toleration_seconds is not None and toleration.effect != "NoExecute":
        raise reader.fail(line, f"{path}: tolerationSeconds applies only to effect: NoExecute")
