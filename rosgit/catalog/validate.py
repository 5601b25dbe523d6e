"""Cross-reference checks on a typed catalog: every name it mentions must exist and every rule must hold."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from rosgit.catalog.analytics import check_analytics
from rosgit.catalog.cron import schedule_problem
from rosgit.catalog.environments import check_environments
from rosgit.catalog.identity import check_identity
from rosgit.catalog.model import (
    ALL_PLATFORMS,
    CA_TRUST_ENV,
    OBJECT_STORAGE,
    Amounts,
    Catalog,
    Component,
    PlanTotals,
    Probe,
)
from rosgit.catalog.profiles import resolve_profile
from rosgit.catalog.release import check_chart_release
from rosgit.catalog.schema import Reader, did_you_mean, unknown_key
from rosgit.catalog.site import check_site
from rosgit.catalog.strimzi import API_SERVER, CLUSTER_OPERATOR
from rosgit.quantity import parse_quantity

# A KafkaTopic is named by its topic, so a topic must be a DNS subdomain (RFC 1123) as well as a Kafka topic.
_TOPIC = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_KAFKA_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
# checkov's Kubernetes check ids (CKV_K8S_<n>, graph checks CKV2_K8S_<n>)
_CHECKOV_ID = re.compile(r"^CKV2?_K8S_[0-9]+$")


def validate_catalog(catalog: Catalog, reader: Reader) -> None:
    """Raises UsageError(FILE:LINE: reason) for the first broken rule, in file order."""
    _check_secrets(catalog, reader)
    _check_components(catalog, reader)
    _check_traffic(catalog, reader)
    _check_profiles(catalog, reader)
    _check_overlays(catalog, reader)
    _check_kafka(catalog, reader)
    _check_target_versions(catalog, reader)
    check_kubernetes_limits(catalog, reader)
    _check_checkov_skips(catalog, reader)
    check_environments(catalog, reader)
    check_chart_release(catalog, reader)
    check_identity(catalog, reader)
    check_analytics(catalog, reader)
    check_site(catalog, reader)


def _check_secrets(catalog: Catalog, reader: Reader) -> None:
    for spec in catalog.secrets:
        for key, declared in spec.keys.items():
            if declared.value is not None:
                # The value itself is never repeated: it is a secret that just reached the catalog.
                raise reader.fail(
                    reader.line_of(declared) or reader.line_of(spec),
                    f"secret {spec.name!r}: {key}: a value in the catalog is plaintext in Git; declare how to "
                    "generate it, or `generate: none`, and give it to `rosgit seal` (file, stdin or environment)",
                )
    backend = catalog.secrets_backend
    if backend.type == "external-secrets" and backend.store is None:
        raise reader.fail(
            reader.line_of(backend),
            "secretsBackend: external-secrets needs store: {kind: ClusterSecretStore|SecretStore, name: NAME}",
        )


def _check_components(catalog: Catalog, reader: Reader) -> None:
    seen: dict[str, Component] = {}
    secret_keys = {(s.name, key) for s in catalog.secrets for key in s.keys}
    for component in catalog.components:
        line = reader.line_of(component)
        where = f"component {component.name!r}"
        if component.name in seen:
            raise reader.fail(line, f"duplicate component {component.name!r}")
        seen[component.name] = component
        if component.image not in catalog.images:
            raise reader.fail(
                line,
                f"{where}: unknown image {component.image!r}{did_you_mean(component.image, catalog.images)}"
                " (not in images:)",
            )
        if component.singleton and component.replicas != 1:
            raise reader.fail(
                line, f"{where}: a singleton must run exactly one replica, not {component.replicas}"
            )
        if component.kind == "CronJob" and not component.schedule:
            raise reader.fail(line, f"{where}: a CronJob needs a schedule")
        if component.service is not None:
            for port in component.service.ports:
                if component.port(port) is None:
                    raise reader.fail(
                        line, f"{where}: service port {port!r} is not one of the component's ports"
                    )
        if component.metrics_port and component.port(component.metrics_port) is None:
            raise reader.fail(line, f"{where}: metricsPort {component.metrics_port!r} is not a declared port")
        if component.expose and component.port(component.expose.port) is None:
            raise reader.fail(line, f"{where}: expose.port {component.expose.port!r} is not a declared port")
        if component.probes is not None:
            for probe in (component.probes.liveness, component.probes.readiness, component.probes.startup):
                _check_probe(component, probe, reader)
        for env in component.env:
            sources: list[object] = [
                env.value, env.secret, env.config_map, env.field, env.resource, env.analytics_values
            ]
            if sum(source is not None for source in sources) != 1:
                raise reader.fail(
                    reader.line_of(env) or line,
                    f"{where}: env {env.name!r} needs exactly one of value, secret, configMap, field, resource, "
                    "analyticsValues",
                )
            if env.analytics_values is not None and set(env.analytics_values) != set(env.analytics):
                raise reader.fail(
                    reader.line_of(env) or line,
                    f"{where}: env {env.name!r}: analyticsValues must give a value for each of its analytics modes "
                    f"({', '.join(env.analytics)})",
                )
            if env.secret is not None and (env.secret.name, env.secret.key) not in secret_keys:
                raise reader.fail(
                    reader.line_of(env) or line,
                    f"{where}: env {env.name!r} uses secret key {env.secret.name}/{env.secret.key}"
                    " which is not declared under secrets:",
                )
        for volume in component.volumes:
            sources = [volume.empty_dir or None, volume.config_map, volume.secret, volume.claim]
            if sum(source is not None for source in sources) != 1:
                raise reader.fail(
                    reader.line_of(volume) or line,
                    f"{where}: volume {volume.name!r} needs exactly one of emptyDir, configMap, secret, claim",
                )
            if volume.claim and volume.claim not in {c.name for c in component.storage}:
                raise reader.fail(
                    reader.line_of(volume) or line, f"{where}: volume {volume.name!r} claims unknown storage"
                )
        for platform in component.platforms:
            if platform not in ALL_PLATFORMS:
                raise reader.fail(line, f"{where}: unknown platform {platform!r}")
        _check_ca_trust(component, reader)
    for component in catalog.components:
        for target in component.wait_for:
            if target == OBJECT_STORAGE:
                continue
            name, _, port = target.partition(":")
            peer = seen.get(name)
            if peer is None or not port or peer.port(port) is None:
                raise reader.fail(
                    reader.line_of(component),
                    f"component {component.name!r}: waitFor {target!r} must name a component and one of its "
                    f"ports, or be {OBJECT_STORAGE}",
                )


def _check_ca_trust(component: Component, reader: Reader) -> None:
    if component.ca_trust is None:
        return
    where = f"component {component.name!r}: caTrust {component.ca_trust}"
    line = reader.line_of(component)
    if "openshift" not in component.platforms:
        raise reader.fail(line, f"{where} has no effect: only OpenShift's service CA needs it, and it runs only on "
                          f"{', '.join(component.platforms)}")
    for env in component.env:
        if env.name in CA_TRUST_ENV[component.ca_trust]:
            raise reader.fail(
                reader.line_of(env) or line,
                f"{where} sets {env.name} on OpenShift itself; drop the component's own {env.name}",
            )


def _check_probe(component: Component, probe: Probe | None, reader: Reader) -> None:
    if probe is None:
        return
    line = reader.line_of(probe) or reader.line_of(component)
    kinds = [probe.http_get, probe.exec, probe.tcp_port]
    if sum(kind is not None for kind in kinds) != 1:
        raise reader.fail(
            line, f"component {component.name!r}: a probe needs exactly one of httpGet, exec, tcpPort"
        )
    port = probe.http_get.port if probe.http_get else probe.tcp_port
    if port is not None and component.port(port) is None:
        raise reader.fail(line, f"component {component.name!r}: probe port {port!r} is not a declared port")


def _check_traffic(catalog: Catalog, reader: Reader) -> None:
    for rule in catalog.traffic:
        line = reader.line_of(rule)
        for source in rule.source:
            if catalog.component(source) is None and source not in catalog.externals:
                raise reader.fail(line, f"traffic: unknown source {source!r} (not a component or external)")
        destination = catalog.component(rule.to)
        if destination is not None:
            if destination.port(_port_ref(rule.port)) is None:
                raise reader.fail(line, f"traffic: {rule.to!r} has no port {rule.port!r}")
        elif rule.to in catalog.externals:
            if not rule.port.isdigit():
                raise reader.fail(line, f"traffic: the port of external {rule.to!r} must be a number")
        else:
            raise reader.fail(line, f"traffic: unknown destination {rule.to!r} (not a component or external)")


def _port_ref(port: str) -> str | int:
    return int(port) if port.isdigit() else port


def _check_profiles(catalog: Catalog, reader: Reader) -> None:
    size_classes = {component.size for component in catalog.components}
    names = [component.name for component in catalog.components]
    for name, profile in catalog.profiles.items():
        line = reader.line_of(profile)
        for size in profile.sizes:
            # a misspelt size class would otherwise be a silent no-op: the component keeps the inherited size
            if size not in size_classes:
                raise reader.fail(
                    reader.line_at(f"catalog.profiles.{name}.sizes.{size}") or line,
                    unknown_key(f"profile {name!r}: sizes", "size class", size, size_classes)
                    .replace(" (known:", " (the components' sizes:"),
                )
        resolved = resolve_profile(catalog, name, reader)
        for component in catalog.components:
            if component.size not in resolved.sizes:
                raise reader.fail(
                    line, f"profile {name!r}: no size {component.size!r} (used by {component.name!r})"
                )
        for target, count in profile.replicas.items():
            line = reader.line_at(f"catalog.profiles.{name}.replicas.{target}") or reader.line_of(profile)
            replicated = catalog.component(target)
            if replicated is None:
                raise reader.fail(
                    line, f"profile {name!r}: replicas for unknown component {target!r}{did_you_mean(target, names)}"
                )
            if replicated.singleton and count != 1:
                raise reader.fail(
                    line,
                    f"profile {name!r}: {target!r} is a singleton and must run exactly 1 replica, not {count}",
                )
        for target, claims in profile.storage.items():
            line = reader.line_at(f"catalog.profiles.{name}.storage.{target}") or reader.line_of(profile)
            stored = catalog.component(target)
            if stored is None:
                raise reader.fail(
                    line, f"profile {name!r}: storage for unknown component {target!r}{did_you_mean(target, names)}"
                )
            for claim in claims:
                if claim not in {c.name for c in stored.storage}:
                    raise reader.fail(line, f"profile {name!r}: {target!r} has no storage {claim!r}")
        if profile.plan is not None:
            _check_plan_rows(catalog, name, profile.plan, reader)


def _check_plan_rows(catalog: Catalog, profile: str, plan: PlanTotals, reader: Reader) -> None:
    """Each plan row's component pattern names a catalog component, and no component is in two rows."""
    claimed: dict[str, str] = {}
    for row in plan.rows:
        line = reader.line_of(row)
        for pattern in row.components:
            matched = [c.name for c in catalog.components if fnmatchcase(c.name, pattern)]
            if not matched:
                raise reader.fail(
                    line, f"profile {profile!r}: plan row {row.name!r}: no component matches {pattern!r}"
                )
            for component in matched:
                if claimed.setdefault(component, row.name) != row.name:
                    raise reader.fail(
                        line,
                        f"profile {profile!r}: plan row {row.name!r}: {component!r} is already in row "
                        f"{claimed[component]!r}",
                    )


