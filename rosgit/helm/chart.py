"""The chart as data: chart_files(catalog) -> {path inside the chart: text}. Pure and deterministic.

Every object comes from the generator's own builders (rosgit.generate.*) at the bases' profile; only the
fields a profile or platform changes are replaced by values lookups or platform conditions, so the chart
and the overlays cannot describe different objects by construction, and `rosgit helm-diff` proves it.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from typing import Any

import yaml

from rosgit.catalog.model import Catalog, Component
from rosgit.catalog.profiles import ResolvedProfile, resolve_profile
from rosgit.errors import UsageError
from rosgit.fileset.text import HEADER, HEADER_MARK, text_file, to_yaml
from rosgit.generate.networkpolicy import network_policies
from rosgit.generate.overlays import anti_affinity, pod_disruption_budgets
from rosgit.generate.platforms import (
    kubernetes_ingress,
    object_storage_config,
    openshift_routes,
    service_ca_config,
    service_ca_patch,
    service_monitors,
    uses_object_storage,
)
from rosgit.generate.workloads import (
    RESTRICTED_CONTAINER_SECURITY,
    RESTRICTED_POD_SECURITY,
    config_key,
    persistent_volume_claims,
    service,
    service_account,
    workload,
)
from rosgit.helm.template import Block, Inline, When, WhenItems, block_scalar, escape, render_document
from rosgit.helm.values import (
    chart_components,
    command_overridden,
    default_values,
    platform_values,
    profile_values,
    secret_values_key,
    values_path,
    var_ref,
)
from rosgit.helm.values_schema import schema_text
from rosgit.k8s import labels as L
from rosgit.k8s.argo import HOOK, HOOK_DELETE_POLICY, SYNC_WAVE

Obj = dict[str, Any]
CHART_VERSION = "2.0.0"
OPENSHIFT = ".Values.global.platform.openshift"
# Argo CD runs Jobs as Sync hooks ordered by wave; Helm runs them after the release's objects exist.
HELM_HOOK = "helm.sh/hook"
HELM_HOOK_WEIGHT = "helm.sh/hook-weight"
HELM_HOOK_DELETE_POLICY = "helm.sh/hook-delete-policy"
HELM_RESOURCE_POLICY = "helm.sh/resource-policy"
JOB_HOOK = "post-install,post-upgrade"
_VAR = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")
_TPL_HEADER = (
    f"{{{{- /* {HEADER_MARK} from rosgit.yaml. Do not edit: change the catalog and run `rosgit generate`. */ -}}}}"
)


def chart_name(catalog: Catalog) -> str:
    return catalog.project.name


def _q(text: str) -> str:
    """A Go template string literal."""
    return json.dumps(text)


# ---------------------------------------------------------------------------------------------- labels


def _label_args(catalog: Catalog, component: Component) -> str:
    extra = dict(component.labels)
    for key in (L.PART_OF, L.INSTANCE):
        if key in extra:
            raise UsageError(
                f"component {component.name!r}: label {key} is set by the chart; the Helm export cannot override it"
            )
    name = extra.pop(L.NAME, component.name)
    role = extra.pop(L.COMPONENT, component.role)
    group = extra.pop(L.GROUP, component.group)
    args = f'"name" {_q(name)} "component" {_q(role)} "group" {_q(group)}'
    if extra:
        pairs = " ".join(f"{_q(k)} {_q(v)}" for k, v in extra.items())
        args += f' "extra" (dict {pairs})'
    return args


def _labels_block(catalog: Catalog, component: Component, *, helm: bool) -> Block:
    """The component's labels from `$c`, the label arguments each component template defines once."""
    helper = "ros-ocp.metadataLabels" if helm else "ros-ocp.labels"
    return Block(f'include "{helper}" $c')


def _selector_block(component: Component) -> Block:
    return Block(f'include "ros-ocp.selectorLabels" {_q(component.name)}')


