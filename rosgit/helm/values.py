"""values.yaml and friends: where each component lives in the values tree, and what each profile and
platform sets there. Pure functions over the catalog."""

from __future__ import annotations

from typing import Any

from rosgit.catalog.model import Catalog, Component, PlatformName, SecretSpec, Site
from rosgit.catalog.profiles import ResolvedProfile, resolve_profile
from rosgit.catalog.site import affinity_object, layered, published_host, tls_secret, toleration_object
from rosgit.generate.strimzi import BROKER_POOL, CONTROLLER_POOL, pool_shapes, replication, strimzi_settings
from rosgit.generate.workloads import CONFIG_VAR, image_of, resources_of
from rosgit.k8s.objects import Obj


def kebab_to_camel(name: str) -> str:
    """koku-db-credentials -> kokuDbCredentials: a values key from a Kubernetes name."""
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_SECTIONS = (("koku-", "koku"), ("trino-", "trino"), ("hive-", "trino"), ("rosocp-", "ros"), ("ros-", "ros"))


def values_path(catalog: Catalog, component: Component) -> tuple[str, ...]:
    """The plan's layout: koku.api.reads, koku.celery.workers.priorityXl, koku.database, trino.metastore,
    trino.metastore.database, ros.api, infrastructure.redis. The section follows the name's product
    prefix (a Koku database belongs to Koku), else the component's group."""
    name = component.name
    if name.endswith("-db"):
        parent = catalog.component(name.removesuffix("-db"))
        if parent is not None:
            return (*values_path(catalog, parent), "database")
    section: str = component.group
    rest = name
    for prefix, owner in _SECTIONS:
        if name.startswith(prefix):
            section, rest = owner, name.removeprefix(prefix)
            break
    if rest == "db":
        return (section, "database")
    if section == "koku":
        if rest.startswith("worker-"):
            return ("koku", "celery", "workers", kebab_to_camel(rest.removeprefix("worker-")))
        if rest == "celery-beat":
            return ("koku", "celery", "beat")
        if rest.startswith("api-"):
            return ("koku", "api", kebab_to_camel(rest.removeprefix("api-")))
    return (section, kebab_to_camel(rest))


def secret_values_key(name: str) -> str:
    return kebab_to_camel(name)


def command_overridden(catalog: Catalog, component: Component) -> bool:
    return any(component.name in platform.command_overrides for platform in catalog.platforms.values())


def chart_components(catalog: Catalog) -> list[Component]:
    """Every component on some platform, disabled ones included: values.yaml can switch them on."""
    return [c for c in catalog.components if any(p in catalog.platforms for p in c.platforms)]


def config_vars(catalog: Catalog) -> dict[str, list[str]]:
    """{values section: var names}: a var lives in the group of the components using it, else in global."""
    users: dict[str, set[str]] = {}
    for component in chart_components(catalog):
        if component.config is None:
            continue
        for text in component.config.files.values():
            for var in CONFIG_VAR.findall(text):
                users.setdefault(var, set()).add(component.group)
    sections: dict[str, list[str]] = {}
    for var, groups in sorted(users.items()):
        section = next(iter(groups)) if len(groups) == 1 else "global"
        sections.setdefault(section, []).append(var)
    return sections


def var_ref(catalog: Catalog, var: str) -> str:
    for section, names in config_vars(catalog).items():
        if var in names:
            return f".Values.{section}.vars.{var}"
    raise KeyError(var)


def _set(tree: Obj, path: tuple[str, ...], key: str, value: Any) -> None:
    node = tree
    for part in path:
        node = node.setdefault(part, {})
    node[key] = value


def component_sizing(component: Component, profile: ResolvedProfile) -> Obj:
    """What a profile decides for a component: replicas, resources, storage."""
    sizing: Obj = {}
    if component.runs_pods_continuously:
        sizing["replicas"] = profile.replicas_for(component)
    sizing["resources"] = resources_of(profile, component)
    if component.storage:
        sizing["storage"] = {
            claim.name: str(profile.storage_for(component, claim.name, claim.size))
            for claim in component.storage
        }
    return sizing


