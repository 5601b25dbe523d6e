"""A component's workload as template: the generator's object with image, command, resources, replicas,
storage, security contexts, Secret and ConfigMap names read from values, and the platform's additions
under the OpenShift switch."""

from __future__ import annotations

import copy
import json
from typing import Any

from rosgit.catalog.model import ALL_ANALYTICS, AnalyticsMode, Catalog, Component
from rosgit.catalog.profiles import ResolvedProfile
from rosgit.generate.catrust import step_uses_wait_image
from rosgit.generate.identity import AUTHORIZATION_CONFIG
from rosgit.generate.overlays import anti_affinity, env_patch
from rosgit.generate.platforms import service_ca_patch
from rosgit.generate.workloads import checkov_annotations, container_env, workload
from rosgit.helm.template import Block, Inline, When, WhenItems
from rosgit.helm.templates.metadata import (
    COMPONENT_METADATA_LABELS,
    OPENSHIFT,
    analytics_is,
    config_map_name,
    go_string,
    secret_name,
    set_metadata,
    swap_label_maps,
)
from rosgit.helm.values import command_overridden
from rosgit.k8s.argo import HOOK, HOOK_DELETE_POLICY, SYNC_WAVE
from rosgit.k8s.objects import Obj
from rosgit.k8s.podspec import pod_template_of

# Argo CD runs Jobs as Sync hooks ordered by wave; Helm runs them after the release's objects exist.
HELM_HOOK = "helm.sh/hook"
HELM_HOOK_WEIGHT = "helm.sh/hook-weight"
HELM_HOOK_DELETE_POLICY = "helm.sh/hook-delete-policy"
JOB_HOOK = "post-install,post-upgrade"
CONTAINER_SECURITY = Block('include "ros-ocp.containerSecurityContext" $')
# bound at the top of each component's template (site_head): the site knobs in force, and the pods' affinity
SITE = "$site"
AFFINITY = "$affinity"
WAIT_CONTAINER_SECURITY = Block('include "ros-ocp.waitContainerSecurityContext" $')


def _pod_security(component: Component) -> Block:
    args = ['"root" $']
    if component.run_as_user is not None:
        args.append(f'"runAsUser" {component.run_as_user}')
    if component.run_as_group is not None:
        args.append(f'"runAsGroup" {component.run_as_group}')
    if component.fs_group is not None:
        args.append(f'"fsGroup" {component.fs_group}')
    return Block(f'include "ros-ocp.podSecurityContext" (dict {" ".join(args)})')


def _prepend(holder: Obj, key: str, items: list[Any]) -> None:
    """Platform items go first, where kustomize's strategic merge puts the Component's patch items."""
    if key in holder:
        holder[key] = [WhenItems(OPENSHIFT, items), *holder[key]]
    else:
        holder[key] = When(OPENSHIFT, items)


def _pod_spec_of(obj: Obj) -> Obj:
    """The pod spec inside a workload or its patch, the same dict (templating edits it in place)."""
    template = pod_template_of(obj)
    assert template is not None, f"{obj.get('kind')} carries no pod template"
    return template.spec


def _analytics_env(component: Component, base_mode: AnalyticsMode) -> tuple[list[Any], list[Any]]:
    """(front, body) of the main container's env, each analytics mode's variables under that mode's switch,
    in the order the overlays build them: an overlay of another mode patches the bases' env by merge key, and
    kustomize puts a patch's changed and new variables first (before the service CA's, which the platform
    Component added), then the bases' unchanged ones."""
    at_base = container_env(component, base_mode)
    front: list[Any] = []
    unchanged: dict[AnalyticsMode, set[str]] = {base_mode: {var["name"] for var in at_base}}
    for mode in ALL_ANALYTICS:
        if mode == base_mode:
            continue
        changed = [var for var in env_patch(at_base, container_env(component, mode)) if "$patch" not in var]
        if changed:
            front.append(WhenItems(analytics_is(mode), changed))
        kept = {var["name"] for var in container_env(component, mode)} - {var["name"] for var in changed}
        unchanged[mode] = kept
    body: list[Any] = []
    for entry in at_base:
        modes = [mode for mode in ALL_ANALYTICS if entry["name"] in unchanged.get(mode, set())]
        if len(modes) == len(ALL_ANALYTICS):
            body.append(entry)
        else:
            body.extend(WhenItems(analytics_is(mode), [entry]) for mode in modes)
    return front, body