def _project_labels_block(extra: dict[str, str]) -> Block:
    if not extra:
        return Block('include "ros-ocp.projectMetadataLabels" (dict "root" $)')
    pairs = " ".join(f"{_q(k)} {_q(v)}" for k, v in extra.items())
    return Block(f'include "ros-ocp.projectMetadataLabels" (dict "root" $ "extra" (dict {pairs}))')


def _swap_label_maps(node: Any, catalog: Catalog, component: Component) -> Any:
    """Label maps equal to the component's labels or selector become helper includes."""
    labels = L.component_labels(catalog, component)
    selector = L.selector_labels(catalog, component)
    if isinstance(node, dict):
        out: Obj = {}
        for key, value in node.items():
            if key in ("labels", "matchLabels", "selector") and value == labels:
                out[key] = _labels_block(catalog, component, helm=False)
            elif key in ("labels", "matchLabels", "selector") and value == selector:
                out[key] = _selector_block(component)
            else:
                out[key] = _swap_label_maps(value, catalog, component)
        return out
    if isinstance(node, list):
        return [_swap_label_maps(item, catalog, component) for item in node]
    return node


def _metadata(obj: Obj, labels: Any, annotations: dict[str, str] | None = None) -> None:
    """Namespace from the release; Argo CD annotations dropped (Helm orders by kind and hooks)."""
    meta = obj["metadata"]
    kept = {
        k: v for k, v in (meta.get("annotations") or {}).items() if not k.startswith("argocd.argoproj.io/")
    }
    kept.update(annotations or {})
    new: Obj = {"name": meta["name"], "namespace": Inline("{{ .Release.Namespace }}"), "labels": labels}
    if kept:
        new["annotations"] = kept
    obj["metadata"] = new


# ------------------------------------------------------------------------------------------ components


def _secret_name(name: str) -> Inline:
    return Inline(f'{{{{ include "ros-ocp.secretName" (list $ {_q(name)} {_q(secret_values_key(name))}) }}}}')


def _config_name(name: str) -> Inline:
    return Inline(f'{{{{ include "ros-ocp.configMapName.{name}" $ }}}}')


def _pod_security(component: Component) -> Block:
    args = ['"root" $']
    if component.run_as_user is not None:
        args.append(f'"runAsUser" {component.run_as_user}')
    if component.fs_group is not None:
        args.append(f'"fsGroup" {component.fs_group}')
    return Block(f'include "ros-ocp.podSecurityContext" (dict {" ".join(args)})')


def _prepend(holder: Obj, key: str, items: list[Any]) -> None:
    """Platform items go first, where kustomize's strategic merge puts the Component's patch items."""
    if key in holder:
        holder[key] = [WhenItems(OPENSHIFT, items), *holder[key]]
    else:
        holder[key] = When(OPENSHIFT, items)


def _templated_pod_spec(catalog: Catalog, component: Component, pod: Obj, ref: str) -> None:
    spec = pod["spec"]
    spec["securityContext"] = _pod_security(component)
    container_security = Block('include "ros-ocp.containerSecurityContext" $')
    for init in spec.get("initContainers", []):
        if "wait" in catalog.images:
            init["image"] = Inline("{{ .Values.global.waitImage | quote }}")
        init["securityContext"] = container_security
    main = spec["containers"][0]
    main["image"] = Inline(f"{{{{ {ref}.image | quote }}}}")
    if command_overridden(catalog, component):
        main["command"] = Block(f"toYaml {ref}.command")
    main["resources"] = Block(f"toYaml {ref}.resources")
    main["securityContext"] = container_security
    for var in main.get("env", []):
        secret_ref = var.get("valueFrom", {}).get("secretKeyRef")
        if secret_ref is not None:
            secret_ref["name"] = _secret_name(secret_ref["name"])
    for volume in spec.get("volumes", []):
        if "secret" in volume:
            volume["secret"]["secretName"] = _secret_name(volume["secret"]["secretName"])
        if component.config is not None and volume.get("configMap", {}).get("name") == component.config.name:
            volume["configMap"]["name"] = _config_name(component.config.name)
    if uses_object_storage(component):
        patch = service_ca_patch(component)
        patch_spec = _pod_spec_of(patch)
        patch_container = patch_spec["containers"][0]
        _prepend(main, "env", patch_container["env"])
        _prepend(main, "volumeMounts", patch_container["volumeMounts"])
        _prepend(spec, "volumes", patch_spec["volumes"])
    if component.scalable and component.kind == "Deployment":
        spec["affinity"] = When(".Values.global.antiAffinity", anti_affinity(catalog, component))


