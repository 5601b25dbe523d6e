"""Overlays: one per profile x platform, each a namespace, the platform's bases and Component,
the sealed secrets, and patches for what the profile changes relative to the bases."""

from __future__ import annotations

from dataclasses import replace

from rosgit.catalog.model import Catalog, Component, OverlaySpec, PlatformName
from rosgit.catalog.profiles import ResolvedProfile, deployed_authorization, resolve_profile
from rosgit.catalog.schema import split_image_ref
from rosgit.catalog.site import affinity_object, site_of
from rosgit.fileset.text import text_file, yaml_file
from rosgit.generate.identity import authorization_config
from rosgit.generate.platforms import platform_component_dir, published_patches
from rosgit.generate.site import site_metadata, site_pod_spec
from rosgit.generate.strimzi import strimzi_overlay
from rosgit.generate.workloads import (
    WORKLOAD_API,
    claim_name,
    config_key,
    container_env,
    render_config_file,
    resources_of,
    volume_claim_templates,
)
from rosgit.k8s import labels as L
from rosgit.k8s.argo import WAVE_APP, WAVE_CONFIG, wave_annotation
from rosgit.k8s.externalsecret import external_secret_object, external_secrets_dir
from rosgit.k8s.objects import Obj
from rosgit.k8s.sealedsecret import STUB_ANNOTATION, STUB_VALUE, sealed_secret_object, sealed_secret_path

KUSTOMIZATION_API = "kustomize.config.k8s.io/v1beta1"


def sealed_secret_stub(catalog: Catalog, name: str, namespace: str) -> Obj:
    """A placeholder that cannot decrypt; `rosgit seal` replaces it with real ciphertext.

    Every declared key gets a non-base64 placeholder: the controller then reports Synced=False (Argo CD:
    Degraded, so the sync stops before the databases) instead of creating an empty Secret.
    """
    spec = catalog.secret(name)
    keys = sorted(spec.keys) if spec is not None else []
    obj = sealed_secret_object(
        name=name,
        namespace=namespace,
        labels=L.project_labels(catalog),
        annotations={**wave_annotation(WAVE_CONFIG), STUB_ANNOTATION: "true"},
        encrypted={key: STUB_VALUE for key in keys},
        scope="strict",
    )
    return obj


def external_secret(catalog: Catalog, name: str, namespace: str) -> Obj:
    """With `secretsBackend.type: external-secrets`: the ExternalSecret the operator fills from the store."""
    backend = catalog.secrets_backend
    assert backend.store is not None  # the catalog validation requires it for this backend
    spec = catalog.secret(name)
    return external_secret_object(
        name=name,
        namespace=namespace,
        labels=L.project_labels(catalog),
        annotations=wave_annotation(WAVE_CONFIG),
        keys=sorted(spec.keys) if spec is not None else [],
        store_kind=backend.store.kind,
        store_name=backend.store.name,
        remote_key=f"{backend.remote_key_prefix}{name}",
        refresh_interval=backend.refresh_interval,
    )


def _pod_template_patch(component: Component, pod_spec: Obj, pod_metadata: Obj) -> Obj:
    template: Obj = {"metadata": pod_metadata, "spec": pod_spec} if pod_metadata else {"spec": pod_spec}
    if component.kind == "CronJob":
        return {"jobTemplate": {"spec": {"template": template}}}
    return {"template": template}


def anti_affinity(catalog: Catalog, component: Component) -> Obj:
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname",
                        "labelSelector": {"matchLabels": L.selector_labels(catalog, component)},
                    },
                }
            ]
        }
    }


def env_patch(at_base: list[Obj], wanted: list[Obj]) -> list[Obj]:
    """A strategic-merge env patch (merge key name) from the bases' analytics mode to another: changed and new
    variables, and a delete directive for each variable of the bases' mode only (TRINO_HOST is gone, not left
    behind). Not a replacement of the whole list: the platform Component's own variables (the service CA's
    AWS_CA_BUNDLE) must survive it."""
    before = {var["name"]: var for var in at_base}
    names = {var["name"] for var in wanted}
    changed = [var for var in wanted if before.get(var["name"]) != var]
    return changed + [{"name": name, "$patch": "delete"} for name in before if name not in names]


