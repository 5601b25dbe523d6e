"""Recommended labels and the stable selectors derived from them."""

from __future__ import annotations

from rosgit.catalog.model import Catalog, Component

NAME = "app.kubernetes.io/name"
COMPONENT = "app.kubernetes.io/component"
PART_OF = "app.kubernetes.io/part-of"
INSTANCE = "app.kubernetes.io/instance"
GROUP = "rosgit.io/group"


def component_labels(catalog: Catalog, component: Component) -> dict[str, str]:
    labels: dict[str, str] = {
        NAME: component.name,
        COMPONENT: component.role,
        PART_OF: catalog.project.name,
        INSTANCE: catalog.project.name,
        GROUP: component.group,
    }
    labels.update(component.labels)
    return labels


def selector_labels(catalog: Catalog, component: Component) -> dict[str, str]:
    """Never changes for the life of a workload: selectors are immutable on Deployments and StatefulSets."""
    return {NAME: component.name, INSTANCE: catalog.project.name}


def service_selector(catalog: Catalog, component: Component) -> dict[str, str]:
    if component.service is not None and component.service.select_role:
        return {COMPONENT: component.role, INSTANCE: catalog.project.name}
    return selector_labels(catalog, component)


def project_labels(catalog: Catalog) -> dict[str, str]:
    return {PART_OF: catalog.project.name, INSTANCE: catalog.project.name}