def _pod_spec_of(obj: Obj) -> Obj:
    spec: Obj = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]  # type: ignore[no-any-return]


def _pod_template(obj: Obj) -> Obj:
    spec: Obj = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]  # type: ignore[no-any-return]


def _workload(catalog: Catalog, component: Component, base: ResolvedProfile, ref: str) -> Obj:
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
    if "replicas" in obj["spec"]:
        obj["spec"]["replicas"] = Inline(f"{{{{ {ref}.replicas }}}}")
    for claim in obj["spec"].get("volumeClaimTemplates", []):
        claim["spec"]["resources"]["requests"]["storage"] = Inline(
            f"{{{{ index {ref}.storage {_q(claim['metadata']['name'])} | quote }}}}"
        )
    _templated_pod_spec(catalog, component, _pod_template(obj), ref)
    templated: Obj = _swap_label_maps(obj, catalog, component)
    _metadata(templated, _labels_block(catalog, component, helm=True), annotations)
    return templated


def _config_data_helper(catalog: Catalog, component: Component) -> str:
    """The generated ConfigMap's data as YAML, `${var}`s read from values; hashed and used by name."""
    assert component.config is not None
    lines = [f'{{{{- define "ros-ocp.configData.{component.config.name}" -}}}}']
    for path in sorted(component.config.files):
        raw = text_file(component.config.files[path])
        parts = _VAR.split(raw)
        text = "".join(
            escape(part) if i % 2 == 0 else f"{{{{ {var_ref(catalog, part)} }}}}"
            for i, part in enumerate(parts)
        )
        key = yaml.safe_dump(config_key(path), width=float("inf")).removesuffix("\n...\n").rstrip("\n")
        if "\n" in raw and "\r" not in raw and "\t" not in raw and not raw.startswith("\n"):
            first, *rest = block_scalar(text, 2, literal=True)
            lines.append(f"{key}: {first}")
            lines.extend(rest)
        else:
            lines.append(f"{key}: {escape(json.dumps(raw))}")
    lines.append("{{ end }}")
    name = component.config.name
    lines += [
        f'{{{{- define "ros-ocp.configMapName.{name}" -}}}}',
        f'{{{{- $data := include "ros-ocp.configData.{name}" . | fromYaml -}}}}',
        f'{{{{- include "ros-ocp.hashedName" (dict "name" {_q(name)} "data" $data) -}}}}',
        "{{- end }}",
    ]
    return "\n".join(lines)


def _config_map(catalog: Catalog, component: Component) -> Obj:
    assert component.config is not None
    name = component.config.name
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": _config_name(name),
            "namespace": Inline("{{ .Release.Namespace }}"),
            "labels": _labels_block(catalog, component, helm=True),
        },
        "data": Inline(f'{{{{ include "ros-ocp.configData.{name}" $ | fromYaml | toJson }}}}'),
    }