def strimzi_values(catalog: Catalog, profile: ResolvedProfile) -> Obj | None:
    """What a profile decides for an operator-run Kafka: broker settings, topic replicas and each node pool
    (a pool the profile does not run is present with enabled: false, so every values file has every key)."""
    strimzi = next((p.kafka for p in catalog.platforms.values() if p.kafka is not None), None)
    if strimzi is None:
        return None
    shapes = pool_shapes(catalog, strimzi, profile)
    pools: Obj = {}
    for name in (BROKER_POOL, CONTROLLER_POOL):
        shape = shapes.get(name) or {**shapes[BROKER_POOL], "replicas": 0, "roles": ["controller"]}
        pools[name] = {"enabled": name in shapes, **shape}
    return {"config": strimzi_settings(profile), "topicReplicas": replication(profile)[0], **pools}


def site_values(site: Site, *, published: bool = False) -> Obj:
    """One level's site knobs (docs/site-knobs.md), every key present; the chart's `ros-ocp.site` helper layers
    global.site.catalog, .platform, .profile and the component's `site` as rosgit.catalog.site does.
    `published`: the profile's host and TLS Secret too (the platform's are global.ingress.host/tlsSecretName)."""
    values: Obj = {
        "storageClassNames": dict(site.storage_class_names),
        "nodeSelector": dict(site.node_selector),
        "tolerations": [toleration_object(t) for t in site.tolerations],
        "affinity": affinity_object(site.affinity),
        "imagePullSecrets": [{"name": name} for name in site.image_pull_secrets],
        "labels": dict(site.labels),
        "annotations": dict(site.annotations),
    }
    if published:
        values["host"] = site.host or ""
        values["tlsSecretName"] = tls_secret(site.tls) or ""
    return values


def replacing(default: Any, wanted: Any) -> Any:
    """`wanted` as a values file over `default` (values.yaml): Helm merges maps key by key, so every key of
    `default` that `wanted` lacks is set to null, which Helm reads as "delete this key"."""
    if not (isinstance(default, dict) and isinstance(wanted, dict)):
        return wanted
    merged = {key: replacing(default[key], value) if key in default else value for key, value in wanted.items()}
    merged.update({key: None for key in default if key not in wanted})
    return merged


def published_values(catalog: Catalog, platform_name: PlatformName) -> Obj:
    """The published endpoint as a platform sets it: host (for the Ingress its ingressHost too) and TLS."""
    platform = catalog.platforms[platform_name]
    kubernetes = platform_name == "kubernetes"
    host = published_host(catalog, platform_name, Site(), ingress=kubernetes)
    secret = tls_secret(layered(catalog.site, platform.site).tls) if kubernetes else None
    return {"host": host or "", "tlsSecretName": secret or ""}


def profile_values(catalog: Catalog, profile: ResolvedProfile) -> Obj:
    """Everything a profile sets: sizing of every component, spreading, PDBs and config vars."""
    tree: Obj = {
        "global": {
            "antiAffinity": profile.anti_affinity,
            "podDisruptionBudgets": profile.pod_disruption_budgets,
            # where Koku's report SQL runs: switches the Trino objects, Koku's ONPREM/TRINO_* and the policies
            "analytics": profile.analytics,
        }
    }
    if profile.authorization is not None:
        tree["global"]["authorization"] = {"mode": profile.authorization}
    for component in chart_components(catalog):
        for key, value in component_sizing(component, profile).items():
            _set(tree, values_path(catalog, component), key, value)
    for section, names in config_vars(catalog).items():
        tree.setdefault(section, {})["vars"] = {name: profile.vars.get(name, "") for name in names}
    strimzi = strimzi_values(catalog, profile)
    if strimzi is not None:
        tree["strimzi"] = strimzi
    base = resolve_profile(catalog, catalog.project.base_profile)
    tree["global"]["site"] = {
        "profile": replacing(site_values(base.site, published=True), site_values(profile.site, published=True))
    }
    return tree


