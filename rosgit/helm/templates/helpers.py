"""templates/_helpers.tpl, the named templates every other template includes.

A module rather than a package-data .tpl file: the text interpolates the project name, the label keys of
rosgit.k8s.labels and the restricted security contexts of rosgit.generate.workloads, so each stays defined
once, and appends one data helper per generated ConfigMap.
"""

from __future__ import annotations

from rosgit.catalog.model import Catalog
from rosgit.fileset.text import to_yaml
from rosgit.generate.workloads import (
    RESTRICTED_CONTAINER_SECURITY,
    RESTRICTED_POD_SECURITY,
    WAIT_RUN_AS_USER,
)
from rosgit.helm.template import TEMPLATE_HEADER
from rosgit.helm.templates.configmap import config_data_helper
from rosgit.helm.values import chart_components
from rosgit.k8s import labels as L

# the site knobs' values keys (rosgit.helm.values.site_values), by how levels combine (rosgit.catalog.site)
_MERGED_SITE_KNOBS = '"labels" "annotations" "storageClassNames"'
_REPLACED_SITE_KNOBS = '"nodeSelector" "tolerations" "affinity" "imagePullSecrets"'


def helpers_text(catalog: Catalog) -> str:
    """templates/_helpers.tpl: labels, security contexts, Secret and ConfigMap names."""
    project = catalog.project.name
    pod_security = to_yaml(RESTRICTED_POD_SECURITY).rstrip("\n")
    container_security = to_yaml(RESTRICTED_CONTAINER_SECURITY).rstrip("\n")
    parts = [
        TEMPLATE_HEADER,
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
        "{{- end }}",
        '{{- if hasKey . "runAsGroup" }}',
        "runAsGroup: {{ .runAsGroup }}",
        "{{- else if .runAsUser }}",
        "runAsGroup: {{ .runAsUser }}",
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
        "{{/* The wait init containers' image runs as root: a fixed non-root UID, except on OpenShift. */}}",
        '{{- define "ros-ocp.waitContainerSecurityContext" -}}',
        '{{ include "ros-ocp.containerSecurityContext" . }}',
        "{{- if not .Values.global.platform.openshift }}",
        f"runAsUser: {WAIT_RUN_AS_USER}",
        "{{- end }}",
        "{{- end }}",
        "",
        "{{/* The site knobs in force for a component (docs/site-knobs.md), as rosgit.catalog.site layers them:",
        "     catalog < platform < profile < component; labels, annotations and storageClassNames merge key by",
        "     key, every other knob is replaced whole by the most specific level setting it.",
        '     Arguments: (dict "root" $ "component" <the component\'s site values>). */}}',
        '{{- define "ros-ocp.site" -}}',
        "{{- $levels := .root.Values.global.site -}}",
        '{{- $out := dict "labels" (dict) "annotations" (dict) "storageClassNames" (dict) -}}',
        "{{- range $level := list $levels.catalog $levels.platform $levels.profile .component -}}",
        f"{{{{- range $key := list {_MERGED_SITE_KNOBS} -}}}}",
        "{{- $_ := set $out $key (mergeOverwrite (index $out $key) (index $level $key | default (dict))) -}}",
        "{{- end -}}",
        f"{{{{- range $key := list {_REPLACED_SITE_KNOBS} -}}}}",
        "{{- with index $level $key }}{{ $_ := set $out $key . }}{{ end -}}",
        "{{- end -}}",
        "{{- end -}}",
        "{{- toYaml $out -}}",
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
            parts += ["", config_data_helper(catalog, component)]
    return "\n".join(parts) + "\n"