def component_template(catalog: Catalog, component: Component, base: ResolvedProfile) -> str:
    """One file per component: its ServiceAccount, claims, config, Service, workload and edge objects."""
    ref = "$v"
    path = values_path(catalog, component)
    docs: list[str] = []
    account = service_account(catalog, component)
    if account is not None:
        account = _swap_label_maps(copy.deepcopy(account), catalog, component)
        _metadata(account, _labels_block(catalog, component, helm=True))
        docs.append(render_document(account))
    for claim in persistent_volume_claims(catalog, component, base):
        claim = copy.deepcopy(claim)
        claim_key = claim["metadata"]["name"].removeprefix(f"{component.name}-")
        claim["spec"]["resources"]["requests"]["storage"] = Inline(
            f"{{{{ index {ref}.storage {_q(claim_key)} | quote }}}}"
        )
        _metadata(claim, _labels_block(catalog, component, helm=True))
        docs.append(render_document(claim))
    if component.config is not None:
        docs.append(render_document(_config_map(catalog, component)))
    svc = service(catalog, component)
    if svc is not None:
        svc = _swap_label_maps(copy.deepcopy(svc), catalog, component)
        _metadata(svc, _labels_block(catalog, component, helm=True))
        docs.append(render_document(svc))
    docs.append(render_document(_workload(catalog, component, base, ref)))
    if component.scalable and component.kind == "Deployment":
        always = replace(base, pod_disruption_budgets=True, replicas={component.name: 2})
        platform = component.platforms[0]
        for pdb in pod_disruption_budgets(catalog, platform, always):
            if pdb["metadata"]["name"] == component.name:
                pdb = _swap_label_maps(copy.deepcopy(pdb), catalog, component)
                _metadata(pdb, _labels_block(catalog, component, helm=True))
                docs.append(
                    render_document(
                        pdb, f"and .Values.global.podDisruptionBudgets (gt (int {ref}.replicas) 1)"
                    )
                )
    if "openshift" in component.platforms and "openshift" in catalog.platforms:
        for edge in [*openshift_routes(catalog), *service_monitors(catalog)]:
            if edge["metadata"]["name"] == component.service_name and _edge_of(edge, component):
                edge = copy.deepcopy(edge)
                extra = {L.COMPONENT: edge["metadata"]["labels"][L.COMPONENT]}
                edge = _swap_label_maps(edge, catalog, component)
                _metadata(edge, _project_labels_block(extra))
                docs.append(render_document(edge, OPENSHIFT))
    conditions = [f"{ref}.enabled"]
    if set(catalog.platforms) - set(component.platforms):
        only = component.platforms[0]
        conditions.append(OPENSHIFT if only == "openshift" else f"(not {OPENSHIFT})")
    cond = conditions[0] if len(conditions) == 1 else f"and {' '.join(conditions)}"
    head = [
        HEADER,
        f"{{{{- $v := .Values.{'.'.join(path)} }}}}",
        f'{{{{- $c := dict "root" $ {_label_args(catalog, component)} }}}}',
        f"{{{{- if {cond} }}}}",
    ]
    return "\n".join(head) + "\n" + "".join(docs) + "{{- end }}\n"


def _edge_of(edge: Obj, component: Component) -> bool:
    if edge["kind"] == "Route":
        return bool(component.expose) and edge["spec"]["to"]["name"] == component.service_name
    return bool(edge["spec"]["selector"]["matchLabels"].get(L.NAME) == component.name)


# -------------------------------------------------------------------------------------- shared objects


def object_storage_template(catalog: Catalog) -> str:
    platform = next(iter(catalog.platforms.values()))
    obj = copy.deepcopy(object_storage_config(catalog, platform))
    extra = {L.COMPONENT: obj["metadata"]["labels"][L.COMPONENT]}
    _metadata(obj, _project_labels_block(extra))
    s = ".Values.global.objectStorage"
    obj["data"] = {
        "endpoint": Inline(f'{{{{ printf "%s:%d" {s}.host (int {s}.port) | quote }}}}'),
        "endpoint-url": Inline(
            f'{{{{ printf "%s://%s:%d" (ternary "https" "http" {s}.secure) {s}.host (int {s}.port) | quote }}}}'
        ),
        "host": Inline(f"{{{{ {s}.host | quote }}}}"),
        "port": Inline(f"{{{{ {s}.port | int | toString | quote }}}}"),
        "region": Inline(f"{{{{ {s}.region | quote }}}}"),
        "use-ssl": Inline(f'{{{{ ternary "true" "false" {s}.secure | quote }}}}'),
    }
    assert set(obj["data"]) == set(object_storage_config(catalog, platform)["data"])
    return HEADER + "\n" + render_document(obj)


