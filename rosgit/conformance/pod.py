"""What one container of a built overlay would get in its pod: command/args, env with every ConfigMap and Secret
reference resolved, the ConfigMap files at their mount paths, its ports and probes.

The overlays hold SealedSecrets, so a Secret's values cannot be read: each (Secret, key) gets a deterministic
test value, the same for every consumer of that key (so a database user's password in the database pod and in
its clients agree, as they do in a cluster).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from rosgit.errors import UsageError
from rosgit.k8s.meta import as_map, name_of, sealed_secret_target
from rosgit.k8s.objects import Obj
from rosgit.k8s.podspec import PodTemplate, pod_templates

# A pod that sets no runAsUser runs as the uid OpenShift's restricted SCC assigns from the namespace's range (or
# as the image's USER, which the overlay does not show): this unprivileged uid stands in for either.
ASSIGNED_UID = 1000650000


def secret_test_value(secret: str, key: str) -> str:
    """The value every consumer of `key` in Secret `secret` gets in the tests (letters and digits only)."""
    return "t" + hashlib.sha256(f"{secret}/{key}".encode()).hexdigest()[:23]


@dataclass(frozen=True)
class Probe:
    kind: str  # liveness | readiness | startup
    action: str  # httpGet | tcpSocket | exec
    port: int | None = None
    path: str = "/"
    command: tuple[str, ...] = ()


@dataclass(frozen=True)
class InitStep:
    """One init container of the pod, as it would run before the main one."""

    name: str
    command: tuple[str, ...]
    args: tuple[str, ...]
    env: dict[str, str]
    files: dict[str, dict[str, str]]  # mount path -> file name -> text (ConfigMap volumes)
    config_maps: dict[str, str]  # mount path -> ConfigMap name (an injected one has no data in the overlay)
    mounts: tuple[str, ...]


@dataclass(frozen=True)
class Container:
    """One container as its pod runs it. `where` names it in messages: `StatefulSet/koku-db container koku-db`."""

    workload: str  # the component (app.kubernetes.io/name)
    owner: str  # Kind/name of the workload object
    name: str
    image: str
    command: tuple[str, ...]
    args: tuple[str, ...]
    env: dict[str, str]
    secret_env: frozenset[str]  # names whose value is a Secret's test value (never printed)
    files: dict[str, dict[str, str]]  # mount path -> file name -> text (ConfigMap volumes)
    ports: dict[str, int]  # port name -> containerPort
    probes: tuple[Probe, ...]
    mounts: tuple[str, ...]  # every volume mount path (data directories among them)
    run_as_user: int = ASSIGNED_UID
    env_sources: dict[str, str] = field(default_factory=dict)  # name -> where its value came from
    init_steps: tuple[InitStep, ...] = ()  # the pod's init containers, in order

    @property
    def where(self) -> str:
        return f"{self.owner} container {self.name}"

    @property
    def argv(self) -> tuple[str, ...]:
        return (*self.command, *self.args)


def _config_maps(objects: list[Obj]) -> dict[str, dict[str, str]]:
    return {name_of(o): {str(k): str(v) for k, v in as_map(o.get("data")).items()}
            for o in objects if o.get("kind") == "ConfigMap"}


def _secret_keys(objects: list[Obj]) -> dict[str, set[str]]:
    """Secret name -> its keys, from Secrets and the SealedSecrets that will become them."""
    found: dict[str, set[str]] = {}
    for obj in objects:
        if obj.get("kind") == "Secret":
            found.setdefault(name_of(obj), set()).update(as_map(obj.get("data")), as_map(obj.get("stringData")))
        elif obj.get("kind") == "SealedSecret":
            name = sealed_secret_target(obj)[1]
            found.setdefault(name, set()).update(as_map(as_map(obj.get("spec")).get("encryptedData")))
    return found


class _Resolver:
    def __init__(self, objects: list[Obj]) -> None:
        self.config_maps = _config_maps(objects)
        self.secrets = _secret_keys(objects)

    def config_value(self, where: str, name: str, key: str) -> str:
        data = self.config_maps.get(name)
        if data is None or key not in data:
            raise UsageError(f"{where}: ConfigMap {name} key {key} is not in the overlay")
        return data[key]

    def secret_value(self, where: str, name: str, key: str) -> str:
        if key not in self.secrets.get(name, set()):
            raise UsageError(f"{where}: Secret {name} key {key} is not in the overlay")
        return secret_test_value(name, key)


def _env(container: dict[str, Any], where: str, resolver: _Resolver) -> tuple[dict[str, str], set[str], dict[str, str]]:
    values: dict[str, str] = {}
    secret: set[str] = set()
    sources: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = str(source.get("prefix", ""))
        if "configMapRef" in source:
            name = str(source["configMapRef"].get("name"))
            for key, value in resolver.config_maps.get(name, {}).items():
                values[prefix + key] = value
                sources[prefix + key] = f"ConfigMap {name}"
        elif "secretRef" in source:
            name = str(source["secretRef"].get("name"))
            for key in sorted(resolver.secrets.get(name, set())):
                values[prefix + key] = secret_test_value(name, key)
                secret.add(prefix + key)
                sources[prefix + key] = f"Secret {name}"
    for entry in container.get("env") or []:
        name = str(entry.get("name"))
        reference = as_map(entry.get("valueFrom"))
        if "value" in entry or not reference:
            values[name] = _expand(str(entry.get("value", "")), values)
            secret.discard(name)
            sources[name] = "env"
        elif "configMapKeyRef" in reference:
            ref = reference["configMapKeyRef"]
            values[name] = resolver.config_value(f"{where} env {name}", str(ref.get("name")), str(ref.get("key")))
            sources[name] = f"ConfigMap {ref.get('name')} key {ref.get('key')}"
        elif "secretKeyRef" in reference:
            ref = reference["secretKeyRef"]
            values[name] = resolver.secret_value(f"{where} env {name}", str(ref.get("name")), str(ref.get("key")))
            secret.add(name)
            sources[name] = f"Secret {ref.get('name')} key {ref.get('key')}"
    return values, secret, sources


def _expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion of env values, command and args; $$ escapes, unknown names stay."""
    out: list[str] = []
    index = 0
    while index < len(text):
        if text.startswith("$$", index):
            out.append("$")
            index += 2
        elif text.startswith("$(", index) and ")" in text[index:]:
            end = text.index(")", index)
            name = text[index + 2:end]
            out.append(env.get(name, text[index:end + 1]))
            index = end + 1
        else:
            out.append(text[index])
            index += 1
    return "".join(out)


