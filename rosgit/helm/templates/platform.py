"""The objects of the whole stack that the platforms differ in: object-storage.yaml (one ConfigMap, its data
from values), ingress.yaml and kubernetes.yaml (Kubernetes only: the Ingress; NetworkPolicies) and
openshift.yaml (service CA ConfigMap, NetworkPolicies)."""

from __future__ import annotations

import copy

from rosgit.catalog.model import ALL_ANALYTICS, ALL_AUTHORIZATION, AuthorizationMode, Catalog
from rosgit.fileset.text import HEADER
from rosgit.generate.identity import AUTHORIZATION_CONFIG, AUTHORIZATION_DATA, authorization_config
from rosgit.generate.networkpolicy import network_policies
from rosgit.generate.platforms import kubernetes_ingress, object_storage_config, service_ca_config
from rosgit.helm.template import Inline, When, WhenItems, render_document
from rosgit.helm.templates.metadata import (
    OPENSHIFT,
    PUBLISHED_HOST,
    PUBLISHED_TLS_SECRET,
    analytics_is,
    authorization_is,
    config_map_name,
    go_string,
    set_project_metadata,
)
from rosgit.helm.values import values_path


def object_storage_template(catalog: Catalog) -> str:
    platform = next(iter(catalog.platforms.values()))
    built = object_storage_config(catalog, platform)
    obj = copy.deepcopy(built)
    set_project_metadata(obj)
    s = ".Values.global.objectStorage"
    obj["data"] = {
        "endpoint": Inline(f'{{{{ printf "%s:%d" {s}.host (int {s}.port) | quote }}}}'),
        "endpoint-url": Inline(
            f'{{{{ printf "%s://%s%s" (ternary "https" "http" {s}.secure) {s}.host '
            f'(ternary "" (printf ":%d" (int {s}.port)) (eq (int {s}.port) (ternary 443 80 {s}.secure))) | quote }}}}'
        ),
        "host": Inline(f"{{{{ {s}.host | quote }}}}"),
        "port": Inline(f"{{{{ {s}.port | int | toString | quote }}}}"),
        "region": Inline(f"{{{{ {s}.region | quote }}}}"),
        "use-ssl": Inline(f'{{{{ ternary "true" "false" {s}.secure | quote }}}}'),
    }
    assert set(obj["data"]) == set(built["data"])
    return HEADER + "\n" + render_document(obj)


def ingress_template(catalog: Catalog) -> str | None:
    """The Kubernetes Ingress, class and host from values, each path present while its component is enabled."""
    if "kubernetes" not in catalog.platforms:
        return None
    built = kubernetes_ingress(catalog, catalog.platforms["kubernetes"])
    if built is None:
        return None
    ingress = copy.deepcopy(built)
    set_project_metadata(ingress)
    spec = ingress["spec"]
    spec.pop("ingressClassName", None)
    spec["ingressClassName"] = When(
        ".Values.global.ingress.className", Inline("{{ .Values.global.ingress.className | quote }}")
    )
    rule = spec["rules"][0]
    rule.pop("host", None)
    rule["host"] = When(PUBLISHED_HOST, Inline(f"{{{{ {PUBLISHED_HOST} | quote }}}}"))
    spec.pop("tls", None)
    spec["tls"] = When(
        PUBLISHED_TLS_SECRET,
        [
            {
                "secretName": Inline(f"{{{{ {PUBLISHED_TLS_SECRET} | quote }}}}"),
                "hosts": When(PUBLISHED_HOST, [Inline(f"{{{{ {PUBLISHED_HOST} | quote }}}}")]),
            }
        ],
    )
    paths = []
    for entry in rule["http"]["paths"]:
        backend = entry["backend"]["service"]["name"]
        owner = next(
            c
            for c in catalog.components_for("kubernetes")
            if c.expose is not None and c.service_name == backend
        )
        paths.append(WhenItems(".Values." + ".".join(values_path(catalog, owner)) + ".enabled", [entry]))
    rule["http"]["paths"] = paths
    return HEADER + "\n" + render_document(ingress, f"not {OPENSHIFT}")


def openshift_template(catalog: Catalog) -> str | None:
    """The service CA ConfigMap and the NetworkPolicies of the traffic matrix, OpenShift only."""
    if "openshift" not in catalog.platforms:
        return None
    config = service_ca_config(catalog)
    set_project_metadata(config)
    docs = render_document(config) + _policies_by_analytics(catalog, "openshift")
    return HEADER + "\n" + f"{{{{- if {OPENSHIFT} }}}}\n" + docs + "{{- end }}\n"


def _policies_by_analytics(catalog: Catalog, platform: str) -> str:
    """The traffic matrix's NetworkPolicies of each analytics (and authorization) mode, under those switches."""
    authorizations: list[AuthorizationMode | None] = list(ALL_AUTHORIZATION) if catalog.identity else [None]
    # The modes share most policies: each distinct one is rendered once. The builders return plain data
    # (dicts, lists, strings, numbers), whose repr tells apart what renders apart, types and order included.
    rendered: dict[str, str] = {}
    docs = ""
    for mode in ALL_ANALYTICS:
        for authorization in authorizations:
            switch = analytics_is(mode)
            if authorization is not None:
                switch = f"and ({switch}) ({authorization_is(authorization)})"
            docs += f"{{{{- if {switch} }}}}\n"
            for built in network_policies(catalog, platform, mode, authorization):
                key = repr(built)
                if key not in rendered:
                    obj = dict(built)  # set_project_metadata only replaces the metadata: the built one stays
                    set_project_metadata(obj)
                    rendered[key] = render_document(obj)
                docs += rendered[key]
            docs += "{{- end }}\n"
    return docs


def kubernetes_template(catalog: Catalog) -> str | None:
    """The NetworkPolicies of the traffic matrix as plain Kubernetes resolves them, Kubernetes only."""
    if "kubernetes" not in catalog.platforms:
        return None
    docs = _policies_by_analytics(catalog, "kubernetes")
    return HEADER + "\n" + f"{{{{- if not {OPENSHIFT} }}}}\n" + docs + "{{- end }}\n"


def authorization_template(catalog: Catalog) -> str | None:
    """The ConfigMap `authorization`, its data chosen by the profile's mode (global.authorization.mode) and its
    name hashed from that data as the overlays' configMapGenerator names it, so a mode change rolls its readers."""
    built = authorization_config(catalog, catalog.identity.authorization if catalog.identity else None)
    if built is None:
        return None
    obj = copy.deepcopy(built)
    set_project_metadata(obj)
    name = AUTHORIZATION_CONFIG
    helpers = [f'{{{{- define "ros-ocp.configData.{name}" -}}}}']
    for key, by_mode in sorted(AUTHORIZATION_DATA.items()):
        table = " ".join(f"{go_string(mode)} {go_string(value)}" for mode, value in sorted(by_mode.items()))
        helpers.append(f"{key}: {{{{ index (dict {table}) .Values.global.authorization.mode | quote }}}}")
    helpers += [
        "{{ end }}",
        f'{{{{- define "ros-ocp.configMapName.{name}" -}}}}',
        f'{{{{- $data := include "ros-ocp.configData.{name}" . | fromYaml -}}}}',
        f'{{{{- include "ros-ocp.hashedName" (dict "name" {go_string(name)} "data" $data) -}}}}',
        "{{- end }}",
    ]
    obj["metadata"]["name"] = config_map_name(name)
    obj["data"] = Inline(f'{{{{ include "ros-ocp.configData.{name}" $ | fromYaml | toJson }}}}')
    return HEADER + "\n" + "\n".join(helpers) + "\n" + render_document(obj)