def ingress_template(catalog: Catalog) -> str | None:
    if "kubernetes" not in catalog.platforms:
        return None
    built = kubernetes_ingress(catalog, catalog.platforms["kubernetes"])
    if built is None:
        return None
    ingress = copy.deepcopy(built)
    extra = {L.COMPONENT: ingress["metadata"]["labels"][L.COMPONENT]}
    _metadata(ingress, _project_labels_block(extra))
    spec = ingress["spec"]
    spec.pop("ingressClassName", None)
    spec["ingressClassName"] = When(
        ".Values.global.ingress.className", Inline("{{ .Values.global.ingress.className | quote }}")
    )
    rule = spec["rules"][0]
    rule.pop("host", None)
    rule["host"] = When(".Values.global.ingress.host", Inline("{{ .Values.global.ingress.host | quote }}"))
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
    platform = catalog.platforms["openshift"]
    service_ca = service_ca_config(catalog)
    extra = {L.COMPONENT: service_ca["metadata"]["labels"][L.COMPONENT]}
    _metadata(service_ca, _project_labels_block(extra))
    docs = [render_document(service_ca)]
    for policy in network_policies(catalog, "openshift", platform.dns or "openshift-dns"):
        policy = copy.deepcopy(policy)
        extra = {L.COMPONENT: policy["metadata"]["labels"][L.COMPONENT]}
        _metadata(policy, _project_labels_block(extra))
        docs.append(render_document(policy))
    return HEADER + "\n" + f"{{{{- if {OPENSHIFT} }}}}\n" + "".join(docs) + "{{- end }}\n"


_GENERATORS = {
    "password": "randAlphaNum {n}",
    "django-secret-key": "randAlphaNum {n}",
    "access-key": "randAlphaNum {n} | upper",
    "secret-key": "randAlphaNum {n}",
    "username": "randAlpha {n} | lower",
}
_DEFAULT_LENGTHS = {
    "password": 32,
    "django-secret-key": 50,
    "access-key": 20,
    "secret-key": 40,
    "username": 8,
}


