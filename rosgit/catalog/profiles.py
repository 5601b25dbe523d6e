"""Profiles inherit from each other with `extends`; resolution merges them into one flat profile."""

from __future__ import annotations

from dataclasses import dataclass, field

from rosgit.catalog.model import (
    DEFAULT_ANALYTICS,
    NO_IDENTITY_AUTHORIZATION,
    AnalyticsMode,
    AuthorizationMode,
    Catalog,
    Component,
    KafkaNodes,
    OverlaySpec,
    Resources,
    Site,
)
from rosgit.catalog.schema import Quantity, Reader
from rosgit.catalog.site import layered
from rosgit.errors import UsageError


@dataclass(frozen=True)
class ResolvedProfile:
    name: str
    sizes: dict[str, Resources]
    replicas: dict[str, int]
    scalable_replicas: int
    storage: dict[str, dict[str, Quantity]]
    vars: dict[str, str]
    pod_disruption_budgets: bool
    anti_affinity: bool
    # an operator-run Kafka's nodes; without a profile saying otherwise one combined broker+controller node
    kafka: KafkaNodes = field(default_factory=lambda: KafkaNodes(brokers=1, controllers=0))
    # with an identity section: the authorization mode of this profile's overlays
    authorization: AuthorizationMode | None = None
    analytics: AnalyticsMode = DEFAULT_ANALYTICS
    # the profile's site knobs, its `extends` chain layered (the profile's own over its parents')
    site: Site = field(default_factory=Site)

    def replicas_for(self, component: Component) -> int:
        if component.name in self.replicas:
            return self.replicas[component.name]
        if component.scalable:
            return max(component.replicas, self.scalable_replicas)
        return component.replicas

    def storage_for(self, component: Component, claim: str, default: Quantity) -> Quantity:
        return self.storage.get(component.name, {}).get(claim, default)


def resolve_profile(catalog: Catalog, name: str, reader: Reader | None = None) -> ResolvedProfile:
    chain: list[str] = []
    current: str | None = name
    while current is not None:
        if current in chain:
            raise UsageError(f"profile {name!r}: extends cycle through {current!r}")
        profile = catalog.profiles.get(current)
        if profile is None:
            location = reader.where(reader.line_of(catalog.profiles[chain[-1]])) if reader and chain else None
            raise UsageError(
                f"profile {chain[-1] if chain else name!r}: unknown parent {current!r}", location=location
            )
        chain.append(current)
        current = profile.extends
    sizes: dict[str, Resources] = {}
    replicas: dict[str, int] = {}
    storage: dict[str, dict[str, Quantity]] = {}
    variables: dict[str, str] = {}
    scalable, pdbs, anti = 1, False, False
    kafka = KafkaNodes(brokers=1, controllers=0)
    mode: AuthorizationMode | None = catalog.identity.authorization if catalog.identity else None
    analytics: AnalyticsMode = DEFAULT_ANALYTICS
    for link in reversed(chain):
        profile = catalog.profiles[link]
        sizes.update(profile.sizes)
        replicas.update(profile.replicas)
        for component, claims in profile.storage.items():
            storage.setdefault(component, {}).update(claims)
        variables.update(profile.vars)
        scalable = profile.scalable_replicas if profile.scalable_replicas is not None else scalable
        pdbs = profile.pod_disruption_budgets if profile.pod_disruption_budgets is not None else pdbs
        anti = profile.anti_affinity if profile.anti_affinity is not None else anti
        analytics = profile.analytics or analytics
        if profile.kafka is not None:
            kafka = KafkaNodes(
                brokers=_first(profile.kafka.brokers, kafka.brokers),
                controllers=_first(profile.kafka.controllers, kafka.controllers),
                controller_storage=profile.kafka.controller_storage or kafka.controller_storage,
            )
        if profile.authorization is not None and mode is not None:
            mode = profile.authorization
    if mode is not None:
        variables.update(authorization_vars(mode))
    site = layered(*(catalog.profiles[link].site for link in reversed(chain)))
    return ResolvedProfile(
        name, sizes, replicas, scalable, storage, variables, pdbs, anti, kafka, mode, analytics, site
    )


# Config-file variables the catalog derives from a profile's authorization mode (profiles may not set them):
# the gateway's identity filter reads them, and the chart templates them like any other variable.
AUTHORIZATION_VARS = ("identityOrgAdminForAll",)


def authorization_vars(mode: AuthorizationMode) -> dict[str, str]:
    """`org-admin`: the gateway marks every authenticated user admin of its org (a Lua boolean literal)."""
    return {"identityOrgAdminForAll": "true" if mode == "org-admin" else "false"}


def _first(value: int | None, inherited: int | None) -> int | None:
    return value if value is not None else inherited


def overlay_analytics(catalog: Catalog, overlay: OverlaySpec) -> AnalyticsMode:
    """The analytics mode an overlay deploys: its profile's."""
    return resolve_profile(catalog, overlay.profile).analytics


def deployed_authorization(profile: ResolvedProfile) -> AuthorizationMode:
    """The authorization mode whose components a profile's overlays deploy (without identity: no insights-rbac)."""
    return profile.authorization or NO_IDENTITY_AUTHORIZATION


def overlay_authorization(catalog: Catalog, overlay: OverlaySpec) -> AuthorizationMode:
    return deployed_authorization(resolve_profile(catalog, overlay.profile))


def overlay_secrets(catalog: Catalog, overlay: OverlaySpec) -> list[str]:
    """The Secrets an overlay's components read, in its profile's analytics and authorization modes."""
    profile = resolve_profile(catalog, overlay.profile)
    return catalog.secrets_read_on(overlay.platform, profile.analytics, deployed_authorization(profile))


def base_authorization(catalog: Catalog) -> AuthorizationMode:
    """The authorization mode the bases and the plain components/<platform> carry: the base profile's."""
    return deployed_authorization(resolve_profile(catalog, catalog.project.base_profile))


def base_analytics(catalog: Catalog) -> AnalyticsMode:
    """The analytics mode the bases and the plain components/<platform> carry: the base profile's."""
    return resolve_profile(catalog, catalog.project.base_profile).analytics
