"""The chart as data: chart_files(catalog) -> {path inside the chart: text}. Pure and deterministic.

Every object comes from the generator's own builders (rosgit.generate.*) at the bases' profile; only the
fields a profile or platform changes are replaced by values lookups or platform conditions
(rosgit.helm.templates), so the chart and the overlays cannot describe different objects by construction,
and `rosgit helm-diff` proves it.
"""

from __future__ import annotations

from typing import Any

from rosgit.catalog.model import Catalog
from rosgit.catalog.profiles import resolve_profile
from rosgit.fileset.text import HEADER, to_yaml
from rosgit.helm.docs import notes_text, readme_text
from rosgit.helm.templates.component import component_template
from rosgit.helm.templates.helpers import helpers_text
from rosgit.helm.templates.kafka import kafka_template
from rosgit.helm.templates.platform import (
    authorization_template,
    ingress_template,
    kubernetes_template,
    object_storage_template,
    openshift_template,
)
from rosgit.helm.templates.secrets import secrets_template
from rosgit.helm.values import (
    chart_components,
    default_values,
    pinned_images,
    platform_values,
    profile_values,
)
from rosgit.helm.values_schema import schema_text


def chart_name(catalog: Catalog) -> str:
    return catalog.project.name


def _yaml_doc(data: Any, comment: str) -> str:
    return f"{HEADER}\n# {comment}\n{to_yaml(data)}"


def chart_yaml(catalog: Catalog) -> str:
    data = {
        "apiVersion": "v2",
        "name": chart_name(catalog),
        "description": "Resource Optimization Service with Cost Management (Koku) and Trino, exported from "
        "the rosgit catalog; renders the same objects as the Kustomize overlays.",
        "type": "application",
        "version": catalog.chart.version,
        "appVersion": catalog.chart.app,
    }
    return f"{HEADER}\n{to_yaml(data)}"


def chart_files(catalog: Catalog) -> dict[str, str]:
    """{path inside the chart: text}: Chart.yaml, values files, schema, templates, NOTES.txt, README.md."""
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
            pinned_images(catalog, profile_name, profile_values(catalog, profile)),
            f"Profile {profile_name!r}: replicas, resources, storage, spreading, PDBs, config variables"
            + (", the images its environment pins." if catalog.image_pins_of_profile(profile_name) else "."),
        )
    if "openshift" in catalog.platforms:
        files["values-openshift.yaml"] = _yaml_doc(
            platform_values(catalog, "openshift"),
            "OpenShift: Routes, NetworkPolicies, ServiceMonitors, service CA, no fixed UIDs, "
            "Valkey, ODF object storage. Use after values-<profile>.yaml.",
        )
    authorization = authorization_template(catalog)
    if authorization is not None:
        files["templates/authorization.yaml"] = authorization
    ingress = ingress_template(catalog)
    if ingress is not None:
        files["templates/ingress.yaml"] = ingress
    kafka = kafka_template(catalog)
    if kafka is not None:
        files["templates/kafka.yaml"] = kafka
    kubernetes = kubernetes_template(catalog)
    if kubernetes is not None:
        files["templates/kubernetes.yaml"] = kubernetes
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
