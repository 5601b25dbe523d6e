"""Kubernetes objects for one component at one profile: workload, Service, ServiceAccount, PVCs, config."""

from __future__ import annotations

import re

from rosgit.catalog.model import OBJECT_STORAGE, AnalyticsMode, Catalog, Component, EnvVar, Probe, Resources
from rosgit.catalog.profiles import ResolvedProfile
from rosgit.errors import UsageError
from rosgit.k8s import labels as L
from rosgit.k8s.argo import WAVE_CONFIG, component_wave, job_hook_annotations, wave_annotation
from rosgit.k8s.objects import Obj

WORKLOAD_API = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1", "CronJob": "batch/v1"}
CONFIG_VOLUME = "config"
# a `${var}` in a component's config file, set per profile (the chart templates the same variables)
CONFIG_VAR = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")

RESTRICTED_CONTAINER_SECURITY: Obj = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
RESTRICTED_POD_SECURITY: Obj = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
# ubi-minimal has no USER (it runs as root) and kubelet refuses root under runAsNonRoot; on Kubernetes the
# wait containers get this UID (bash's /dev/tcp needs no home or files). OpenShift assigns one itself.
WAIT_RUN_AS_USER = 1001
WAIT_RESOURCES: Obj = {
    "requests": {"cpu": "10m", "memory": "16Mi"},
    "limits": {"cpu": "50m", "memory": "64Mi"},
}


def image_of(catalog: Catalog, component: Component) -> str:
    return str(catalog.images[component.image])


def resources_of(profile: ResolvedProfile, component: Component) -> Obj:
    size: Resources = profile.sizes[component.size]
    return {
        "requests": {"cpu": str(size.requests.cpu), "memory": str(size.requests.memory)},
        "limits": {"cpu": str(size.limits.cpu), "memory": str(size.limits.memory)},
    }


def config_key(path: str) -> str:
    """ConfigMap keys cannot hold '/', so nested files get a flat key and an explicit item path."""
    return path.replace("/", "_")


def render_config_file(component: Component, path: str, profile: ResolvedProfile) -> str:
    assert component.config is not None
    text = component.config.files[path]

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in profile.vars:
            raise UsageError(
                f"component {component.name!r}: config file {path!r} uses ${{{name}}}, "
                f"which profile {profile.name!r} does not define under vars:"
            )
        return profile.vars[name]

    return CONFIG_VAR.sub(substitute, text)


def container_env(component: Component, analytics: AnalyticsMode) -> list[Obj]:
    """The main container's env in one analytics mode: each variable of that mode, at that mode's value."""
    return [env_entry(var, analytics) for var in component.env if analytics in var.analytics]


def env_entry(var: EnvVar, analytics: AnalyticsMode) -> Obj:
    value = var.value_in(analytics)
    if value is not None:
        return {"name": var.name, "value": value}
    if var.secret is not None:
        return {
            "name": var.name,
            "valueFrom": {"secretKeyRef": {"name": var.secret.name, "key": var.secret.key}},
        }
    if var.config_map is not None:
        ref = {"name": var.config_map.name, "key": var.config_map.key}
        return {"name": var.name, "valueFrom": {"configMapKeyRef": ref}}
    if var.field is not None:
        return {"name": var.name, "valueFrom": {"fieldRef": {"fieldPath": var.field}}}
    return {"name": var.name, "valueFrom": {"resourceFieldRef": {"resource": var.resource}}}


def _probe(probe: Probe) -> Obj:
    result: Obj = {}
    if probe.http_get is not None:
        result["httpGet"] = {"path": probe.http_get.path, "port": probe.http_get.port}
    elif probe.exec is not None:
        result["exec"] = {"command": list(probe.exec)}
    elif probe.tcp_port is not None:
        result["tcpSocket"] = {"port": probe.tcp_port}
    result.update(
        initialDelaySeconds=probe.initial_delay_seconds,
        periodSeconds=probe.period_seconds,
        timeoutSeconds=probe.timeout_seconds,
        failureThreshold=probe.failure_threshold,
    )
    return result


def wait_container_name(target: str) -> str:
    """The init container waiting for `component:port`."""
    return f"wait-for-{target.partition(':')[0]}"