def profile_patches(
    catalog: Catalog, platform: PlatformName, base: ResolvedProfile, profile: ResolvedProfile
) -> list[Obj]:
    """Strategic-merge patches turning the bases (at the base profile) into this profile."""
    patches: list[Obj] = []
    for component in catalog.components_for(platform, profile.analytics, deployed_authorization(profile)):
        site = site_of(catalog, platform, profile.site, component)
        spec: Obj = {}
        pod_spec: Obj = site_pod_spec(site)
        pod_metadata = site_metadata(site)
        container: Obj = {}
        if component.runs_pods_continuously and profile.replicas_for(component) != base.replicas_for(
            component
        ):
            spec["replicas"] = profile.replicas_for(component)
        if resources_of(profile, component) != resources_of(base, component):
            container["resources"] = resources_of(profile, component)
        env = env_patch(container_env(component, base.analytics), container_env(component, profile.analytics))
        if env:
            container["env"] = env
        if container:
            pod_spec["containers"] = [{"name": component.name, **container}]
        spreading = profile.anti_affinity and component.scalable and component.kind == "Deployment"
        affinity = {**(anti_affinity(catalog, component) if spreading else {}), **affinity_object(site.affinity)}
        if affinity:
            pod_spec["affinity"] = affinity
        if pod_spec or pod_metadata:
            spec.update(_pod_template_patch(component, pod_spec, pod_metadata))
        if component.kind == "StatefulSet" and component.storage:
            wanted = volume_claim_templates(catalog, component, profile, site.storage_class_names)
            if wanted != volume_claim_templates(catalog, component, base):
                # volumeClaimTemplates has no merge key: the whole list is replaced
                spec["volumeClaimTemplates"] = wanted
        if spec or pod_metadata:
            patches.append(
                {
                    "apiVersion": WORKLOAD_API[component.kind],
                    "kind": component.kind,
                    "metadata": {"name": component.name, **site_metadata(site)},
                    **({"spec": spec} if spec else {}),
                }
            )
        if component.kind != "StatefulSet":
            for claim in component.storage:
                claim_spec: Obj = {}
                size = profile.storage_for(component, claim.name, claim.size)
                if size != base.storage_for(component, claim.name, claim.size):
                    claim_spec["resources"] = {"requests": {"storage": str(size)}}
                storage_class = site.storage_class_names.get(claim.volume_class)
                if storage_class:
                    claim_spec["storageClassName"] = storage_class
                if claim_spec:
                    patches.append(
                        {
                            "apiVersion": "v1",
                            "kind": "PersistentVolumeClaim",
                            "metadata": {"name": claim_name(component, claim.name)},
                            "spec": claim_spec,
                        }
                    )
    return patches


def pod_disruption_budgets(catalog: Catalog, platform: str, profile: ResolvedProfile) -> list[Obj]:
    """One per scalable Deployment of the profile's analytics mode running more than one replica."""
    if not profile.pod_disruption_budgets:
        return []
    return [
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {
                "name": component.name,
                "labels": L.component_labels(catalog, component),
                "annotations": wave_annotation(WAVE_APP),
            },
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": L.selector_labels(catalog, component)}},
        }
        for component in catalog.components_for(platform, profile.analytics, deployed_authorization(profile))
        if component.scalable and component.kind == "Deployment" and profile.replicas_for(component) > 1
    ]