def secrets_template(catalog: Catalog) -> str:
    """Secrets generated on first install and kept on upgrade: `lookup` finds the live Secret and its data
    is reused; random values are drawn only for keys it lacks. `existingSecret` skips the Secret."""

    used: dict[str, set[str]] = {}
    for platform in catalog.platforms:
        for name in catalog.secrets_read_on(platform):
            used.setdefault(name, set()).add(platform)
    lines = [HEADER]
    for spec in sorted(catalog.secrets, key=lambda s: s.name):
        if spec.name not in used:
            continue
        cond = f".Values.secrets.{secret_values_key(spec.name)}.existingSecret"
        platforms = used[spec.name]
        if platforms != set(catalog.platforms):
            only = next(iter(platforms))
            cond_platform = OPENSHIFT if only == "openshift" else f"(not {OPENSHIFT})"
            lines.append(f"{{{{- if and (not {cond}) {cond_platform} }}}}")
        else:
            lines.append(f"{{{{- if not {cond} }}}}")
        lines.append(
            f'{{{{- $live := (lookup "v1" "Secret" .Release.Namespace {_q(spec.name)}).data | default dict }}}}'
        )
        lines += [
            "---",
            "apiVersion: v1",
            "kind: Secret",
            "metadata:",
            f"  name: {spec.name}",
            "  namespace: {{ .Release.Namespace }}",
            "  labels:",
            '    {{- include "ros-ocp.projectMetadataLabels" (dict "root" $) | nindent 4 }}',
            "  annotations:",
            "    # uninstalling must not lose the passwords the databases on the kept volumes were created with",
            f"    {HELM_RESOURCE_POLICY}: keep",
            "type: Opaque",
            "data:",
        ]
        for key, spec_key in sorted(spec.keys.items()):
            if spec_key.value is not None:
                fresh = f"{_q(spec_key.value)} | b64enc"
            elif spec_key.generate in _GENERATORS:
                length = spec_key.length or _DEFAULT_LENGTHS[spec_key.generate]
                fresh = f"{_GENERATORS[spec_key.generate].format(n=length)} | b64enc"
            else:
                setting = f"secrets.{secret_values_key(spec.name)}.existingSecret"
                message = f"secret {spec.name} key {key} has no generator: set {setting}"
                fresh = f"required {_q(message)} nil"
            lines.append(f"  {key}: {{{{ index $live {_q(key)} | default ({fresh}) | quote }}}}")
        lines.append("{{- end }}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------- helpers


def helpers_text(catalog: Catalog) -> str:
    project = catalog.project.name
    pod_security = to_yaml(RESTRICTED_POD_SECURITY).rstrip("\n")
    container_security = to_yaml(RESTRICTED_CONTAINER_SECURITY).rstrip("\n")
    parts = [
        _TPL_HEADER,
        "",
        "{{/* Selector labels: fixed for the life of a workload (selectors are immutable). */}}",
        '{{- define "ros-ocp.selectorLabels" -}}',
        f"{L.NAME}: {{{{ . | quote }}}}",
        f"{L.INSTANCE}: {project}",
        "{{- end }}",
        "",
        '{{/* The recommended labels of a component: (dict "name" "component" "group" ["extra"]). */}}',
        '{{- define "ros-ocp.labels" -}}',
        '{{ include "ros-ocp.selectorLabels" .name }}',
        f"{L.COMPONENT}: {{{{ .component | quote }}}}",
        f"{L.PART_OF}: {project}",
        f"{L.GROUP}: {{{{ .group | quote }}}}",
        "{{- with .extra }}",
        "{{ toYaml . }}",
        "{{- end }}",
        "{{- end }}",
        "",
        "{{/* Object labels: a component's labels plus the ones Helm tooling expects. */}}",
        '{{- define "ros-ocp.metadataLabels" -}}',
        '{{ include "ros-ocp.labels" . }}',
        '{{ include "ros-ocp.helmLabels" .root }}',
        "{{- end }}",
        "",
        '{{- define "ros-ocp.helmLabels" -}}',
        'helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}',
        "app.kubernetes.io/managed-by: {{ .Release.Service }}",
        "{{- end }}",
        "",
        "{{/* Labels of objects that belong to the whole stack rather than one component. */}}",
        '{{- define "ros-ocp.projectLabels" -}}',
        f"{L.INSTANCE}: {project}",
        f"{L.PART_OF}: {project}",
        "{{- end }}",
        "",
        '{{- define "ros-ocp.projectMetadataLabels" -}}',
        '{{ include "ros-ocp.projectLabels" .root }}',
        "{{- with .extra }}",
        "{{ toYaml . }}",
        "{{- end }}",
        '{{ include "ros-ocp.helmLabels" .root }}',
        "{{- end }}",
        "",
        "{{/* Restricted pod security; on plain Kubernetes images without an assigned UID range also get the",
        "     fixed UID/GID they were built for. OpenShift's restricted SCC assigns one per namespace. */}}",
        '{{- define "ros-ocp.podSecurityContext" -}}',
        pod_security,
        "{{- if not .root.Values.global.platform.openshift }}",
        "{{- with .runAsUser }}",
        "runAsUser: {{ . }}",
        "runAsGroup: {{ . }}",
        "{{- end }}",
        "{{- with .fsGroup }}",
        "fsGroup: {{ . }}",
        "{{- end }}",
        "{{- end }}",
        "{{- end }}",
        "",
        '{{- define "ros-ocp.containerSecurityContext" -}}',
        container_security,
        "{{- end }}",
        "",
        "{{/* The Secret a workload reads: the generated one, or secrets.<name>.existingSecret. */}}",
        '{{- define "ros-ocp.secretName" -}}',
        "{{- $root := index . 0 -}}",
        "{{- $name := index . 1 -}}",
        "{{- $settings := index $root.Values.secrets (index . 2) -}}",
        "{{- $settings.existingSecret | default $name -}}",
        "{{- end }}",
        "",
        "{{/* kustomize's configMapGenerator name: name-<hash>, the hash being sha256 of the Go JSON of",
        '     {"data":...,"kind":"ConfigMap","name":""}, first 10 hex digits, 0/1/3/a/e swapped for g/h/k/m/t.',
        "     Computed from the rendered data, so it stays equal to the overlays' name whatever the values. */}}",
        '{{- define "ros-ocp.hashedName" -}}',
        '{{- $json := dict "data" .data "kind" "ConfigMap" "name" "" | toJson -}}',
        '{{- $hash := sha256sum $json | trunc 10 | replace "0" "g" | replace "1" "h" | replace "3" "k" '
        '| replace "a" "m" | replace "e" "t" -}}',
        '{{- printf "%s-%s" .name $hash -}}',
        "{{- end }}",
    ]
    for component in chart_components(catalog):
        if component.config is not None:
            parts += ["", _config_data_helper(catalog, component)]
    return "\n".join(parts) + "\n"


# -------------------------------------------------------------------------------------------- chart


def _yaml_doc(data: Any, comment: str) -> str:
    return f"{HEADER}\n# {comment}\n{to_yaml(data)}"


def chart_yaml(catalog: Catalog) -> str:
    data = {
        "apiVersion": "v2",
        "name": chart_name(catalog),
        "description": "Resource Optimization Service with Cost Management (Koku) and Trino, exported from "
        "the rosgit catalog; renders the same objects as the Kustomize overlays.",
        "type": "application",
        "version": CHART_VERSION,
        "appVersion": CHART_VERSION,
    }
    return f"{HEADER}\n{to_yaml(data)}"


def _profile_overlays(catalog: Catalog) -> dict[str, str]:
    return {o.profile: o.name for o in catalog.overlays}


def chart_files(catalog: Catalog) -> dict[str, str]:
    """{path inside the chart: text}: Chart.yaml, values files, schema, templates, NOTES.txt, README.md."""
    from rosgit.helm.docs import notes_text, readme_text

    base = resolve_profile(catalog, catalog.project.base_profile)
    values = default_values(catalog)
    files: dict[str, str] = {
        "Chart.yaml": chart_yaml(catalog),
        "values.yaml": _yaml_doc(values, f"Profile {base.name!r} on Kubernetes; see values-<profile>.yaml."),
        "values.schema.json": schema_text(values),
        "templates/_helpers.tpl": helpers_text(catalog),
        "templates/NOTES.txt": notes_text(catalog),
        "templates/secrets.yaml": secrets_template(catalog),
        "templates/object-storage.yaml": object_storage_template(catalog),
        "README.md": readme_text(catalog),
    }
    for profile_name in sorted({o.profile for o in catalog.overlays}):
        profile = resolve_profile(catalog, profile_name)
        files[f"values-{profile_name}.yaml"] = _yaml_doc(
            profile_values(catalog, profile),
            f"Profile {profile_name!r}: replicas, resources, storage, spreading, PDBs, config variables.",
        )
    if "openshift" in catalog.platforms:
        files["values-openshift.yaml"] = _yaml_doc(
            platform_values(catalog, "openshift"),
            "OpenShift: Routes, NetworkPolicies, ServiceMonitors, service CA, no fixed UIDs, "
            "Valkey, ODF object storage. Use after values-<profile>.yaml.",
        )
    ingress = ingress_template(catalog)
    if ingress is not None:
        files["templates/ingress.yaml"] = ingress
    openshift = openshift_template(catalog)
    if openshift is not None:
        files["templates/openshift.yaml"] = openshift
    for component in chart_components(catalog):
        files[f"templates/{component.group}/{component.name}.yaml"] = component_template(
            catalog, component, base
        )
    return dict(sorted(files.items()))


def chart_tree(catalog: Catalog) -> dict[str, str]:
    """The chart inside the repository, for `rosgit generate` (charts/<name>/...)."""
    prefix = f"charts/{chart_name(catalog)}"
    return {f"{prefix}/{path}": text for path, text in chart_files(catalog).items()}
