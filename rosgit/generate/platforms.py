"""Kustomize Components holding the platform differences: components/kubernetes and components/openshift."""

from __future__ import annotations

from rosgit.catalog.model import (
    OBJECT_STORAGE,
    AnalyticsMode,
    AuthorizationMode,
    Catalog,
    Component,
    Platform,
    PlatformName,
    Site,
)
from rosgit.catalog.profiles import (
    base_analytics,
    base_authorization,
    deployed_authorization,
    resolve_profile,
)
from rosgit.catalog.site import is_set, layered, published_host, tls_secret
from rosgit.fileset.text import to_yaml, yaml_file
from rosgit.generate import strimzi
from rosgit.generate.catrust import SERVICE_CA_CONFIG, service_ca_pod_spec
from rosgit.generate.networkpolicy import network_policies
from rosgit.generate.workloads import WAIT_RUN_AS_USER, WORKLOAD_API, wait_container_name
from rosgit.k8s import labels as L
from rosgit.k8s.argo import WAVE_CONFIG, WAVE_EDGE, wave_annotation
from rosgit.k8s.objects import Obj
from rosgit.kustomize import split_image

COMPONENT_API = "kustomize.config.k8s.io/v1alpha1"
# a little above the upload ingress's 100 MiB limit, so its own error (not the controller's) answers
UPLOAD_BODY_LIMIT = "101m"


def platform_component_dir(
    catalog: Catalog, platform: str, analytics: AnalyticsMode, authorization: AuthorizationMode | None = None
) -> str:
    """components/<platform> in the bases' analytics and authorization modes, components/<platform>-<mode>[-<mode>]
    in others: the platform's policies and patches name exactly the components those modes deploy."""
    suffix = "" if analytics == base_analytics(catalog) else f"-{analytics}"
    if authorization is not None and authorization != base_authorization(catalog):
        suffix += f"-{authorization}"
    return f"components/{platform}{suffix}"


def modes_in_use(catalog: Catalog, platform: str) -> list[tuple[AnalyticsMode, AuthorizationMode]]:
    """The bases' (analytics, authorization) modes first, then every other pair an overlay on this platform uses."""
    modes = [(base_analytics(catalog), base_authorization(catalog))]
    for overlay in catalog.overlays:
        profile = resolve_profile(catalog, overlay.profile)
        mode = (profile.analytics, deployed_authorization(profile))
        if overlay.platform == platform and mode not in modes:
            modes.append(mode)
    return modes


def _project_metadata(catalog: Catalog, name: str, component: str, wave: int, **annotations: str) -> Obj:
    return {
        "name": name,
        "labels": {**L.project_labels(catalog), L.COMPONENT: component},
        "annotations": {**wave_annotation(wave), **annotations},
    }


def object_storage_config(catalog: Catalog, platform: Platform) -> Obj:
    storage = platform.object_storage
    scheme = "https" if storage.secure else "http"
    # No default port in the URL: botocore signs pre-signed URLs with the Host header as given, Go clients
    # send it without :443, and the signatures differ (insights-onprem/cost-onprem-chart@881175b5).
    default_port = 443 if storage.secure else 80
    url_port = "" if storage.port == default_port else f":{storage.port}"
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _project_metadata(catalog, OBJECT_STORAGE, "object-storage", WAVE_CONFIG),
        "data": {
            "endpoint": f"{storage.host}:{storage.port}",
            "endpoint-url": f"{scheme}://{storage.host}{url_port}",
            "host": storage.host,
            "port": str(storage.port),
            "region": storage.region,
            "use-ssl": "true" if storage.secure else "false",
        },
    }


def _exposed(catalog: Catalog, platform: str, analytics: AnalyticsMode | None = None) -> list[Component]:
    """What is published: with an identity section the gateway alone (the other `expose:` entries are its
    routes: the backends trust X-Rh-Identity, so nothing may reach them around it)."""
    exposed = [
        c for c in catalog.components_for(platform, analytics) if c.expose is not None and c.service is not None
    ]
    if catalog.identity is not None:
        return [c for c in exposed if c.name == catalog.identity.gateway]
    return exposed