def _wait_target(catalog: Catalog, target: str) -> tuple[str, str, list[Obj]]:
    """(host, port, env) of a waitFor target; the platform's object storage is read from its ConfigMap, whose
    data each platform Component sets, so one base waits for MinIO on Kubernetes and ODF on OpenShift."""
    if target == OBJECT_STORAGE:
        env = [
            {
                "name": f"OBJECT_STORAGE_{key.upper()}",
                "valueFrom": {"configMapKeyRef": {"name": OBJECT_STORAGE, "key": key}},
            }
            for key in ("host", "port")
        ]
        return "${OBJECT_STORAGE_HOST}", "${OBJECT_STORAGE_PORT}", env
    name, _, port_ref = target.partition(":")
    if any(p.kafka is not None and p.kafka.component == name for p in catalog.platforms.values()):
        # an operator runs Kafka on some platform: the ConfigMap `kafka` each platform writes says where
        env = [
            {"name": f"KAFKA_{key.upper()}", "valueFrom": {"configMapKeyRef": {"name": "kafka", "key": key}}}
            for key in ("host", "port")
        ]
        return "${KAFKA_HOST}", "${KAFKA_PORT}", env
    peer = catalog.component(name)
    assert peer is not None
    port = peer.port(port_ref)
    assert port is not None
    return peer.service_name, str(port.port), []


def _wait_containers(catalog: Catalog, component: Component) -> list[Obj]:
    containers = []
    for target in component.wait_for:
        host, port, env = _wait_target(catalog, target)
        script = (
            f"until (exec 3<>/dev/tcp/{host}/{port}) 2>/dev/null; "
            f"do echo waiting for {host}:{port}; sleep 2; done"
        )
        container: Obj = {
            "name": wait_container_name(target),
            "image": str(catalog.images["wait"]) if "wait" in catalog.images else image_of(catalog, component),
            "command": ["/bin/bash", "-c", script],
        }
        if env:
            container["env"] = env
        container.update(resources=WAIT_RESOURCES, securityContext=RESTRICTED_CONTAINER_SECURITY)
        containers.append(container)
    return containers


def main_container(catalog: Catalog, component: Component, profile: ResolvedProfile) -> Obj:
    container: Obj = {"name": component.name, "image": image_of(catalog, component)}
    if component.command is not None:
        container["command"] = list(component.command)
    if component.args is not None:
        container["args"] = list(component.args)
    if component.ports:
        container["ports"] = [
            {"name": p.name, "containerPort": p.port, "protocol": p.protocol} for p in component.ports
        ]
    env = container_env(component, profile.analytics)
    if env:
        container["env"] = env
    container["resources"] = resources_of(profile, component)
    if component.probes is not None:
        for kind in ("liveness", "readiness", "startup"):
            probe = getattr(component.probes, kind)
            if probe is not None:
                container[f"{kind}Probe"] = _probe(probe)
    mounts = [_mount(v.name, v.mount_path, v.sub_path, v.read_only) for v in component.volumes]
    if component.kind == "StatefulSet":
        mounts += [
            _mount(c.name, c.mount_path, None, False)
            for c in component.storage
            if not _claimed(component, c.name)
        ]
    if component.config is not None:
        mounts.append(_mount(CONFIG_VOLUME, component.config.mount_path, None, True))
    if mounts:
        container["volumeMounts"] = mounts
    container["securityContext"] = {
        **RESTRICTED_CONTAINER_SECURITY,
        "readOnlyRootFilesystem": component.read_only_root_filesystem,
    }
    return container


def _claimed(component: Component, claim: str) -> bool:
    return any(v.claim == claim for v in component.volumes)


def _mount(name: str, path: str, sub_path: str | None, read_only: bool) -> Obj:
    mount: Obj = {"name": name, "mountPath": path}
    if sub_path:
        mount["subPath"] = sub_path
    if read_only:
        mount["readOnly"] = True
    return mount


def claim_name(component: Component, claim: str) -> str:
    return f"{component.name}-{claim}"


def _volumes(component: Component) -> list[Obj]:
    volumes: list[Obj] = []
    for volume in component.volumes:
        if volume.empty_dir:
            empty: Obj = {"sizeLimit": str(volume.size_limit)} if volume.size_limit else {}
            volumes.append({"name": volume.name, "emptyDir": empty})
        elif volume.config_map:
            volumes.append({"name": volume.name, "configMap": {"name": volume.config_map}})
        elif volume.secret:
            volumes.append({"name": volume.name, "secret": {"secretName": volume.secret}})
        elif volume.claim:
            volumes.append(
                {
                    "name": volume.name,
                    "persistentVolumeClaim": {"claimName": claim_name(component, volume.claim)},
                }
            )
    if component.kind != "StatefulSet":
        for claim in component.storage:
            if not _claimed(component, claim.name):
                ref = {"claimName": claim_name(component, claim.name)}
                volumes.append({"name": claim.name, "persistentVolumeClaim": ref})
    if component.config is not None:
        items = [{"key": config_key(path), "path": path} for path in sorted(component.config.files)]
        volumes.append({"name": CONFIG_VOLUME, "configMap": {"name": component.config.name, "items": items}})
    return volumes


