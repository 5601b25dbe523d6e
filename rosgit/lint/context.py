"""What a lint rule knows besides the built objects: the catalog, the overlay's platform and namespace."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rosgit.catalog.model import AnalyticsMode, AuthorizationMode, Catalog, OverlaySpec
from rosgit.catalog.profiles import (
    base_analytics,
    base_authorization,
    overlay_analytics,
    overlay_authorization,
)
from rosgit.catalog.traffic import Flow, required_flows
from rosgit.contracts.loader import ContractSet
from rosgit.findings import Finding, RuleId, Severity


@dataclass(frozen=True)
class LintContext:
    """`catalog` is optional so rules also run on plain manifests; rules needing it then skip. So are the
    image `contracts`: without them the contract rules have nothing to check against."""

    catalog: Catalog | None = None
    platform: str | None = None
    namespace: str | None = None
    source: str = ""
    contracts: ContractSet | None = None
    # the overlay's analytics mode (its profile's); unset: the bases' (the catalog's base profile's)
    analytics: AnalyticsMode | None = None
    # the overlay's authorization mode (its profile's); unset: the bases'
    authorization: AuthorizationMode | None = None

    @classmethod
    def for_overlay(cls, catalog: Catalog, overlay: OverlaySpec, contracts: ContractSet | None = None) -> LintContext:
        """The context of one catalog overlay: its platform, namespace and its profile's modes."""
        return cls(
            catalog, overlay.platform, catalog.namespace_of(overlay), f"overlays/{overlay.name}", contracts,
            overlay_analytics(catalog, overlay), overlay_authorization(catalog, overlay),
        )

    @property
    def analytics_mode(self) -> AnalyticsMode | None:
        """The analytics mode the flows of this overlay are those of."""
        if self.analytics is not None or self.catalog is None:
            return self.analytics
        if self.catalog.project.base_profile not in self.catalog.profiles:
            return None  # a catalog without profiles (a rule's own test catalog): every mode's flows
        return base_analytics(self.catalog)

    @property
    def authorization_mode(self) -> AuthorizationMode | None:
        """The authorization mode the flows of this overlay are those of (insights-rbac's only in `rbac`)."""
        if self.authorization is not None or self.catalog is None:
            return self.authorization
        if self.catalog.project.base_profile not in self.catalog.profiles:
            return None
        return base_authorization(self.catalog)

    def required_flows(self) -> list[Flow]:
        """The traffic matrix's flows of this overlay's platform and modes (none without catalog or platform)."""
        return list(self._required_flows)

    @cached_property
    def _required_flows(self) -> tuple[Flow, ...]:
        # Several rules ask, and the context is frozen: computed once per context.
        if self.catalog is None or not self.platform:
            return ()
        return tuple(required_flows(self.catalog, self.platform, self.analytics_mode, self.authorization_mode))

    def finding(self, rule_id: RuleId, severity: Severity, obj: str, message: str, hint: str = "") -> Finding:
        return Finding(rule_id, severity, obj, message, hint, self.source)

    def catalog_secret_keys(self, name: str) -> set[str] | None:
        """The keys the catalog declares for a Secret, or None when the catalog does not declare it."""
        if self.catalog is None:
            return None
        spec = self.catalog.secret(name)
        return None if spec is None else set(spec.keys)