def _files(template: PodTemplate, container: dict[str, Any], resolver: _Resolver) -> dict[str, dict[str, str]]:
    volumes = {str(v.get("name")): v for v in template.spec.get("volumes") or [] if isinstance(v, dict)}
    files: dict[str, dict[str, str]] = {}
    for mount in container.get("volumeMounts") or []:
        source = as_map(volumes.get(str(mount.get("name")), {}).get("configMap"))
        if not source:
            continue
        data = resolver.config_maps.get(str(source.get("name")), {})
        items = source.get("items")
        chosen = {str(i["path"]): data.get(str(i["key"]), "") for i in items} if items else dict(data)
        sub = str(mount.get("subPath", ""))
        path = str(mount.get("mountPath"))
        if sub:  # one file mounted at the path itself
            parent, _, base = path.rpartition("/")
            files.setdefault(parent or "/", {})[base] = chosen.get(sub, "")
        else:
            files.setdefault(path, {}).update(chosen)
    return files


def _probes(container: dict[str, Any], ports: dict[str, int]) -> tuple[Probe, ...]:
    found: list[Probe] = []
    for kind in ("liveness", "readiness", "startup"):
        spec = as_map(container.get(f"{kind}Probe"))
        for action in ("httpGet", "tcpSocket", "exec", "grpc"):
            if action in spec:
                detail = as_map(spec[action])
                port = detail.get("port")
                number = ports.get(port) if isinstance(port, str) else port if isinstance(port, int) else None
                found.append(Probe(kind, action, number, str(detail.get("path", "/")),
                                   tuple(str(w) for w in detail.get("command") or [])))
    return tuple(found)


def _config_map_mounts(template: PodTemplate, container: dict[str, Any]) -> dict[str, str]:
    volumes = {str(v.get("name")): v for v in template.spec.get("volumes") or [] if isinstance(v, dict)}
    found: dict[str, str] = {}
    for mount in container.get("volumeMounts") or []:
        source = as_map(volumes.get(str(mount.get("name")), {}).get("configMap"))
        if source:
            found[str(mount.get("mountPath"))] = str(source.get("name"))
    return found


def _init_steps(template: PodTemplate, resolver: _Resolver) -> tuple[InitStep, ...]:
    steps: list[InitStep] = []
    for raw in template.spec.get("initContainers") or []:
        where = f"{template.kind}/{template.name} init container {raw.get('name')}"
        env, _, _ = _env(raw, where, resolver)
        steps.append(InitStep(
            name=str(raw.get("name")),
            command=tuple(_expand(str(w), env) for w in raw.get("command") or []),
            args=tuple(_expand(str(w), env) for w in raw.get("args") or []),
            env=env,
            files=_files(template, raw, resolver),
            config_maps=_config_map_mounts(template, raw),
            mounts=tuple(str(m.get("mountPath")) for m in raw.get("volumeMounts") or []),
        ))
    return tuple(steps)


def containers(objects: list[Obj]) -> list[Container]:
    """Every regular container of every workload of a built overlay, each with its pod's init containers."""
    resolver = _Resolver(objects)
    found: list[Container] = []
    for template in pod_templates(objects):
        pod_user = as_map(template.spec.get("securityContext")).get("runAsUser")
        steps = _init_steps(template, resolver)
        for raw in template.spec.get("containers") or []:
            where = f"{template.kind}/{template.name} container {raw.get('name')}"
            env, secret, sources = _env(raw, where, resolver)
            ports = {str(p["name"]): int(p["containerPort"]) for p in raw.get("ports") or [] if p.get("name")}
            user = as_map(raw.get("securityContext")).get("runAsUser", pod_user)
            found.append(Container(
                workload=template.workload,
                owner=f"{template.kind}/{template.name}",
                name=str(raw.get("name")),
                image=str(raw.get("image", "")),
                command=tuple(_expand(str(w), env) for w in raw.get("command") or []),
                args=tuple(_expand(str(w), env) for w in raw.get("args") or []),
                env=env,
                secret_env=frozenset(secret),
                files=_files(template, raw, resolver),
                ports=ports,
                probes=_probes(raw, ports),
                mounts=tuple(str(m.get("mountPath")) for m in raw.get("volumeMounts") or []),
                run_as_user=user if isinstance(user, int) else ASSIGNED_UID,
                env_sources=sources,
                init_steps=steps,
            ))
    return found


def service_names(objects: list[Obj]) -> list[str]:
    """Every Service name of the overlay: the host names its programs are configured with."""
    return sorted({name_of(o) for o in objects if o.get("kind") == "Service"})