def overlay_files(catalog: Catalog, overlay: OverlaySpec) -> dict[str, str]:
    prefix = f"overlays/{overlay.name}"
    base = resolve_profile(catalog, catalog.project.base_profile)
    profile = resolve_profile(catalog, overlay.profile)
    namespace = catalog.namespace_of(overlay)
    files: dict[str, str] = {}
    authorization = deployed_authorization(profile)
    deployed = catalog.components_for(overlay.platform, profile.analytics, authorization)
    resources = [f"../../base/{c.name}" for c in deployed]
    for secret in catalog.secrets_read_on(overlay.platform, profile.analytics, authorization):
        if catalog.secrets_backend.type == "external-secrets":
            files[f"{external_secrets_dir(overlay.name)}/{secret}.yaml"] = yaml_file(
                external_secret(catalog, secret, namespace)
            )
            resources.append(f"external-secrets/{secret}.yaml")
            continue
        files[sealed_secret_path(overlay.name, secret)] = yaml_file(
            sealed_secret_stub(catalog, secret, namespace)
        )
        resources.append(f"sealed-secrets/{secret}.yaml")
    pdbs = pod_disruption_budgets(catalog, overlay.platform, profile)
    if pdbs:
        files[f"{prefix}/pod-disruption-budgets.yaml"] = yaml_file(*pdbs)
        resources.append("pod-disruption-budgets.yaml")
    strimzi_patches, strimzi_added = strimzi_overlay(
        catalog, overlay.platform, replace(base, analytics=profile.analytics), profile
    )
    if strimzi_added:
        files[f"{prefix}/strimzi.yaml"] = yaml_file(*strimzi_added)
        resources.append("strimzi.yaml")
    kustomization: Obj = {
        "apiVersion": KUSTOMIZATION_API,
        "kind": "Kustomization",
        "namespace": namespace,
        "resources": resources,
        "components": [f"../../{platform_component_dir(catalog, overlay.platform, profile.analytics, authorization)}"],
    }
    generators = []
    authorization_config_generator = authorization_generator(catalog, profile)
    if authorization_config_generator is not None:
        generators.append(authorization_config_generator)
    for component in deployed:
        if component.config is None:
            continue
        changed = []
        for path in sorted(component.config.files):
            text = render_config_file(component, path, profile)
            if text != render_config_file(component, path, base):
                local = f"config/{component.name}/{path}"
                files[f"{prefix}/{local}"] = text_file(text)
                changed.append(f"{config_key(path)}={local}")
        if changed:
            generators.append({"name": component.config.name, "behavior": "merge", "files": changed})
    if generators:
        kustomization["configMapGenerator"] = generators
    patches: list[Obj] = []
    profile_objs = [
        *profile_patches(catalog, overlay.platform, base, profile),
        *strimzi_patches,
        *published_patches(catalog, overlay.platform, profile.site, profile.analytics),
    ]
    if profile_objs:
        files[f"{prefix}/profile-patches.yaml"] = yaml_file(*profile_objs)
        patches.append({"path": "profile-patches.yaml"})
    patches.extend({"path": path} for path in overlay.patches)
    if patches:
        kustomization["patches"] = patches
    images = image_pins(catalog, overlay)
    if images:
        kustomization["images"] = images
    files[f"{prefix}/kustomization.yaml"] = yaml_file(kustomization)
    return files


def authorization_generator(catalog: Catalog, profile: ResolvedProfile) -> Obj | None:
    """The ConfigMap `authorization` as a generator: its name carries the hash of its data, so a mode change
    renames it in Koku's and ROS's env and rolls them (as the gateway's envoy.yaml rolls the gateway)."""
    built = authorization_config(catalog, profile.authorization)
    if built is None:
        return None
    return {
        "name": built["metadata"]["name"],
        "literals": [f"{key}={value}" for key, value in sorted(built["data"].items())],
        "options": {"labels": built["metadata"]["labels"], "annotations": built["metadata"]["annotations"]},
    }


def image_pins(catalog: Catalog, overlay: OverlaySpec) -> list[Obj]:
    """kustomize `images:` for the images the overlay's environment pins away from the catalog's defaults."""
    entries: list[Obj] = []
    for key, ref in catalog.image_pins_of(overlay.name).items():
        name, _, _ = split_image_ref(catalog.images[key])
        new_name, tag, digest = split_image_ref(ref)
        entry: Obj = {"name": name}
        if new_name != name:
            entry["newName"] = new_name
        if tag:
            entry["newTag"] = tag
        if digest:
            entry["digest"] = digest
        entries.append(entry)
    return entries
