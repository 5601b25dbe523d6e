"""The pods a workload runs, the Secrets/ConfigMaps/claims/ServiceAccounts they name, and label selectors:
the one pod-spec walker the lint rules and the sync-order model share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rosgit.k8s.labels import NAME
from rosgit.k8s.meta import as_map, metadata, name_of, namespace_of, ref
from rosgit.k8s.objects import Obj

# Kinds whose pods come from spec.template (CronJob nests one level deeper, Pod is its own template).
TEMPLATE_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


@dataclass(frozen=True)
class PodTemplate:
    """The pods one workload runs, with what the rules need to reason about them."""

    owner: Obj
    kind: str
    name: str
    namespace: str
    labels: dict[str, str]
    spec: dict[str, Any]
    replicas: int | None

    @property
    def ref(self) -> str:
        return ref(self.owner)

    @property
    def workload(self) -> str:
        """The component this pod belongs to: its app.kubernetes.io/name label, else the workload name."""
        return self.labels.get(NAME, self.name)

    def containers(self) -> Iterator[dict[str, Any]]:
        """Every container, init and ephemeral container of the pod."""
        for field in ("initContainers", "containers", "ephemeralContainers"):
            for container in _list(self.spec.get(field)):
                if isinstance(container, dict):
                    yield container

    def app_containers(self) -> Iterator[dict[str, Any]]:
        """Containers that serve traffic: regular ones, plus restartable (sidecar) init containers."""
        for container in _list(self.spec.get("initContainers")):
            if isinstance(container, dict) and container.get("restartPolicy") == "Always":
                yield container
        for container in _list(self.spec.get("containers")):
            if isinstance(container, dict):
                yield container

    def ports(self) -> list[tuple[str | None, int, str]]:
        """(name, containerPort, protocol) declared by the serving containers."""
        found = []
        for container in self.app_containers():
            for port in _list(container.get("ports")):
                if isinstance(port, dict) and isinstance(port.get("containerPort"), int):
                    name = port.get("name")
                    found.append(
                        (str(name) if name else None, port["containerPort"], str(port.get("protocol", "TCP")))
                    )
        return found


def pod_template_of(obj: Obj) -> PodTemplate | None:
    kind = obj.get("kind")
    spec = as_map(obj.get("spec"))
    replicas: int | None = None
    if kind in TEMPLATE_KINDS:
        template = as_map(spec.get("template"))
        if kind in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"):
            replicas = spec["replicas"] if isinstance(spec.get("replicas"), int) else 1
    elif kind == "CronJob":
        template = as_map(as_map(as_map(spec.get("jobTemplate")).get("spec")).get("template"))
    elif kind == "Pod":
        template = obj
    else:
        return None
    return PodTemplate(
        owner=obj,
        kind=str(kind),
        name=name_of(obj),
        namespace=namespace_of(obj),
        labels={str(k): str(v) for k, v in as_map(metadata(template).get("labels")).items()},
        spec=as_map(template.get("spec")),
        replicas=replicas,
    )


def pod_templates(objects: list[Obj]) -> list[PodTemplate]:
    return [t for t in (pod_template_of(obj) for obj in objects) if t is not None]


@dataclass(frozen=True)
class Reference:
    """One name (and maybe key) a pod reads, and where in the pod it is read."""

    kind: str  # Secret, ConfigMap, PersistentVolumeClaim, ServiceAccount
    name: str
    key: str | None
    optional: bool
    where: str


def _keyed(kind: str, source: dict[str, Any], name_field: str, where: str) -> Iterator[Reference]:
    name = str(source.get(name_field, ""))
    optional = source.get("optional") is True
    items = _items(source.get("items"))
    if not items:
        yield Reference(kind, name, None, optional, where)
    for item in items:
        yield Reference(kind, name, str(item.get("key", "")), optional, where)


def pod_references(template: PodTemplate) -> Iterator[Reference]:
    """Every Secret/ConfigMap/claim/ServiceAccount the pod template names, in document order."""
    spec = template.spec
    for container in template.containers():
        cname = container.get("name", "?")
        for env in _items(container.get("env")):
            value_from = as_map(env.get("valueFrom"))
            where = f"container {cname} env {env.get('name')}"
            for field, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                source = as_map(value_from.get(field))
                if source:
                    yield Reference(
                        kind,
                        str(source.get("name", "")),
                        str(source.get("key", "")),
                        source.get("optional") is True,
                        where,
                    )
        for env_from in _items(container.get("envFrom")):
            for field, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                source = as_map(env_from.get(field))
                if source:
                    yield Reference(
                        kind,
                        str(source.get("name", "")),
                        None,
                        source.get("optional") is True,
                        f"container {cname} envFrom",
                    )
    for volume in _items(spec.get("volumes")):
        where = f"volume {volume.get('name')}"
        if "secret" in volume:
            yield from _keyed("Secret", as_map(volume["secret"]), "secretName", where)
        if "configMap" in volume:
            yield from _keyed("ConfigMap", as_map(volume["configMap"]), "name", where)
        if "persistentVolumeClaim" in volume:
            claim = as_map(volume["persistentVolumeClaim"])
            yield Reference("PersistentVolumeClaim", str(claim.get("claimName", "")), None, False, where)
        for source in _items(as_map(volume.get("projected")).get("sources")):
            if "secret" in source:
                yield from _keyed("Secret", as_map(source["secret"]), "name", where)
            if "configMap" in source:
                yield from _keyed("ConfigMap", as_map(source["configMap"]), "name", where)
    for pull in _items(spec.get("imagePullSecrets")):
        yield Reference("Secret", str(pull.get("name", "")), None, True, "imagePullSecrets")
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if account and account != "default":
        yield Reference("ServiceAccount", str(account), None, False, "serviceAccountName")


def selector_matches(selector: Mapping[str, Any] | None, target: Mapping[str, str]) -> bool:
    """metav1.LabelSelector semantics: an empty selector matches everything; terms are ANDed."""
    if selector is None:
        return False
    for key, value in as_map(selector.get("matchLabels")).items():
        if target.get(str(key)) != str(value):
            return False
    for expression in _list(selector.get("matchExpressions")):
        if not isinstance(expression, dict):
            return False
        key = str(expression.get("key", ""))
        operator = expression.get("operator")
        values = {str(v) for v in _list(expression.get("values"))}
        present = key in target
        if operator == "In" and not (present and target[key] in values):
            return False
        if operator == "NotIn" and present and target[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def map_selector_matches(selector: Mapping[str, Any], target: Mapping[str, str]) -> bool:
    """A plain map selector (Service spec.selector): every pair must match."""
    return all(target.get(str(k)) == str(v) for k, v in selector.items())