def pod_template(catalog: Catalog, component: Component, profile: ResolvedProfile) -> Obj:
    spec: Obj = {}
    if component.service_account:
        spec["serviceAccountName"] = component.name
    # stated on every pod: the ServiceAccount's own setting is invisible to scanners reading the pod
    spec["automountServiceAccountToken"] = component.service_account_token
    spec["securityContext"] = dict(RESTRICTED_POD_SECURITY)
    if component.kind in ("Job", "CronJob"):
        spec["restartPolicy"] = "Never"
    init = _wait_containers(catalog, component)
    if init:
        spec["initContainers"] = init
    spec["containers"] = [main_container(catalog, component, profile)]
    volumes = _volumes(component)
    if volumes:
        spec["volumes"] = volumes
    return {"metadata": {"labels": L.component_labels(catalog, component)}, "spec": spec}


def volume_claim_templates(
    catalog: Catalog, component: Component, profile: ResolvedProfile, storage_classes: dict[str, str] | None = None
) -> list[Obj]:
    """`storage_classes`: volume class -> StorageClass (the site knobs'; the bases have none)."""
    # apiVersion and kind spelled out: the API server adds them, and Argo CD would otherwise see drift
    templates = []
    for claim in component.storage:
        spec: Obj = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": str(profile.storage_for(component, claim.name, claim.size))}},
        }
        storage_class = (storage_classes or {}).get(claim.volume_class)
        if storage_class:
            spec["storageClassName"] = storage_class
        templates.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": claim.name, "labels": L.selector_labels(catalog, component)},
                "spec": spec,
            }
        )
    return templates


def checkov_annotations(catalog: Catalog, component: Component) -> dict[str, str]:
    """The checks the component fails on purpose, as checkov reads them: `checkov.io/skip<n>: ID=reason`."""
    skips = {**catalog.checkov_skips, **component.checkov_skips}
    return {f"checkov.io/skip{n}": f"{check}={skips[check]}" for n, check in enumerate(sorted(skips), 1)}


def _metadata(catalog: Catalog, component: Component, name: str, annotations: dict[str, str]) -> Obj:
    return {"name": name, "labels": L.component_labels(catalog, component), "annotations": annotations}


def workload(catalog: Catalog, component: Component, profile: ResolvedProfile) -> Obj:
    kind = component.kind
    template = pod_template(catalog, component, profile)
    selector = {"matchLabels": L.selector_labels(catalog, component)}
    if kind in ("Job", "CronJob"):
        job_spec: Obj = {
            "backoffLimit": component.backoff_limit if component.backoff_limit is not None else 3
        }
        job_spec["template"] = template
        if kind == "Job":
            annotations = job_hook_annotations(component)
            spec: Obj = job_spec
        else:
            annotations = wave_annotation(component_wave(component))
            spec = {
                "schedule": component.schedule,
                "concurrencyPolicy": "Forbid",
                "successfulJobsHistoryLimit": 1,
                "failedJobsHistoryLimit": 3,
                "jobTemplate": {"spec": job_spec},
            }
    else:
        annotations = wave_annotation(component_wave(component))
        spec = {"replicas": profile.replicas_for(component), "selector": selector}
        if kind == "StatefulSet":
            spec["serviceName"] = component.service_name
        elif component.singleton or component.storage:
            # one pod at a time: a single scheduler, or a ReadWriteOnce volume
            spec["strategy"] = {"type": "Recreate"}
        spec["template"] = template
        if kind == "StatefulSet" and component.storage:
            spec["volumeClaimTemplates"] = volume_claim_templates(catalog, component, profile)
    return {
        "apiVersion": WORKLOAD_API[kind],
        "kind": kind,
        "metadata": _metadata(
            catalog, component, component.name, {**annotations, **checkov_annotations(catalog, component)}
        ),
        "spec": spec,
    }


def service(catalog: Catalog, component: Component) -> Obj | None:
    if component.service is None:
        return None
    ports = []
    for ref in component.service.ports:
        port = component.port(ref)
        assert port is not None
        ports.append(
            {"name": port.name, "port": port.port, "targetPort": port.name, "protocol": port.protocol}
        )
    spec: Obj = {"type": "ClusterIP", "selector": L.service_selector(catalog, component), "ports": ports}
    if component.service.headless:
        spec["clusterIP"] = "None"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(
            catalog, component, component.service_name, wave_annotation(component_wave(component))
        ),
        "spec": spec,
    }


def persistent_volume_claims(catalog: Catalog, component: Component, profile: ResolvedProfile) -> list[Obj]:
    if component.kind == "StatefulSet":
        return []
    return [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": _metadata(
                catalog,
                component,
                claim_name(component, claim.name),
                wave_annotation(component_wave(component)),
            ),
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {
                    "requests": {"storage": str(profile.storage_for(component, claim.name, claim.size))}
                },
            },
        }
        for claim in component.storage
    ]


def service_account(catalog: Catalog, component: Component) -> Obj | None:
    if not component.service_account:
        return None
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _metadata(catalog, component, component.name, wave_annotation(WAVE_CONFIG)),
        "automountServiceAccountToken": False,
    }