def _check_overlays(catalog: Catalog, reader: Reader) -> None:
    if catalog.project.base_profile not in catalog.profiles:
        raise reader.fail(
            reader.line_of(catalog.project),
            f"project.baseProfile: unknown profile {catalog.project.base_profile!r}",
        )
    seen: set[str] = set()
    for overlay in catalog.overlays:
        line = reader.line_of(overlay)
        if overlay.name in seen:
            raise reader.fail(line, f"duplicate overlay {overlay.name!r}")
        seen.add(overlay.name)
        if overlay.profile not in catalog.profiles:
            raise reader.fail(line, f"overlay {overlay.name!r}: unknown profile {overlay.profile!r}")
        if overlay.platform not in catalog.platforms:
            raise reader.fail(line, f"overlay {overlay.name!r}: unknown platform {overlay.platform!r}")


_MINOR_VERSION = re.compile(r"^[0-9]+\.[0-9]+$")


def _check_target_versions(catalog: Catalog, reader: Reader) -> None:
    for name, platform in catalog.platforms.items():
        for key, value in (("kubernetesVersion", platform.kubernetes_version),
                           ("openshiftVersion", platform.openshift_version)):
            if value is not None and not _MINOR_VERSION.match(value):
                raise reader.fail(_line(reader, f"catalog.platforms.{name}.{key}", platform),
                                  f"platforms.{name}.{key}: {value!r} is not a minor version such as 1.33")
        if platform.kubernetes_version and platform.openshift_version:
            raise reader.fail(reader.line_of(platform),
                              f"platforms.{name}: give kubernetesVersion or openshiftVersion, not both")