def _pod_spec_path(component: Component) -> str:
    return "/spec/jobTemplate/spec/template/spec" if component.kind == "CronJob" else "/spec/template/spec"


def _smp_pod_spec(component: Component, pod_spec: Obj) -> Obj:
    """A strategic-merge patch setting fields of a workload's pod spec."""
    template = {"spec": pod_spec}
    spec: Obj = (
        {"jobTemplate": {"spec": {"template": template}}}
        if component.kind == "CronJob"
        else {"template": template}
    )
    return {
        "apiVersion": WORKLOAD_API[component.kind],
        "kind": component.kind,
        "metadata": {"name": component.name},
        "spec": spec,
    }


def kubernetes_ingress(
    catalog: Catalog, platform: Platform, analytics: AnalyticsMode | None = None, profile_site: Site | None = None
) -> Obj | None:
    """The one Ingress routing every exposed Kubernetes component by path; None when nothing is exposed. Its
    host and TLS: the site knobs of the catalog and the platform, and of `profile_site` for an overlay's patch."""
    exposed = _exposed(catalog, "kubernetes", analytics)
    if not exposed:
        return None
    paths = []
    for component in sorted(exposed, key=lambda c: c.expose.path if c.expose else ""):
        assert component.expose is not None
        backend = {"service": {"name": component.service_name, "port": {"name": component.expose.port}}}
        paths.append({"path": component.expose.path, "pathType": "Prefix", "backend": backend})
    ingress_spec: Obj = {}
    if platform.ingress_class_name:
        ingress_spec["ingressClassName"] = platform.ingress_class_name
    rule: Obj = {"http": {"paths": paths}}
    profile_site = profile_site or Site()
    host = published_host(catalog, "kubernetes", profile_site, ingress=True)
    if host:
        rule = {"host": host, **rule}
    ingress_spec["rules"] = [rule]
    secret = tls_secret(layered(catalog.site, platform.site, profile_site).tls)
    if secret:
        ingress_spec["tls"] = [{"hosts": [host], "secretName": secret} if host else {"secretName": secret}]
    # ingress-nginx refuses bodies over 1m by default; the upload ingress takes 100 MiB payloads
    # (INGRESS_DEFAULTMAXSIZE 104857600), and the gateway streams them on
    annotations = {"nginx.ingress.kubernetes.io/proxy-body-size": UPLOAD_BODY_LIMIT}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": _project_metadata(catalog, catalog.project.name, "ingress", WAVE_EDGE, **annotations),
        "spec": ingress_spec,
    }


def kubernetes_pod_security(component: Component) -> Obj:
    """The pod-spec fields the kubernetes Component sets: the image's numeric user and group, and the wait
    containers' non-root UID (kubelet verifies runAsNonRoot only against a numeric user)."""
    group = component.run_as_group if component.run_as_group is not None else component.run_as_user
    pod_spec: Obj = {}
    security = {
        k: v
        for k, v in (("runAsUser", component.run_as_user), ("runAsGroup", group), ("fsGroup", component.fs_group))
        if v is not None
    }
    if security:
        pod_spec["securityContext"] = security
    if component.wait_for:
        pod_spec["initContainers"] = [
            {"name": wait_container_name(target), "securityContext": {"runAsUser": WAIT_RUN_AS_USER}}
            for target in component.wait_for
        ]
    return pod_spec


