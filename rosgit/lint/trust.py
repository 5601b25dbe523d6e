"""Clients of endpoints signed by a private CA (OpenShift's service CA) that do not trust it.

The endpoints are the catalog's externals with `tls: service-ca` (the ODF S3 endpoint); their clients are
the sources of the traffic matrix's flows to them on the overlay's platform, the flows the NetworkPolicies
open (the network rules prove they do). A pod trusts the service CA when a variable its TLS client reads for extra CAs
points into a volume carrying it:
- the service-CA ConfigMap itself (the ConfigMap with `service.beta.openshift.io/inject-cabundle: "true"`)
  as a directory: Go's SSL_CERT_DIR adds its files to the system roots;
- an emptyDir an init container writes while mounting that ConfigMap: a combined bundle (SSL_CERT_FILE,
  AWS_CA_BUNDLE, REQUESTS_CA_BUNDLE) or a truststore (`-Djavax.net.ssl.trustStore=` in JAVA_TOOL_OPTIONS).
None of them: the client trusts only the public CAs and fails on the endpoint's certificate.
A FILE variable naming the ConfigMap's own file replaces the public CAs by the service CA alone (botocore,
requests and Go read one file instead of the system bundle), so every call to a public endpoint fails
(a finding of its own). Only the container env is read: trust set in a program's own config file is not seen (suppress
with rosgit.io/lint-ignore then).
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rosgit import ids
from rosgit.findings import Finding
from rosgit.k8s.meta import annotations_of, as_map, name_of, namespace_of
from rosgit.kustomize import split_image
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj, PodTemplate, by_kind, pod_templates

INJECT_CABUNDLE = "service.beta.openshift.io/inject-cabundle"
# variables naming one CA file that replaces the client's default bundle
FILE_VARIABLES = ("SSL_CERT_FILE", "AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE")
DIRECTORY_VARIABLE = "SSL_CERT_DIR"
JVM_OPTION_VARIABLES = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")
TRUSTSTORE_OPTION = "-Djavax.net.ssl.trustStore="
# the caTrust kind whose variables an image's contract says its program reads, in this order
TRUST_BY_VARIABLE = (("JAVA_TOOL_OPTIONS", "java"), ("AWS_CA_BUNDLE", "python"), ("SSL_CERT_DIR", "go"))


@dataclass(frozen=True)
class TrustMounts:
    """Where one container sees the service CA: the ConfigMap's own mounts, and emptyDirs built from it."""

    direct: tuple[str, ...]
    built: tuple[str, ...]


def _under(path: str, mounts: tuple[str, ...]) -> bool:
    path = posixpath.normpath(path)
    return any(path == m or path.startswith(m.rstrip("/") + "/") for m in map(posixpath.normpath, mounts))


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _service_ca_maps(objects: list[Obj]) -> set[tuple[str, str]]:
    return {
        (namespace_of(obj), name_of(obj))
        for obj in by_kind(objects, "ConfigMap")
        if str(annotations_of(obj).get(INJECT_CABUNDLE, "")).lower() == "true"
    }


def trust_mounts(template: PodTemplate, container: dict[str, Any], service_ca: set[tuple[str, str]]) -> TrustMounts:
    volumes = _list(template.spec.get("volumes"))
    ca_volumes = {
        str(v.get("name")) for v in volumes
        if (template.namespace, str(as_map(v.get("configMap")).get("name"))) in service_ca
    }
    empty_dirs = {str(v.get("name")) for v in volumes if "emptyDir" in v}
    built_volumes: set[str] = set()
    for step in _list(template.spec.get("initContainers")):
        mounts = _list(step.get("volumeMounts"))
        if any(str(m.get("name")) in ca_volumes for m in mounts):
            built_volumes |= {
                str(m.get("name")) for m in mounts if str(m.get("name")) in empty_dirs and not m.get("readOnly")
            }
    own = _list(container.get("volumeMounts"))
    direct = tuple(str(m.get("mountPath")) for m in own if str(m.get("name")) in ca_volumes and not m.get("subPath"))
    built = tuple(str(m.get("mountPath")) for m in own if str(m.get("name")) in built_volumes)
    return TrustMounts(direct, built)