def _check_kafka(catalog: Catalog, reader: Reader) -> None:
    seen: set[str] = set()
    for index, topic in enumerate(catalog.topics):
        line = reader.line_of(topic)
        if topic.name in seen:
            raise reader.fail(line, f"topics[{index}]: duplicate topic {topic.name!r}")
        seen.add(topic.name)
        if len(topic.name) > 249 or not _TOPIC.match(topic.name):
            raise reader.fail(
                line, f"topics[{index}].name: {topic.name!r} is not a lower-case DNS subdomain (a KafkaTopic's name)"
            )
    for platform_name, platform in catalog.platforms.items():
        strimzi = platform.kafka
        if strimzi is None:
            continue
        where = f"platforms.{platform_name}.kafka"
        line = reader.line_of(strimzi)
        stands_for = catalog.component(strimzi.component)
        if stands_for is None or stands_for.port("kafka") is None:
            raise reader.fail(
                line, f"{where}.component: {strimzi.component!r} must name a component with a port named kafka"
            )
        if platform_name in stands_for.platforms:
            raise reader.fail(
                line,
                f"{where}.component: {strimzi.component!r} also runs on {platform_name}; "
                f"set its platforms to the others",
            )
        if strimzi.version is not None and not _KAFKA_VERSION.match(strimzi.version):
            raise reader.fail(line, f"{where}.version: {strimzi.version!r} is not a Kafka version such as 4.1.0")
        for external in (CLUSTER_OPERATOR, API_SERVER):
            if external not in catalog.externals:
                raise reader.fail(line, f"{where}: the Strimzi pods need external {external!r} under externals:")
        if not catalog.topics:
            raise reader.fail(line, f"{where}: no topics: to create as KafkaTopics")
    for name, profile in catalog.profiles.items():
        nodes = profile.kafka
        if nodes is None:
            continue
        line = reader.line_at(f"catalog.profiles.{name}.kafka") or reader.line_of(profile)
        if nodes.brokers is not None and nodes.brokers < 1:
            raise reader.fail(line, f"profile {name!r}: kafka.brokers must be at least 1, not {nodes.brokers}")
        if nodes.controllers is not None and nodes.controllers < 0:
            raise reader.fail(line, f"profile {name!r}: kafka.controllers must be 0 (combined nodes) or more")