def _entries(items: list[Any]) -> list[Obj]:
    return [entry for item in items for entry in (item.items if isinstance(item, WhenItems) else [item])]


def _template_pod_spec(
    catalog: Catalog, component: Component, spec: Obj, ref: str, base_mode: AnalyticsMode
) -> None:
    spec["securityContext"] = _pod_security(component)
    for init in spec.get("initContainers", []):
        if "wait" in catalog.images:
            init["image"] = Inline("{{ .Values.global.waitImage | quote }}")
        init["securityContext"] = WAIT_CONTAINER_SECURITY
    main = spec["containers"][0]
    main["image"] = Inline(f"{{{{ {ref}.image | quote }}}}")
    if command_overridden(catalog, component):
        main["command"] = Block(f"toYaml {ref}.command")
    main["resources"] = Block(f"toYaml {ref}.resources")
    # the shared include is the restricted context; a writable root filesystem is the exception, spelled out
    main["securityContext"] = CONTAINER_SECURITY if component.read_only_root_filesystem else main["securityContext"]
    front: list[Any] = []
    if "env" in main:
        front, main["env"] = _analytics_env(component, base_mode)
    for var in _entries([*front, *main.get("env", [])]):
        secret_ref = var.get("valueFrom", {}).get("secretKeyRef")
        if secret_ref is not None:
            secret_ref["name"] = secret_name(secret_ref["name"])
        config_ref = var.get("valueFrom", {}).get("configMapKeyRef")
        if config_ref is not None and config_ref["name"] == AUTHORIZATION_CONFIG:
            config_ref["name"] = config_map_name(AUTHORIZATION_CONFIG)
    for volume in spec.get("volumes", []):
        if "secret" in volume:
            volume["secret"]["secretName"] = secret_name(volume["secret"]["secretName"])
        if component.config is not None and volume.get("configMap", {}).get("name") == component.config.name:
            volume["configMap"]["name"] = config_map_name(component.config.name)
    if component.ca_trust is not None:
        patch_spec = _pod_spec_of(service_ca_patch(catalog, component))
        patch_container = patch_spec["containers"][0]
        for step in patch_spec.get("initContainers", []):
            step["image"] = (
                Inline("{{ .Values.global.waitImage | quote }}")
                if step_uses_wait_image(catalog, component)
                else Inline(f"{{{{ {ref}.image | quote }}}}")
            )
            if step["securityContext"].get("readOnlyRootFilesystem"):
                step["securityContext"] = CONTAINER_SECURITY
        if "initContainers" in patch_spec:
            _prepend(spec, "initContainers", patch_spec["initContainers"])
        _prepend(main, "env", patch_container["env"])
        _prepend(main, "volumeMounts", patch_container["volumeMounts"])
        _prepend(spec, "volumes", patch_spec["volumes"])
    if front:
        main["env"] = [*front, *main["env"]]
    for key in ("nodeSelector", "tolerations", "imagePullSecrets"):
        spec[key] = When(f"{SITE}.{key}", Block(f"toYaml {SITE}.{key}"))
    spec["affinity"] = When(AFFINITY, Block(f"toYaml {AFFINITY}"))