def kubernetes_files(
    catalog: Catalog, platform: Platform, analytics: AnalyticsMode, authorization: AuthorizationMode | None = None
) -> dict[str, str]:
    prefix = platform_component_dir(catalog, "kubernetes", analytics, authorization)
    files: dict[str, str] = {
        f"{prefix}/object-storage.yaml": yaml_file(object_storage_config(catalog, platform))
    }
    policies = network_policies(catalog, "kubernetes", analytics, authorization)
    files[f"{prefix}/network-policies.yaml"] = yaml_file(*policies)
    kafka = strimzi.component_files(catalog, "kubernetes", platform, prefix, analytics)
    files.update(kafka)
    resources = ["object-storage.yaml", "network-policies.yaml", *(path.rsplit("/", 1)[1] for path in kafka)]
    ingress = kubernetes_ingress(catalog, platform, analytics)
    if ingress is not None:
        files[f"{prefix}/ingress.yaml"] = yaml_file(ingress)
        resources.append("ingress.yaml")
    # Images without OpenShift's per-namespace UID range need a fixed non-root UID to pass runAsNonRoot.
    user_patches = [
        _smp_pod_spec(component, kubernetes_pod_security(component))
        for component in catalog.components_for("kubernetes", analytics, authorization)
        if component.run_as_user is not None or component.fs_group is not None or component.wait_for
    ]
    kustomization: Obj = {"apiVersion": COMPONENT_API, "kind": "Component", "resources": resources}
    if user_patches:
        files[f"{prefix}/security-context.yaml"] = yaml_file(*user_patches)
        kustomization["patches"] = [{"path": "security-context.yaml"}]
    files[f"{prefix}/kustomization.yaml"] = yaml_file(kustomization)
    return files


def openshift_routes(
    catalog: Catalog, analytics: AnalyticsMode | None = None, profile_site: Site | None = None
) -> list[Obj]:
    """The Routes of the published components, with the host of the site knobs (as kubernetes_ingress)."""
    routes = []
    host = published_host(catalog, "openshift", profile_site or Site(), ingress=False)
    for component in _exposed(catalog, "openshift", analytics):
        assert component.expose is not None
        route_host = {"host": host} if host else {}
        routes.append(
            {
                "apiVersion": "route.openshift.io/v1",
                "kind": "Route",
                "metadata": _project_metadata(
                    catalog,
                    component.service_name,
                    component.role,
                    WAVE_EDGE,
                    **{"haproxy.router.openshift.io/timeout": component.expose.timeout},
                ),
                "spec": {
                    **route_host,
                    "path": component.expose.path,
                    "to": {"kind": "Service", "name": component.service_name, "weight": 100},
                    "port": {"targetPort": component.expose.port},
                    "tls": {"termination": "edge", "insecureEdgeTerminationPolicy": "Redirect"},
                    "wildcardPolicy": "None",
                },
            }
        )
    return routes


def published_patches(
    catalog: Catalog, platform: PlatformName, profile_site: Site, analytics: AnalyticsMode
) -> list[Obj]:
    """An overlay's patches of the platform Component's Ingress or Routes for the host and TLS its profile sets
    (the catalog's and the platform's are in the Component already); none when the profile sets neither."""
    if platform not in catalog.platforms or not (profile_site.host or is_set(profile_site.tls)):
        return []
    if platform == "kubernetes":
        settings = catalog.platforms["kubernetes"]
        ingress = kubernetes_ingress(catalog, settings, analytics, profile_site)
        if ingress is None or ingress == kubernetes_ingress(catalog, settings, analytics):
            return []
        # rules and tls have no merge key: each is replaced whole
        spec = {key: ingress["spec"][key] for key in ("rules", "tls") if key in ingress["spec"]}
        return [_edge_patch(ingress, spec)]
    before = openshift_routes(catalog, analytics)
    return [
        _edge_patch(route, {"host": route["spec"]["host"]})
        for route, old in zip(openshift_routes(catalog, analytics, profile_site), before, strict=True)
        if route != old
    ]


def _edge_patch(obj: Obj, spec: Obj) -> Obj:
    metadata = {"name": obj["metadata"]["name"]}
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": metadata, "spec": spec}