def pinned_images(catalog: Catalog, profile: str, tree: Obj) -> Obj:
    """The images the profile's environment pins (environments:), as the overlays' kustomize `images:` do."""
    pins = catalog.image_pins_of_profile(profile)
    if "wait" in pins:
        tree["global"]["waitImage"] = pins["wait"]
    for component in chart_components(catalog):
        if component.image in pins:
            _set(tree, values_path(catalog, component), "image", pins[component.image])
    return tree


def platform_values(catalog: Catalog, platform_name: PlatformName) -> Obj:
    """Everything a platform sets: the switch, object storage, ingress, images and commands it overrides."""
    platform = catalog.platforms[platform_name]
    storage = platform.object_storage
    tree: Obj = {
        "global": {
            "platform": {"openshift": platform_name == "openshift"},
            "objectStorage": {
                "host": storage.host,
                "port": storage.port,
                "secure": storage.secure,
                "region": storage.region,
            },
        }
    }
    if platform_name == "kubernetes":
        tree["global"]["ingress"] = {"className": platform.ingress_class_name or ""}
    tree["global"].setdefault("ingress", {}).update(published_values(catalog, platform_name))
    kubernetes = catalog.platforms["kubernetes"].site if "kubernetes" in catalog.platforms else Site()
    tree["global"]["site"] = {"platform": replacing(site_values(kubernetes), site_values(platform.site))}
    images = {key: str(catalog.images[key]) for key in catalog.images}
    for source, target in platform.image_overrides.items():
        images[source] = images[target]
    if "wait" in platform.image_overrides:
        tree["global"]["waitImage"] = images["wait"]
    for component in chart_components(catalog):
        path = values_path(catalog, component)
        if component.image in platform.image_overrides:
            _set(tree, path, "image", images[component.image])
        if command_overridden(catalog, component):
            command = platform.command_overrides.get(component.name, component.command or [])
            _set(tree, path, "command", list(command))
    return tree


def default_values(catalog: Catalog) -> Obj:
    """values.yaml: the bases' profile on Kubernetes, every component with all its keys."""
    profile = resolve_profile(catalog, catalog.project.base_profile)
    base_platform: PlatformName = "kubernetes" if "kubernetes" in catalog.platforms else "openshift"
    tree: Obj = {"global": {"platform": {"openshift": base_platform == "openshift"}}}
    platform = platform_values(catalog, base_platform)
    sizing = profile_values(catalog, profile)
    tree["global"].update(platform["global"])
    tree["global"].update(sizing["global"])
    tree["global"].setdefault("waitImage", str(catalog.images["wait"]) if "wait" in catalog.images else "")
    tree["global"].setdefault("ingress", {"className": "", "host": "", "tlsSecretName": ""})
    tree["global"]["site"] = {
        "catalog": site_values(catalog.site),
        "platform": site_values(catalog.platforms[base_platform].site),
        "profile": site_values(profile.site, published=True),
    }
    tree["secrets"] = {
        secret_values_key(s.name): _secret_values(s) for s in sorted(catalog.secrets, key=lambda s: s.name)
    }
    for component in chart_components(catalog):
        path = values_path(catalog, component)
        _set(tree, path, "enabled", component.enabled)
        if component.runs_pods_continuously:
            _set(tree, path, "replicas", profile.replicas_for(component))
        _set(tree, path, "image", image_of(catalog, component))
        if command_overridden(catalog, component):
            _set(tree, path, "command", list(component.command or []))
        for key, value in component_sizing(component, profile).items():
            _set(tree, path, key, value)
        _set(tree, path, "site", site_values(component.site))
    for section in config_vars(catalog):
        tree.setdefault(section, {})["vars"] = sizing[section]["vars"]
    if "strimzi" in sizing:
        tree["strimzi"] = sizing["strimzi"]
    # the base platform's images and commands win over the catalog's defaults
    _merge(tree, {k: v for k, v in platform.items() if k != "global"})
    return tree


def _merge(into: Obj, other: Obj) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _secret_values(spec: SecretSpec) -> Obj:
    """existingSecret, and `provided` for the keys a platform's own system owns (never generated there)."""
    values: Obj = {"existingSecret": ""}
    provided = {key: "" for key, declared in sorted(spec.keys.items()) if declared.external_on}
    if provided:
        values["provided"] = provided
    return values
