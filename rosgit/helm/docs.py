"""NOTES.txt and README.md of the chart: how to install, where secrets come from, why Jobs are hooks."""

from __future__ import annotations

from rosgit.catalog.model import Catalog
from rosgit.fileset.text import HEADER
from rosgit.helm.template import TEMPLATE_HEADER
from rosgit.helm.values import secret_values_key

_GENERATED = HEADER.removeprefix("# ")

ORDERING = """\
Install order. Databases, Kafka and object storage are ordinary objects, created with everything else.
The Jobs (topic and bucket setup, database migrations) are post-install/post-upgrade hooks, weighted
like the overlays' Argo CD sync waves (setup -5 before migrations 0): Helm creates them only after the
release's objects exist, each waits for its database or broker with a wait-for init container, and
they are re-created on every upgrade (before-hook-creation), so a new image migrates again. A
pre-install hook would run before any database exists and never finish. Apps that need migrated
tables restart until the migration Job is done. Helm 4's default (--wait=hookOnly) waits for the Jobs
only; Helm 3's --wait, Helm 4's --wait=watcher and --rollback-on-failure wait for app readiness before
running post-install hooks and can time out on a first install."""

SECRETS = """\
Secrets. Each Secret is generated on first install (random values) and kept on upgrade: the template
looks the live Secret up and reuses its data, drawing random values only for keys it lacks. They
carry helm.sh/resource-policy: keep, so uninstalling does not lose the passwords the databases on the
kept volumes were initialised with. To bring your own, create the Secret with the same keys and set
secrets.<name>.existingSecret. `helm template` cannot look anything up and renders fresh values each
time; use the Kustomize overlays with SealedSecrets for GitOps."""


def notes_text(catalog: Catalog) -> str:
    lines = [
        TEMPLATE_HEADER,
        f"{catalog.project.name} {{{{ .Chart.Version }}}} is installed in namespace {{{{ .Release.Namespace }}}}"
        " (platform: {{ if .Values.global.platform.openshift }}OpenShift{{ else }}Kubernetes{{ end }}).",
        "",
        ORDERING,
        "",
        SECRETS,
        "",
        "Watch the rollout:",
        "  kubectl get pods -n {{ .Release.Namespace }} -w",
        "",
    ]
    return "\n".join(lines)


def _normalisation_rules() -> str:
    """The numbered rules of rosgit.helm.normalize's docstring, so the README cannot drift from the code."""
    from rosgit.helm import normalize

    doc = normalize.__doc__ or ""
    return doc[doc.index("1. ") :].strip()


def readme_text(catalog: Catalog) -> str:
    profiles = sorted({o.profile for o in catalog.overlays})
    secrets = "\n".join(
        f"| `{s.name}` | `secrets.{secret_values_key(s.name)}.existingSecret` | {', '.join(sorted(s.keys))} |"
        for s in sorted(catalog.secrets, key=lambda s: s.name)
    )
    owned = [
        (s.name, key, sorted(d.external_on))
        for s in sorted(catalog.secrets, key=lambda s: s.name)
        for key, d in sorted(s.keys.items())
        if d.external_on
    ]
    provided = "".join(
        f"\nOn {', '.join(platforms)} `{name}` key `{key}` belongs to the platform's own system (e.g. the ODF "
        f"S3 account) and is never generated: set `secrets.{secret_values_key(name)}.provided.{key}` (from a "
        f"values file kept out of Git) or `secrets.{secret_values_key(name)}.existingSecret`.\n"
        for name, key, platforms in owned
    )
    return f"""<!-- {_GENERATED} -->
# {catalog.project.name} Helm chart

Exported by `rosgit export-helm` from `rosgit.yaml`. It renders exactly the objects of the Kustomize
overlays (same names, labels, specs, hash-suffixed ConfigMap names); `rosgit helm-diff` proves it for
every profile and platform on every change.

## Install

```
helm install {catalog.project.name} charts/{catalog.project.name} -n NAMESPACE --create-namespace -f values-PROFILE.yaml
# OpenShift: add -f values-openshift.yaml after the profile file
```
{provided}

Profiles: {", ".join(f"`values-{p}.yaml`" for p in profiles)}. `values.yaml` carries the
`{catalog.project.base_profile}` profile on Kubernetes. `values.schema.json` closes every section, so a
misspelt key is an error rather than silently ignored.

{ORDERING}

## Site knobs

StorageClasses per volume class, nodeSelector, tolerations, affinity, imagePullSecrets, extra labels and
annotations: `global.site.catalog`, `global.site.platform`, `global.site.profile` and each component's `site`,
the most specific winning (component > profile > platform > catalog; labels, annotations and
storageClassNames merge key by key). The published host and TLS Secret: `global.site.profile.host` /
`tlsSecretName` over `global.ingress.host` / `tlsSecretName`. The catalog's `site:` sections fill them
(docs/site-knobs.md in the rosgit repository).

{SECRETS}

| Secret | Bring your own | Keys |
|---|---|---|
{secrets}

Object names do not carry the release name: the overlays' names are the contract, so install one
release per namespace. Generated ConfigMaps keep kustomize's content-hash names: the templates compute
the same sha256 over the rendered data, so the name follows any change of the `vars` values.

## Equivalence

`rosgit helm-diff` (and the `helm` stage of `rosgit check`) renders this chart with
`helm template {catalog.project.name} CHART -n NAMESPACE -f values-PROFILE.yaml [-f values-openshift.yaml]`
for every overlay and compares it, object by object (group, kind, namespace, name), with the overlay's
build. The only normalisation:

{_normalisation_rules()}
"""
