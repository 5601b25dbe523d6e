"""The catalog: typed model, loader with FILE:LINE errors, profile resolution and the traffic matrix."""

from rosgit.catalog.loader import load_catalog
from rosgit.catalog.model import Catalog, Component
from rosgit.catalog.profiles import ResolvedProfile, resolve_profile

__all__ = ["Catalog", "Component", "ResolvedProfile", "load_catalog", "resolve_profile"]