def service_monitors(catalog: Catalog, analytics: AnalyticsMode | None = None) -> list[Obj]:
    monitors = []
    for component in catalog.components_for("openshift", analytics):
        if not component.metrics_port or component.service is None:
            continue
        if component.metrics_port not in component.service.ports:
            continue
        monitors.append(
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "ServiceMonitor",
                "metadata": _project_metadata(catalog, component.service_name, component.role, WAVE_EDGE),
                "spec": {
                    "selector": {"matchLabels": {L.NAME: component.name, L.INSTANCE: catalog.project.name}},
                    "endpoints": [
                        {"port": component.metrics_port, "path": component.metrics_path, "interval": "30s"}
                    ],
                },
            }
        )
    return monitors


def service_ca_patch(catalog: Catalog, component: Component) -> Obj:
    """Trust the OpenShift service CA, which signs in-cluster endpoints such as the ODF S3 service, beside
    the public CAs (rosgit.generate.catrust says how, per TLS client family)."""
    return _smp_pod_spec(component, service_ca_pod_spec(catalog, component))


def service_ca_config(catalog: Catalog) -> Obj:
    """The ConfigMap OpenShift's service CA operator fills with its bundle (inject-cabundle)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _project_metadata(
            catalog,
            SERVICE_CA_CONFIG,
            "service-ca",
            WAVE_CONFIG,
            **{"service.beta.openshift.io/inject-cabundle": "true"},
        ),
    }


def openshift_files(
    catalog: Catalog, platform: Platform, analytics: AnalyticsMode, authorization: AuthorizationMode | None = None
) -> dict[str, str]:
    prefix = platform_component_dir(catalog, "openshift", analytics, authorization)
    files: dict[str, str] = {
        f"{prefix}/object-storage.yaml": yaml_file(object_storage_config(catalog, platform)),
        f"{prefix}/service-ca.yaml": yaml_file(service_ca_config(catalog)),
        f"{prefix}/network-policies.yaml": yaml_file(*network_policies(catalog, "openshift", analytics, authorization)),
    }
    kafka = strimzi.component_files(catalog, "openshift", platform, prefix, analytics)
    files.update(kafka)
    resources = ["object-storage.yaml", "service-ca.yaml", "network-policies.yaml"]
    resources += [path.rsplit("/", 1)[1] for path in kafka]
    routes = openshift_routes(catalog, analytics)
    if routes:
        files[f"{prefix}/routes.yaml"] = yaml_file(*routes)
        resources.append("routes.yaml")
    monitors = service_monitors(catalog, analytics)
    if monitors:
        files[f"{prefix}/service-monitors.yaml"] = yaml_file(*monitors)
        resources.append("service-monitors.yaml")
    kustomization: Obj = {"apiVersion": COMPONENT_API, "kind": "Component", "resources": resources}
    images = []
    for source_key, target_key in sorted(platform.image_overrides.items()):
        source, target = str(catalog.images[source_key]), str(catalog.images[target_key])
        name, new = split_image(source), split_image(target)
        entry: Obj = {"name": name[0], "newName": new[0]}
        entry.update({"digest": new[2]} if new[2] else {"newTag": new[1]})
        images.append(entry)
    if images:
        kustomization["images"] = images
    patches = []
    deployed = {c.name for c in catalog.components_for("openshift", analytics, authorization)}
    for target_name, command in sorted(platform.command_overrides.items()):
        component = catalog.component(target_name)
        assert component is not None
        if component.name not in deployed:
            continue
        patches.append(
            {
                "target": {"kind": component.kind, "name": component.name},
                "patch": to_yaml(
                    [
                        {
                            "op": "replace",
                            "path": f"{_pod_spec_path(component)}/containers/0/command",
                            "value": list(command),
                        }
                    ]
                ),
            }
        )
    ca_patches = [
        service_ca_patch(catalog, c)
        for c in catalog.components_for("openshift", analytics, authorization)
        if c.ca_trust is not None
    ]
    if ca_patches:
        files[f"{prefix}/service-ca-patches.yaml"] = yaml_file(*ca_patches)
        patches.append({"path": "service-ca-patches.yaml"})
    if patches:
        kustomization["patches"] = patches
    files[f"{prefix}/kustomization.yaml"] = yaml_file(kustomization)
    return files

