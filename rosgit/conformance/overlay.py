"""A built overlay and what the program adapters read of it: its containers as their pods run them, the
catalog and the image contracts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rosgit.build import build_objects
from rosgit.catalog import Catalog, load_catalog
from rosgit.conformance.pod import Container, containers, service_names
from rosgit.contracts.loader import ContractSet, contracts_for
from rosgit.k8s.labels import NAME
from rosgit.k8s.meta import as_map, name_of, namespace_of
from rosgit.k8s.objects import Obj


@dataclass(frozen=True)
class Overlay:
    name: str
    objects: list[Obj]
    containers: list[Container]
    catalog: Catalog
    contracts: ContractSet

    @property
    def namespace(self) -> str:
        return next((namespace_of(o) for o in self.objects if namespace_of(o)), "default")

    @property
    def services(self) -> list[str]:
        return service_names(self.objects)

    def service_of(self, workload: str) -> str:
        """The Service clients reach `workload` by (its selector names the workload), else the workload name."""
        for obj in self.objects:
            if obj.get("kind") == "Service" and as_map(as_map(obj.get("spec")).get("selector")).get(NAME) == workload:
                return name_of(obj)
        return workload

    def container(self, workload: str, kind: str | None = None) -> Container | None:
        return next((c for c in self.containers if c.workload == workload
                     and (kind is None or c.owner.startswith(f"{kind}/"))), None)


def load_overlay(path: Path, catalog_path: Path, *, objects: list[Obj] | None = None) -> Overlay:
    """Build `path` (unless its objects are given) and read the catalog and its contracts."""
    catalog = load_catalog(catalog_path)
    built = objects if objects is not None else build_objects(path)
    return Overlay(path.name, built, containers(built), catalog, contracts_for(catalog, catalog_path))