# --- values the Kubernetes API server would refuse --------------------------------------------------------
# (k8s.io/kubernetes pkg/apis/core/validation and pkg/apis/batch/validation): ports 1-65535, non-negative
# counts and IDs, requests within limits, unique Service ports, CronJob names of at most 52 characters
# (the Job controller appends an 11-character suffix), robfig/cron schedules. 0 stays valid wherever the API
# accepts it (replicas, backoffLimit, runAsUser, probe timings: 0 there means "the default").
_MAX_PORT = 65535
_MAX_ID = 2_147_483_647
CRONJOB_NAME_LIMIT = 52


def check_kubernetes_limits(catalog: Catalog, reader: Reader) -> None:
    """Raises UsageError(FILE:LINE) for the first catalog value a Kubernetes API server would reject."""
    for index, component in enumerate(catalog.components):
        _check_component_numbers(component, f"catalog.components[{index}]", reader)
        _check_component_ports(component, f"catalog.components[{index}]", reader)
        _check_cronjob(component, f"catalog.components[{index}]", reader)
    for platform_name, platform in catalog.platforms.items():
        port = platform.object_storage.port
        if not 1 <= port <= _MAX_PORT:
            path = f"catalog.platforms.{platform_name}.objectStorage.port"
            raise reader.fail(_line(reader, path, platform),
                              f"platforms.{platform_name}.objectStorage.port: {port} is not a port (1-65535)")
    for profile_name, profile in catalog.profiles.items():
        _check_profile_numbers(profile_name, profile.replicas, profile.scalable_replicas, reader)
        for size, resources in profile.sizes.items():
            _check_requests_within_limits(profile_name, size, resources.requests, resources.limits, reader)


def _line(reader: Reader, path: str, owner: object) -> int | None:
    return reader.line_at(path) or reader.line_of(owner)