def _literal_env(container: dict[str, Any]) -> dict[str, str]:
    return {str(e["name"]): str(e["value"]) for e in _list(container.get("env")) if "name" in e and "value" in e}


def trusted_paths(env: dict[str, str]) -> Iterator[tuple[str, str, bool]]:
    """(variable, path, replaces the default store) for every CA location the env names."""
    for name in FILE_VARIABLES:
        if env.get(name):
            yield name, env[name], True
    for directory in env.get(DIRECTORY_VARIABLE, "").split(":"):
        if directory:
            yield DIRECTORY_VARIABLE, directory, False
    for name in JVM_OPTION_VARIABLES:
        for option in shlex.split(env.get(name, "")):
            if option.startswith(TRUSTSTORE_OPTION):
                yield name, option.removeprefix(TRUSTSTORE_OPTION), True


def _suggested_trust(template: PodTemplate, context: LintContext) -> str:
    """The caTrust kind the image's contract points at (the CA variables its program reads), if any."""
    catalog, contracts = context.catalog, context.contracts
    if catalog is None or contracts is None:
        return ""
    by_repository = {split_image(image)[0]: key for key, image in catalog.images.items()}
    for container in _list(template.spec.get("containers")):
        key = by_repository.get(split_image(str(container.get("image", "")))[0])
        contract = contracts.get(key) if key else None
        if contract is not None:
            read = contract.read_env()
            return next((kind for variable, kind in TRUST_BY_VARIABLE if variable in read), "")
    return ""


def _service_ca_clients(context: LintContext) -> dict[str, str]:
    """Client component -> the service-CA-signed external it reaches on the overlay's platform."""
    catalog = context.catalog
    if catalog is None or not context.platform:
        return {}
    signed = {name for name, external in catalog.externals.items() if external.tls == "service-ca"}
    return {
        flow.source: flow.destination
        for flow in context.required_flows()
        if flow.destination in signed
    }


def check_service_ca_trust(objects: list[Obj], context: LintContext) -> list[Finding]:
    """Every client of a service-CA-signed endpoint trusts that CA besides the public ones."""
    clients = _service_ca_clients(context)
    if not clients:
        return []
    service_ca = _service_ca_maps(objects)
    findings: list[Finding] = []
    for template in pod_templates(objects):
        endpoint = clients.get(template.workload)
        if endpoint is None:
            continue
        trusting = False
        for container in _list(template.spec.get("containers")):
            mounts = trust_mounts(template, container, service_ca)
            for variable, path, replaces in trusted_paths(_literal_env(container)):
                if _under(path, mounts.built) or (not replaces and _under(path, mounts.direct)):
                    trusting = True
                elif replaces and _under(path, mounts.direct):
                    findings.append(context.finding(
                        ids.ROS606, "error", template.ref,
                        f"container {container.get('name')} env {variable}: {path} is the service CA alone, "
                        "which replaces the public CAs (every call to a public endpoint fails)",
                        "point it at a bundle combining the system CAs and the service CA, built by an init "
                        "step into an emptyDir (caTrust: python or java does this)",
                    ))
                    trusting = True
        if not trusting:
            kind = _suggested_trust(template, context)
            fix = f"set `caTrust: {kind}` on component {template.workload}" if kind else (
                f"set `caTrust` (go, python or java, by its TLS client) on component {template.workload}"
            )
            findings.append(context.finding(
                ids.ROS605, "error", template.ref,
                f"calls {endpoint}, whose certificate the OpenShift service CA signs, but its containers trust "
                "only the system CAs (x509: unknown authority)",
                f"{fix} in the catalog: it gets the service CA besides the system CAs",
            ))
    return findings
