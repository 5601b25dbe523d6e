"""templates/<group>/<component>.yaml: everything one component deploys, switched by its `enabled` value
and, for a component of one platform only, by the platform switch."""

from __future__ import annotations

import copy
from dataclasses import replace

from rosgit.catalog.model import Catalog, Component
from rosgit.catalog.profiles import ResolvedProfile
from rosgit.fileset.text import HEADER
from rosgit.generate.overlays import pod_disruption_budgets
from rosgit.generate.platforms import openshift_routes, service_monitors
from rosgit.generate.workloads import persistent_volume_claims, service, service_account
from rosgit.helm.template import Inline, When, render_document
from rosgit.helm.templates.configmap import config_map
from rosgit.helm.templates.metadata import (
    COMPONENT_METADATA_LABELS,
    OPENSHIFT,
    PUBLISHED_HOST,
    analytics_is,
    authorization_is,
    component_label_args,
    go_string,
    set_metadata,
    set_project_metadata,
    swap_label_maps,
)
from rosgit.helm.templates.workload import site_head, storage_class, workload_object
from rosgit.helm.values import values_path
from rosgit.k8s import labels as L
from rosgit.k8s.objects import Obj

VALUES = "$v"  # the component's values section, bound at the top of its template


def _component_object(obj: Obj, catalog: Catalog, component: Component) -> Obj:
    templated: Obj = swap_label_maps(copy.deepcopy(obj), catalog, component)
    set_metadata(templated, COMPONENT_METADATA_LABELS)
    return templated


def _edge_of(edge: Obj, component: Component) -> bool:
    if edge["kind"] == "Route":
        return bool(component.expose) and edge["spec"]["to"]["name"] == component.service_name
    return bool(edge["spec"]["selector"]["matchLabels"].get(L.NAME) == component.name)


def _documents(catalog: Catalog, component: Component, base: ResolvedProfile) -> list[str]:
    """Its ServiceAccount, claims, config, Service, workload, PodDisruptionBudget and edge objects."""
    docs: list[str] = []
    account = service_account(catalog, component)
    if account is not None:
        docs.append(render_document(_component_object(account, catalog, component)))
    for claim in persistent_volume_claims(catalog, component, base):
        claim = copy.deepcopy(claim)
        claim_key = claim["metadata"]["name"].removeprefix(f"{component.name}-")
        claim["spec"]["resources"]["requests"]["storage"] = Inline(
            f"{{{{ index {VALUES}.storage {go_string(claim_key)} | quote }}}}"
        )
        volume_class = next(c.volume_class for c in component.storage if c.name == claim_key)
        claim["spec"]["storageClassName"] = storage_class(volume_class)
        set_metadata(claim, COMPONENT_METADATA_LABELS)
        docs.append(render_document(claim))
    if component.config is not None:
        docs.append(render_document(config_map(component)))
    svc = service(catalog, component)
    if svc is not None:
        docs.append(render_document(_component_object(svc, catalog, component)))
    docs.append(render_document(workload_object(catalog, component, base, VALUES)))
    if component.scalable and component.kind == "Deployment":
        always = replace(base, pod_disruption_budgets=True, replicas={component.name: 2})
        platform = component.platforms[0]
        for pdb in pod_disruption_budgets(catalog, platform, always):
            if pdb["metadata"]["name"] == component.name:
                docs.append(
                    render_document(
                        _component_object(pdb, catalog, component),
                        f"and .Values.global.podDisruptionBudgets (gt (int {VALUES}.replicas) 1)",
                    )
                )
    if "openshift" in component.platforms and "openshift" in catalog.platforms:
        for edge in [*openshift_routes(catalog), *service_monitors(catalog)]:
            if edge["metadata"]["name"] == component.service_name and _edge_of(edge, component):
                edge = copy.deepcopy(edge)
                set_project_metadata(edge)
                if edge["kind"] == "Route":
                    edge["spec"].pop("host", None)
                    edge["spec"]["host"] = When(PUBLISHED_HOST, Inline(f"{{{{ {PUBLISHED_HOST} | quote }}}}"))
                docs.append(render_document(swap_label_maps(edge, catalog, component), OPENSHIFT))
    return docs


def component_template(catalog: Catalog, component: Component, base: ResolvedProfile) -> str:
    """One file per component, objects at the bases' profile with what profiles change read from values."""
    conditions = [f"{VALUES}.enabled"]
    if set(catalog.platforms) - set(component.platforms):
        only = component.platforms[0]
        conditions.append(OPENSHIFT if only == "openshift" else f"(not {OPENSHIFT})")
    if len(component.analytics) == 1:
        conditions.append(f"({analytics_is(component.analytics[0])})")
    if len(component.authorization) == 1:
        conditions.append(f"({authorization_is(component.authorization[0])})")
    cond = conditions[0] if len(conditions) == 1 else f"and {' '.join(conditions)}"
    head = [
        HEADER,
        f"{{{{- {VALUES} := .Values.{'.'.join(values_path(catalog, component))} }}}}",
        f'{{{{- $c := dict "root" $ {component_label_args(component)} }}}}',
        *site_head(catalog, component, VALUES),
        f"{{{{- if {cond} }}}}",
    ]
    return "\n".join(head) + "\n" + "".join(_documents(catalog, component, base)) + "{{- end }}\n"