def _check_component_numbers(component: Component, path: str, reader: Reader) -> None:
    where = f"component {component.name!r}"
    counts = {"replicas": component.replicas, "backoffLimit": component.backoff_limit}
    ids = {"runAsUser": component.run_as_user, "runAsGroup": component.run_as_group, "fsGroup": component.fs_group}
    for key, value in counts.items():
        if value is not None and value < 0:
            raise reader.fail(_line(reader, f"{path}.{key}", component), f"{where}: {key} {value} is negative")
    for key, value in ids.items():
        if value is not None and not 0 <= value <= _MAX_ID:
            raise reader.fail(
                _line(reader, f"{path}.{key}", component), f"{where}: {key} {value} is not a user or group ID "
                f"(0-{_MAX_ID})"
            )
    if component.probes is None:
        return
    for kind in ("liveness", "readiness", "startup"):
        probe = getattr(component.probes, kind)
        if probe is None:
            continue
        for key, value in (("initialDelaySeconds", probe.initial_delay_seconds),
                           ("periodSeconds", probe.period_seconds), ("timeoutSeconds", probe.timeout_seconds),
                           ("failureThreshold", probe.failure_threshold)):
            if value < 0:
                raise reader.fail(_line(reader, f"{path}.probes.{kind}.{key}", probe),
                                  f"{where}: {kind} probe {key} {value} is negative")


def _check_component_ports(component: Component, path: str, reader: Reader) -> None:
    where = f"component {component.name!r}"
    names: set[str] = set()
    numbers: dict[tuple[int, str], str] = {}
    for index, port in enumerate(component.ports):
        line = _line(reader, f"{path}.ports[{index}]", port)
        if not 1 <= port.port <= _MAX_PORT:
            raise reader.fail(line, f"{where}: port {port.name!r} is {port.port}, not a port (1-65535)")
        if port.name in names:
            raise reader.fail(line, f"{where}: port name {port.name!r} is declared twice")
        names.add(port.name)
        same = numbers.setdefault((port.port, port.protocol), port.name)
        if same != port.name:
            raise reader.fail(line, f"{where}: ports {same!r} and {port.name!r} are both {port.port}/{port.protocol}")
    if component.service is not None:
        listed: set[str] = set()
        for ref in component.service.ports:
            if ref in listed:
                raise reader.fail(_line(reader, f"{path}.service", component.service),
                                  f"{where}: service port {ref!r} is listed twice")
            listed.add(ref)


def _check_cronjob(component: Component, path: str, reader: Reader) -> None:
    if component.kind != "CronJob":
        return
    where = f"component {component.name!r}"
    if len(component.name) > CRONJOB_NAME_LIMIT:
        raise reader.fail(
            _line(reader, f"{path}.name", component),
            f"{where}: a CronJob's name may have at most {CRONJOB_NAME_LIMIT} characters, not {len(component.name)}",
        )
    problem = schedule_problem(component.schedule) if component.schedule else None
    if problem:
        raise reader.fail(_line(reader, f"{path}.schedule", component),
                          f"{where}: schedule {component.schedule!r}: {problem}")


def _check_profile_numbers(name: str, replicas: dict[str, int], scalable: int | None, reader: Reader) -> None:
    for target, count in replicas.items():
        if count < 0:
            raise reader.fail(reader.line_at(f"catalog.profiles.{name}.replicas.{target}"),
                              f"profile {name!r}: replicas for {target!r} is {count}, negative")
    if scalable is not None and scalable < 0:
        raise reader.fail(reader.line_at(f"catalog.profiles.{name}.scalableReplicas"),
                          f"profile {name!r}: scalableReplicas {scalable} is negative")


def _check_requests_within_limits(
    profile: str, size: str, requests: Amounts, limits: Amounts, reader: Reader
) -> None:
    line = reader.line_at(f"catalog.profiles.{profile}.sizes.{size}")
    for resource in ("cpu", "memory"):
        request, limit = getattr(requests, resource), getattr(limits, resource)
        if parse_quantity(request) > parse_quantity(limit):
            raise reader.fail(
                line, f"profile {profile!r}: size {size!r}: {resource} request {request} is above its limit {limit}"
            )


def _check_checkov_skips(catalog: Catalog, reader: Reader) -> None:
    """Each skipped checkov check is a real check id with a one-line reason: the reason goes into an
    annotation, and a skip nobody can explain is a hidden failure."""
    owners: list[tuple[str, dict[str, str], int | None]] = [("checkovSkips", catalog.checkov_skips, None)]
    owners += [
        (f"component {c.name!r}: checkovSkips", c.checkov_skips, reader.line_of(c)) for c in catalog.components
    ]
    for where, skips, line in owners:
        for check, reason in skips.items():
            if not _CHECKOV_ID.match(check):
                raise reader.fail(line, f"{where}: {check!r} is not a checkov Kubernetes check id (CKV_K8S_<n>)")
            if not reason.strip() or "\n" in reason:
                raise reader.fail(line, f"{where}: {check} needs a one-line reason")
