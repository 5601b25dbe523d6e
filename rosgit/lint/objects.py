"""Read-only views of built Kubernetes objects shared by the lint rules: names, pod templates, selectors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]

# Kinds whose pods come from spec.template (CronJob nests one level deeper, Pod is its own template).
TEMPLATE_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController")
WORKLOAD_KINDS = (*TEMPLATE_KINDS, "CronJob", "Pod")
NAME_LABEL = "app.kubernetes.io/name"


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    return _map(obj.get("metadata"))


def name_of(obj: Mapping[str, Any]) -> str:
    return str(metadata(obj).get("name", ""))


def namespace_of(obj: Mapping[str, Any]) -> str:
    return str(metadata(obj).get("namespace") or "")


def annotations_of(obj: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in _map(metadata(obj).get("annotations")).items()}


def labels(obj: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in _map(metadata(obj).get("labels")).items()}


def ref(obj: Mapping[str, Any]) -> str:
    """`Kind/namespace/name`, or `Kind/name` for cluster-scoped objects: the object id findings carry."""
    namespace = namespace_of(obj)
    kind = str(obj.get("kind", "?"))
    return f"{kind}/{namespace}/{name_of(obj)}" if namespace else f"{kind}/{name_of(obj)}"


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
        return self.labels.get(NAME_LABEL, self.name)

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
    spec = _map(obj.get("spec"))
    replicas: int | None = None
    if kind in TEMPLATE_KINDS:
        template = _map(spec.get("template"))
        if kind in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"):
            replicas = spec["replicas"] if isinstance(spec.get("replicas"), int) else 1
    elif kind == "CronJob":
        template = _map(_map(_map(spec.get("jobTemplate")).get("spec")).get("template"))
    elif kind == "Pod":
        template = obj
    else:
        return None
    return PodTemplate(
        owner=obj,
        kind=str(kind),
        name=name_of(obj),
        namespace=namespace_of(obj),
        labels={str(k): str(v) for k, v in _map(metadata(template).get("labels")).items()},
        spec=_map(template.get("spec")),
        replicas=replicas,
    )


def pod_templates(objects: list[Obj]) -> list[PodTemplate]:
    return [t for t in (pod_template_of(obj) for obj in objects) if t is not None]


def selector_matches(selector: Mapping[str, Any] | None, target: Mapping[str, str]) -> bool:
    """metav1.LabelSelector semantics: an empty selector matches everything; terms are ANDed."""
    if selector is None:
        return False
    for key, value in _map(selector.get("matchLabels")).items():
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


def by_kind(objects: list[Obj], *kinds: str) -> list[Obj]:
    return [obj for obj in objects if obj.get("kind") in kinds]