def site_head(catalog: Catalog, component: Component, ref: str) -> list[str]:
    """Template lines binding $site (the knobs in force, rosgit.catalog.site) and $affinity: the site's, with
    the profile's spreading (global.antiAffinity) as podAntiAffinity unless the site sets one itself."""
    lines = [f'{{{{- {SITE} := include "ros-ocp.site" (dict "root" $ "component" {ref}.site) | fromYaml }}}}']
    if not (component.scalable and component.kind == "Deployment"):
        return [*lines, f"{{{{- {AFFINITY} := {SITE}.affinity }}}}"]
    spreading = go_string(json.dumps(anti_affinity(catalog, component)["podAntiAffinity"], sort_keys=True))
    return [
        *lines,
        f"{{{{- {AFFINITY} := deepCopy ({SITE}.affinity | default (dict)) }}}}",
        f'{{{{- if and .Values.global.antiAffinity (not (hasKey {AFFINITY} "podAntiAffinity")) }}}}',
        f'{{{{- $_ := set {AFFINITY} "podAntiAffinity" (fromJson {spreading}) }}}}',
        "{{- end }}",
    ]


def _site_labels(labels: Block) -> Block:
    """A label block with the site's labels added (validation keeps their keys apart from rosgit's)."""
    return Block(f"toYaml (merge ({labels.expr} | fromYaml) {SITE}.labels)")


def _site_annotations(annotations: dict[str, str]) -> Any:
    """The object's own annotations with the site's added; only the site's (and only if any) when it has none."""
    if not annotations:
        return When(f"{SITE}.annotations", Block(f"toYaml {SITE}.annotations"))
    pairs = " ".join(f"{go_string(k)} {go_string(v)}" for k, v in annotations.items())
    return Block(f"toYaml (merge (dict {pairs}) {SITE}.annotations)")


def storage_class(volume_class: str) -> When:
    """A claim's storageClassName, when the site knobs name one for its volume class."""
    lookup = f"index {SITE}.storageClassNames {go_string(volume_class)}"
    return When(lookup, Inline(f"{{{{ {lookup} | quote }}}}"))


def workload_object(catalog: Catalog, component: Component, base: ResolvedProfile, ref: str) -> Obj:
    """The component's Deployment, StatefulSet, Job or CronJob; `ref` is its values section. Jobs become
    Helm hooks weighted like their sync waves."""
    obj = copy.deepcopy(workload(catalog, component, base))
    annotations: dict[str, str] = {}
    if component.kind == "Job":
        source = obj["metadata"]["annotations"]
        annotations = {
            HELM_HOOK: JOB_HOOK,
            HELM_HOOK_WEIGHT: source[SYNC_WAVE],
            HELM_HOOK_DELETE_POLICY: "before-hook-creation",
        }
        assert source.get(HOOK) == "Sync" and source.get(HOOK_DELETE_POLICY) == "BeforeHookCreation"
    annotations.update(checkov_annotations(catalog, component))
    if "replicas" in obj["spec"]:
        obj["spec"]["replicas"] = Inline(f"{{{{ {ref}.replicas }}}}")
    classes = {claim.name: claim.volume_class for claim in component.storage}
    for claim in obj["spec"].get("volumeClaimTemplates", []):
        claim["spec"]["resources"]["requests"]["storage"] = Inline(
            f"{{{{ index {ref}.storage {go_string(claim['metadata']['name'])} | quote }}}}"
        )
        claim["spec"]["storageClassName"] = storage_class(classes[claim["metadata"]["name"]])
    _template_pod_spec(catalog, component, _pod_spec_of(obj), ref, base.analytics)
    templated: Obj = swap_label_maps(obj, catalog, component)
    set_metadata(templated, COMPONENT_METADATA_LABELS, annotations)
    meta = templated["metadata"]
    meta["labels"] = _site_labels(meta["labels"])
    meta["annotations"] = _site_annotations(meta.pop("annotations", {}))
    spec = templated["spec"]
    pod_metadata = (spec["jobTemplate"]["spec"] if component.kind == "CronJob" else spec)["template"]["metadata"]
    pod_metadata["labels"] = _site_labels(pod_metadata["labels"])
    pod_metadata["annotations"] = _site_annotations({})
    return templated
