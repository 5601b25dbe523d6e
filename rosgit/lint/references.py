"""Every Secret, ConfigMap, claim, ServiceAccount and volume a pod names exists in the overlay.

A pod whose Secret or key is missing stays in CreateContainerConfigError; Argo CD reports it only after
the sync, so these are caught here from the built objects.
"""

from __future__ import annotations

from typing import Any

from rosgit import ids
from rosgit.findings import Finding
from rosgit.k8s.meta import as_map, external_secret_target
from rosgit.k8s.meta import sealed_secret_target as made_secret
from rosgit.k8s.podspec import pod_references
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj, annotations_of, name_of, namespace_of, pod_templates

STUB_ANNOTATION = "rosgit.io/sealed-secret-stub"
SERVING_CERT = "service.beta.openshift.io/serving-cert-secret-name"
INJECT_CA_BUNDLE = "service.beta.openshift.io/inject-cabundle"


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def sealed_secret_target(obj: Obj, context: LintContext) -> tuple[str, str, set[str]]:
    spec = as_map(obj.get("spec"))
    namespace, name = made_secret(obj)
    keys = {str(k) for k in as_map(spec.get("encryptedData"))}
    keys |= {str(k) for k in as_map(as_map(spec.get("template")).get("data"))}
    is_stub = annotations_of(obj).get(STUB_ANNOTATION) == "true" or not as_map(spec.get("encryptedData"))
    declared = context.catalog_secret_keys(name)
    if is_stub and declared is not None:
        # A stub is sealed later by `rosgit seal` with exactly the catalog's keys.
        keys |= declared
    return namespace, name, keys


def available(objects: list[Obj], context: LintContext) -> dict[tuple[str, str, str], set[str]]:
    """(kind, namespace, name) -> keys, for every Secret/ConfigMap/claim/ServiceAccount the overlay creates."""
    found: dict[tuple[str, str, str], set[str]] = {}

    def add(kind: str, namespace: str, name: str, keys: set[str]) -> None:
        found.setdefault((kind, namespace, name), set()).update(keys)

    for obj in objects:
        kind = obj.get("kind")
        namespace, name = namespace_of(obj), name_of(obj)
        if kind == "Secret":
            add("Secret", namespace, name, {*as_map(obj.get("data")), *as_map(obj.get("stringData"))})
        elif kind == "SealedSecret":
            add("Secret", *sealed_secret_target(obj, context))
        elif kind == "ExternalSecret":
            add("Secret", *external_secret_target(obj))
        elif kind == "ConfigMap":
            keys = {*as_map(obj.get("data")), *as_map(obj.get("binaryData"))}
            if annotations_of(obj).get(INJECT_CA_BUNDLE) == "true":
                keys.add("service-ca.crt")
            add("ConfigMap", namespace, name, keys)
        elif kind in ("PersistentVolumeClaim", "ServiceAccount"):
            add(str(kind), namespace, name, set())
        elif kind == "Service" and annotations_of(obj).get(SERVING_CERT):
            # OpenShift's service-ca operator creates this Secret for the Service.
            add("Secret", namespace, annotations_of(obj)[SERVING_CERT], {"tls.crt", "tls.key"})
    return found


_MISSING = {
    "Secret": ids.ROS101, "ConfigMap": ids.ROS103, "PersistentVolumeClaim": ids.ROS105, "ServiceAccount": ids.ROS106
}
_MISSING_KEY = {"Secret": ids.ROS102, "ConfigMap": ids.ROS104}
_HINTS = {
    "Secret": "declare it under `secrets:` in rosgit.yaml and run `rosgit generate`, or fix the name",
    "ConfigMap": "add the ConfigMap to the overlay (catalog `config:`) or fix the name",
    "PersistentVolumeClaim": "declare the claim under the component's `storage:` or fix claimName",
    "ServiceAccount": "set `serviceAccount: true` on the component or drop serviceAccountName",
}


def check_references(objects: list[Obj], context: LintContext) -> list[Finding]:
    """Dangling Secret/ConfigMap names and keys, claims and ServiceAccounts."""
    have = available(objects, context)
    findings: list[Finding] = []
    for template in pod_templates(objects):
        for reference in pod_references(template):
            keys = have.get((reference.kind, template.namespace, reference.name))
            if keys is None:
                if reference.optional:
                    continue
                findings.append(
                    context.finding(
                        _MISSING[reference.kind],
                        "error",
                        template.ref,
                        f"{reference.where} reads {reference.kind} {reference.name!r}, "
                        f"which the overlay does not create",
                        _HINTS[reference.kind],
                    )
                )
            elif reference.key is not None and reference.key not in keys and not reference.optional:
                known = ", ".join(sorted(keys)) or "none"
                findings.append(
                    context.finding(
                        _MISSING_KEY[reference.kind],
                        "error",
                        template.ref,
                        f"{reference.where} reads key {reference.key!r} of {reference.kind} "
                        f"{reference.name!r}, which has no such key (keys: {known})",
                        "fix the key, or add it to the catalog's `secrets:`/`config:` entry",
                    )
                )
    return findings


def check_volume_mounts(objects: list[Obj], context: LintContext) -> list[Finding]:
    """Every volumeMount names a pod volume (or a StatefulSet volumeClaimTemplate)."""
    findings: list[Finding] = []
    for template in pod_templates(objects):
        volumes = {str(v.get("name")) for v in _items(template.spec.get("volumes"))}
        if template.kind == "StatefulSet":
            claims = _items(as_map(template.owner.get("spec")).get("volumeClaimTemplates"))
            volumes |= {str(as_map(c.get("metadata")).get("name")) for c in claims}
        for container in template.containers():
            for mount in _items(container.get("volumeMounts")):
                if str(mount.get("name")) not in volumes:
                    findings.append(
                        context.finding(
                            ids.ROS107,
                            "error",
                            template.ref,
                            f"container {container.get('name')} mounts volume {mount.get('name')!r}, "
                            "which the pod does not declare",
                            "add the volume to the component or fix the mount name",
                        )
                    )
    return findings
