"""The typed catalog: the single source of truth for components, traffic, profiles, platforms and overlays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from rosgit.catalog.schema import DnsName, DnsSubdomain, ImageRef, LabelKey, LabelValue, Quantity, Text

Group = Literal["ros", "infrastructure", "koku", "trino", "rbac"]
# How a program's TLS client finds the CAs it trusts: Python (botocore, requests) reads AWS_CA_BUNDLE and
# REQUESTS_CA_BUNDLE (one file that replaces the default bundle), Go's crypto/x509 reads SSL_CERT_FILE /
# SSL_CERT_DIR, a JVM reads the javax.net.ssl.trustStore system property (one keystore replacing cacerts).
CaTrust = Literal["python", "go", "java"]
# The variables each kind sets on OpenShift (rosgit.generate.catrust), which the component may not set itself.
CA_TRUST_ENV: dict[CaTrust, tuple[str, ...]] = {
    "go": ("SSL_CERT_DIR",),
    "python": ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE"),
    "java": ("JAVA_TOOL_OPTIONS",),
}
# Who signs an external endpoint's TLS certificate when it is not a public CA: `service-ca`, OpenShift's
# service CA (the ODF/NooBaa S3 Service's serving certificate). Its clients need caTrust on OpenShift.
EndpointTls = Literal["service-ca"]
PlatformName = Literal["kubernetes", "openshift"]
WorkloadKind = Literal["Deployment", "StatefulSet", "Job", "CronJob"]
# The Argo CD sync phase a component belongs to; the generator turns it into sync waves.
Phase = Literal["data", "setup", "migration", "app"]
ALL_PLATFORMS: tuple[PlatformName, ...] = ("kubernetes", "openshift")
# Where Koku's report SQL runs (docs/analytics.md): `trino` sends it to Trino over Parquet on S3 (Koku ONPREM=False,
# the plan's architecture), `postgresql` keeps it in PostgreSQL (ONPREM=True, what upstream ships). ONPREM is Koku's
# only switch between the two (project-koku/koku@d8055ac2 koku/koku/reportdb_accessor.py:172-181).
AnalyticsMode = Literal["trino", "postgresql"]
ALL_ANALYTICS: tuple[AnalyticsMode, ...] = ("trino", "postgresql")
DEFAULT_ANALYTICS: AnalyticsMode = "trino"
# Who decides what an authenticated user may see: `rbac` asks insights-rbac (Koku RBAC_SERVICE_*, ROS
# RBAC_ENABLE), `org-admin` makes every authenticated user admin of the org its token names (Koku
# ENHANCED_ORG_ADMIN, ROS RBAC off): tenant isolation by claim only, for integration testing.
AuthorizationMode = Literal["rbac", "org-admin"]
ALL_AUTHORIZATION: tuple[AuthorizationMode, ...] = ("rbac", "org-admin")
# what a catalog without identity: deploys (nothing asks insights-rbac there)
NO_IDENTITY_AUTHORIZATION: AuthorizationMode = "org-admin"
# The platform's object storage, as a `waitFor` target and as the ConfigMap its endpoint is read from: MinIO
# on Kubernetes, an endpoint outside the namespace (ODF) on OpenShift, so no component names it for both.
OBJECT_STORAGE = "object-storage"


@dataclass(frozen=True)
class Project:
    name: DnsName
    namespace: DnsName
    repo_url: str
    target_revision: str = "main"
    argocd_namespace: str = "argocd"
    destination_server: str = "https://kubernetes.default.svc"
    # the profile the bases carry; overlays patch only what differs from it
    base_profile: str = "minimal"


@dataclass(frozen=True)
class KeyRef:
    name: DnsName
    key: str


@dataclass(frozen=True)
class EnvVar:
    """Exactly one of value / secret / configMap / field / resource is set."""

    name: str
    value: str | None = None
    secret: KeyRef | None = None
    config_map: KeyRef | None = None
    # the value per analytics mode, in place of `value` (Koku's ONPREM)
    analytics_values: dict[AnalyticsMode, str] | None = None
    # set only in these analytics modes (Koku's TRINO_* settings mean nothing without Trino); declared before
    # `field`, whose name hides dataclasses.field in the rest of this class body
    analytics: list[AnalyticsMode] = field(default_factory=lambda: list(ALL_ANALYTICS))
    field: str | None = None
    resource: str | None = None

    def value_in(self, mode: AnalyticsMode) -> str | None:
        return self.analytics_values[mode] if self.analytics_values is not None else self.value


@dataclass(frozen=True)
class Port:
    name: DnsName
    port: int
    protocol: Literal["TCP", "UDP"] = "TCP"


@dataclass(frozen=True)
class ServiceSpec:
    ports: list[str]
    name: DnsName | None = None
    headless: bool = False
    # select pods by app.kubernetes.io/component instead of app.kubernetes.io/name (one Service, many Deployments)
    select_role: bool = False


@dataclass(frozen=True)
class HttpGet:
    path: str
    port: str


@dataclass(frozen=True)
class Probe:
    http_get: HttpGet | None = None
    exec: list[str] | None = None
    tcp_port: str | None = None
    initial_delay_seconds: int = 30
    period_seconds: int = 10
    timeout_seconds: int = 5
    failure_threshold: int = 3


@dataclass(frozen=True)
class Probes:
    liveness: Probe | None = None
    readiness: Probe | None = None
    startup: Probe | None = None


@dataclass(frozen=True)
class Volume:
    """A pod volume and its mount. Exactly one source: emptyDir, configMap, secret or claim."""

    name: DnsName
    mount_path: str
    empty_dir: bool = False
    size_limit: Quantity | None = None
    config_map: DnsName | None = None
    secret: DnsName | None = None
    claim: DnsName | None = None
    sub_path: str | None = None
    read_only: bool = False


@dataclass(frozen=True)
class Claim:
    """Persistent storage: a volumeClaimTemplate on StatefulSets, a PersistentVolumeClaim otherwise."""

    name: DnsName
    mount_path: str
    size: Quantity
    # the volume class whose StorageClass the site knobs choose (site.storageClassNames), as `size:` names a
    # size class whose resources the profiles choose
    volume_class: DnsName = field(default="default", metadata={"key": "class"})


@dataclass(frozen=True)
class ConfigFiles:
    """Files rendered into a generated ConfigMap (hash-suffixed) and mounted; `${var}` comes from the profile."""

    name: DnsName
    mount_path: str
    files: dict[str, str]


TolerationOperator = Literal["Exists", "Equal"]
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


@dataclass(frozen=True)
class Toleration:
    """A pod toleration, as Kubernetes spells it (`operator: Exists` matches any value; no key: every taint)."""

    key: LabelKey | None = None
    operator: TolerationOperator = "Equal"
    value: LabelValue | None = None
    # unset: every effect
    effect: TaintEffect | None = None
    # NoExecute only: how long the pod stays bound once the taint appears
    toleration_seconds: int | None = None


@dataclass(frozen=True)
class Affinity:
    """A pod's affinity in Kubernetes' own shape (each part as `kubectl explain pod.spec.affinity` says;
    `rosgit validate` checks it against the schema). A `podAntiAffinity` here replaces the spreading of
    the profile's `antiAffinity`; the other parts are added to it."""

    node_affinity: dict[str, Any] | None = None
    pod_affinity: dict[str, Any] | None = None
    pod_anti_affinity: dict[str, Any] | None = None


@dataclass(frozen=True)
class SiteTls:
    """TLS of the published endpoint. Kubernetes: the Ingress's `tls:` with this Secret (its certificate and
    key, created by you or cert-manager; never in Git). OpenShift: the Route terminates TLS at the router
    (edge), with the router's certificate."""

    # a Secret of type kubernetes.io/tls in the overlay's namespace
    secret_name: DnsSubdomain | None = None


@dataclass(frozen=True)
class Site:
    """What one installation decides about where and how pods run (docs/site-knobs.md). Set catalog-wide
    (`site:`), per platform, per profile and per component; the most specific level that sets a knob wins
    (component > profile > platform > catalog). Maps of labels, annotations and storage classes merge key
    by key; every other knob is replaced whole."""

    # volume class (a claim's `class:`) -> StorageClass name; a class without one: the cluster's default
    storage_class_names: dict[DnsName, DnsSubdomain] = field(default_factory=dict)
    # node labels a pod must match (e.g. node-role.kubernetes.io/infra: "")
    node_selector: dict[LabelKey, LabelValue] = field(default_factory=dict)
    # taints the pods tolerate (e.g. dedicated infra nodes)
    tolerations: list[Toleration] = field(default_factory=list)
    # node and pod (anti-)affinity, beside the profile's antiAffinity spreading
    affinity: Affinity | None = None
    # names of existing Secrets of type kubernetes.io/dockerconfigjson (never their values)
    image_pull_secrets: list[DnsSubdomain] = field(default_factory=list)
    # on the workload and its pods; not the keys rosgit sets (app.kubernetes.io/name, component, part-of,
    # instance, rosgit.io/group) nor a component's own `labels:`
    labels: dict[LabelKey, LabelValue] = field(default_factory=dict)
    # on the workload and its pods; not argocd.argoproj.io/*, helm.sh/*, checkov.io/* (rosgit writes them)
    annotations: dict[LabelKey, Text] = field(default_factory=dict)
    # the published endpoint's hostname (Ingress rule host, Route host; not per component: only the gateway
    # is published)
    host: DnsSubdomain | None = None
    # TLS of the published endpoint (the Ingress's certificate Secret on Kubernetes)
    tls: SiteTls | None = None


@dataclass(frozen=True)
class Expose:
    """Published outside the cluster: a Route on OpenShift, an Ingress path on Kubernetes."""

    path: str
    port: str
    timeout: str = "300s"


@dataclass(frozen=True)
class Component:
    name: DnsName
    group: Group
    role: DnsName
    image: str
    size: str
    kind: WorkloadKind = "Deployment"
    description: str = ""
    enabled: bool = True
    platforms: list[PlatformName] = field(default_factory=lambda: list(ALL_PLATFORMS))
    # the analytics modes this component runs in (docs/analytics.md)
    analytics: list[AnalyticsMode] = field(default_factory=lambda: list(ALL_ANALYTICS))
    # the authorization modes this component runs in (identity.authorization, docs/identity.md): insights-rbac
    # runs only where Koku and ROS ask it
    authorization: list[AuthorizationMode] = field(default_factory=lambda: list(ALL_AUTHORIZATION))
    phase: Phase = "app"
    command: list[str] | None = None
    args: list[str] | None = None
    ports: list[Port] = field(default_factory=list)
    service: ServiceSpec | None = None
    env: list[EnvVar] = field(default_factory=list)
    probes: Probes | None = None
    volumes: list[Volume] = field(default_factory=list)
    storage: list[Claim] = field(default_factory=list)
    config: ConfigFiles | None = None
    # `component:port`, or OBJECT_STORAGE
    wait_for: list[str] = field(default_factory=list)
    replicas: int = 1
    singleton: bool = False
    scalable: bool = False
    schedule: str | None = None
    backoff_limit: int | None = None
    run_as_user: int | None = None
    # the primary group on Kubernetes; defaults to run_as_user (some images write only group-0 directories)
    run_as_group: int | None = None
    fs_group: int | None = None
    service_account: bool = False
    # Mount the ServiceAccount token: only for a program that calls the Kubernetes API (none does here).
    service_account_token: bool = False
    # Every container's root filesystem is read-only; the program's writes go to volumes (lint CON007 names
    # them from the image contracts). False only for a program writing where no contract says.
    read_only_root_filesystem: bool = True
    # checkov checks (CKV_K8S_<n>) this component fails on purpose, each with its one-line reason; added to the
    # catalog-wide `checkovSkips` and carried onto the workload as checkov.io/skip<n> annotations
    checkov_skips: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    metrics_port: str | None = None
    metrics_path: str = "/metrics"
    # set for programs that call service-CA-signed endpoints (ODF S3): on OpenShift they get that CA this way
    ca_trust: CaTrust | None = None
    expose: Expose | None = None
    extends: str | None = None
    # site knobs of this component (docs/site-knobs.md): over the profile's, the platform's and the catalog's
    site: Site = field(default_factory=Site)

    def port(self, ref: str | int) -> Port | None:
        for port in self.ports:
            if port.name == ref or port.port == ref:
                return port
        return None

    @property
    def service_name(self) -> str:
        if self.service is None:
            return self.name
        return self.service.name or self.name

    @property
    def runs_pods_continuously(self) -> bool:
        return self.kind in ("Deployment", "StatefulSet")


@dataclass(frozen=True)
class SecretKey:
    """One key of a declared Secret: how `rosgit seal` generates it, or where its value lives instead."""

    generate: Literal["password", "django-secret-key", "access-key", "secret-key", "username", "none"]
    length: int | None = None
    # Read only to be refused with FILE:LINE (catalog validation): a value here would be plaintext in Git.
    value: str | None = None
    # Platforms on which another system owns the value (the ODF/NooBaa S3 account on OpenShift, an external
    # database): it is referenced there, never generated, since a generated one could never match.
    external_on: list[PlatformName] = field(default_factory=list)
    description: str = ""

    def external(self, platform: str) -> bool:
        return self.generate == "none" or platform in self.external_on


@dataclass(frozen=True)
class SecretSpec:
    name: DnsName
    keys: dict[str, SecretKey]
    description: str = ""


@dataclass(frozen=True)
class SecretStoreRef:
    """The External Secrets Operator store every ExternalSecret reads from."""

    name: DnsName
    kind: Literal["SecretStore", "ClusterSecretStore"] = "ClusterSecretStore"


@dataclass(frozen=True)
class SecretsBackend:
    """How Secrets reach the cluster: SealedSecrets committed by `rosgit seal`, or ExternalSecrets that the
    External Secrets Operator fills from a store (the values then never pass through rosgit or Git)."""

    type: Literal["sealed-secrets", "external-secrets"] = "sealed-secrets"
    store: SecretStoreRef | None = None
    refresh_interval: str = "1h"
    # The store's key of secret S is `{remoteKeyPrefix}S`; each Secret key is a property of it.
    remote_key_prefix: str = ""


@dataclass(frozen=True)
class IpBlock:
    """Addresses outside the pod network (a NetworkPolicy ipBlock): peers no label selector can reach."""

    cidr: str
    except_: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class External:
    """A peer outside this namespace (router, monitoring, DNS, object storage), selected by namespace labels,
    or by addresses (`ipBlock`) when it runs on the host network, as the Kubernetes API server does."""

    namespace_labels: dict[str, str] = field(default_factory=dict)
    ports: list[int] = field(default_factory=list)
    pod_labels: dict[str, str] = field(default_factory=dict)
    ip_block: IpBlock | None = None
    description: str = ""
    tls: EndpointTls | None = None


@dataclass(frozen=True)
class TrafficRule:
    source: list[str] = field(metadata={"key": "from", "scalar_ok": True})
    to: str
    port: str
    purpose: str
    platforms: list[PlatformName] = field(default_factory=lambda: list(ALL_PLATFORMS))


@dataclass(frozen=True)
class Amounts:
    cpu: Quantity
    memory: Quantity


@dataclass(frozen=True)
class Resources:
    requests: Amounts
    limits: Amounts


@dataclass(frozen=True)
class PlanFigures:
    """One line of a sizing table: pods, CPU and memory requests and limits, storage."""

    pods: int
    cpu_requests: Quantity
    memory_requests: Quantity
    cpu_limits: Quantity
    memory_limits: Quantity
    storage: Quantity


@dataclass(frozen=True)
class PlanRow(PlanFigures):
    """One row of the plan's table and the workloads of ours it stands for: those named by `components`
    (workload names, `*` and `?` as in shell patterns), then every other workload of `groups` no row names.
    `differences` say why ours differ from the row, each with its source."""

    name: str
    components: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanTotals(PlanFigures):
    """A sizing table the catalog is compared with (the seed plan's): its totals, where it comes from, its
    rows, and why the catalog's real totals differ (`differences`: reasons about no single row). Shown by
    `rosgit resources`; nothing is generated from it."""

    source: str
    rows: list[PlanRow] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Oidc:
    """The OpenID Connect provider whose tokens the gateway accepts (the installer's Keycloak realm)."""

    # the tokens' `iss` claim exactly, https only (e.g. https://keycloak.example.com/realms/kubernetes)
    issuer: str
    # where the provider publishes its signing keys (Keycloak: <issuer>/protocol/openid-connect/certs)
    jwks_uri: str
    # the client ids a token's `aud` must contain one of (the metrics operator's and the UI's clients)
    audiences: list[str]
    # the realm role (realm_access.roles) that makes a user admin of its organisation in `rbac` mode
    org_admin_role: str
    # the Secret key holding the PEM CA bundle that signs the provider's endpoint (declared under secrets:);
    # unset, the gateway image's system trust store (a publicly signed endpoint)
    ca: KeyRef | None = None


@dataclass(frozen=True)
class Identity:
    """One authenticated front door: the gateway component validates OIDC tokens and builds X-Rh-Identity;
    it is the only published component, and the `expose:` entries of the others are its routes."""

    gateway: DnsName
    oidc: Oidc
    # the mode of every profile that does not set its own `authorization:`
    authorization: AuthorizationMode


@dataclass(frozen=True)
class KafkaNodes:
    """How many Kafka nodes an operator-run cluster has in a profile. `controllers: 0` runs combined
    broker+controller nodes (one pool); otherwise brokers and controllers are separate pools."""

    brokers: int | None = None
    controllers: int | None = None
    # the controllers' volume; the brokers' is the kafka component's `data` storage of the profile
    controller_storage: Quantity | None = None


@dataclass(frozen=True)
class TargetCluster:
    """The cluster a profile is sized for: `nodes` worker nodes, each with `cpu`, `memory` and `pods` allocatable.
    `rosgit rehearse` creates exactly these (fake) nodes, so a profile that does not fit fails there; nothing is
    generated from it. A profile without one uses the nearest one up its `extends` chain."""

    nodes: int
    cpu: Quantity
    memory: Quantity
    pods: int = 110


@dataclass(frozen=True)
class Profile:
    description: str = ""
    extends: str | None = None
    # size class (a component's `size:`) -> its requests and limits; a class no component uses is refused
    sizes: dict[str, Resources] = field(default_factory=dict)
    # component name -> replicas in this profile
    replicas: dict[str, int] = field(default_factory=dict)
    # the replicas of every `scalable: true` component without its own entry in `replicas`
    scalable_replicas: int | None = None
    # component name -> claim name -> size
    storage: dict[str, dict[str, Quantity]] = field(default_factory=dict)
    # values of the `${name}` placeholders in components' config files
    vars: dict[str, str] = field(default_factory=dict)
    pod_disruption_budgets: bool | None = None
    anti_affinity: bool | None = None
    plan: PlanTotals | None = None
    kafka: KafkaNodes | None = None
    # overrides identity.authorization for the overlays of this profile (and the profiles extending it)
    authorization: AuthorizationMode | None = None
    target_cluster: TargetCluster | None = None
    # where Koku's report SQL runs; inherited through `extends`, DEFAULT_ANALYTICS at the root
    analytics: AnalyticsMode | None = None
    # site knobs of this profile's overlays (docs/site-knobs.md), inherited through `extends`: over the
    # platform's and the catalog's, under a component's own
    site: Site = field(default_factory=Site)


@dataclass(frozen=True)
class TrinoSettings:
    """What `analytics: trino` needs beyond its components: the bucket Koku writes its Parquet files to (Koku's
    REQUESTED_BUCKET), which is also the Hive metastore's warehouse (`s3a://<bucket>/<warehousePath>/`)."""

    bucket: str | None = None
    warehouse_path: str = "data"


@dataclass(frozen=True)
class ObjectStorage:
    host: str
    port: int
    secure: bool
    region: str = "onprem"


# The Strimzi API group's versions: Strimzi 0.48 (AMQ Streams 3.1) serves only v1beta2, Strimzi 1.x only v1,
# 0.49-0.51 both (packaging/install/cluster-operator/04{0,3,5}-Crd-*.yaml at each tag).
StrimziApiVersion = Literal["kafka.strimzi.io/v1beta2", "kafka.strimzi.io/v1"]


@dataclass(frozen=True)
class StrimziKafka:
    """Kafka run by the Strimzi (AMQ Streams) cluster operator through Kafka, KafkaNodePool and KafkaTopic
    objects, standing in on its platform for `component` (which must not run there): that component's
    traffic, waitFor and clients go to the operator's broker pods."""

    operator: Literal["strimzi"]
    api_version: StrimziApiVersion
    cluster: DnsName
    component: DnsName = "kafka"
    # the Kafka version the operator runs; must be one its release supports (kafka-versions.yaml)
    version: str | None = None
    # the StorageClass of the nodes' volumes; unset, the cluster's default
    storage_class: str | None = None


@dataclass(frozen=True)
class Platform:
    object_storage: ObjectStorage
    description: str = ""
    ingress_class_name: str | None = None
    ingress_host: str | None = None
    image_overrides: dict[str, str] = field(default_factory=dict)
    command_overrides: dict[str, list[str]] = field(default_factory=dict)
    # The cluster DNS every pod resolves names through, as NetworkPolicies see it: its namespace, its pods'
    # labels (none: every pod there) and its pod ports (policies match after the Service's port mapping).
    dns: str | None = None
    dns_pod_labels: dict[str, str] = field(default_factory=dict)
    dns_ports: list[int] = field(default_factory=lambda: [53, 5353])
    kafka: StrimziKafka | None = None
    # The version the overlays of this platform must be ready for: `rosgit check` validates against its
    # schemas and reports the APIs it removed or deprecated (an OpenShift minor maps to its Kubernetes minor).
    kubernetes_version: str | None = None
    openshift_version: str | None = None
    # site knobs of this platform's overlays (docs/site-knobs.md): over the catalog's
    site: Site = field(default_factory=Site)


@dataclass(frozen=True)
class Topic:
    """A Kafka topic the stack uses; both platforms create it (a Job on Kubernetes, a KafkaTopic with Strimzi)."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class OverlaySpec:
    name: DnsName
    profile: str
    platform: PlatformName
    namespace: DnsName | None = None
    destination_server: str | None = None
    patches: list[str] = field(default_factory=list)
    production: bool = False


@dataclass(frozen=True)
class SyncRetry:
    """Argo CD retries a failed sync `limit` times, waiting `backoff`, then `factor` times longer, up to the max."""

    limit: int = 5
    backoff: str = "10s"
    factor: int = 2
    max_backoff: str = "3m"


@dataclass(frozen=True)
class Fleet:
    """One overlay deployed to every Argo CD cluster carrying these labels (ApplicationSet cluster generator)."""

    overlay: str
    cluster_labels: dict[str, str]


@dataclass(frozen=True)
class ArgoCD:
    """How the generated Applications sync."""

    automated: bool = True
    prune: bool = True
    self_heal: bool = True
    retry: SyncRetry = field(default_factory=SyncRetry)
    # pod-security.kubernetes.io labels on the namespaces Argo CD creates
    pod_security: Literal["restricted", "baseline", "privileged"] = "restricted"
    fleet: Fleet | None = None


@dataclass(frozen=True)
class ChartRelease:
    """The exported chart's release numbers (semantic versions): `version` must grow whenever the chart's
    content changes (`rosgit check`, as chart-testing's version increment check); appVersion defaults to it."""

    version: str = "2.0.0"
    app_version: str | None = None

    @property
    def app(self) -> str:
        return self.app_version or self.version


@dataclass(frozen=True)
class Environment:
    """A promotion stage: the overlays it deploys, the Git revision their Applications track and the images it
    runs ahead of (or behind) the catalog-wide `images:` defaults. `rosgit promote` moves these pins."""

    overlays: list[DnsName]
    target_revision: str | None = None
    images: dict[str, ImageRef] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    api_version: Literal["rosgit.io/v1alpha1"]
    kind: Literal["Catalog"]
    project: Project
    images: dict[str, ImageRef]
    components: list[Component]
    profiles: dict[str, Profile]
    platforms: dict[PlatformName, Platform]
    overlays: list[OverlaySpec]
    secrets: list[SecretSpec] = field(default_factory=list)
    secrets_backend: SecretsBackend = field(default_factory=SecretsBackend)
    externals: dict[str, External] = field(default_factory=dict)
    traffic: list[TrafficRule] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    # partial components that components (and other templates) `extends`: a component's fields, none required
    templates: dict[str, Any] = field(default_factory=dict, metadata={"partial": Component})
    argocd: ArgoCD = field(default_factory=ArgoCD)
    # checkov checks every workload fails on purpose: check id -> one-line reason (see Component.checkov_skips)
    checkov_skips: dict[str, str] = field(default_factory=dict)
    # promotion stages (issue 16): per-environment Git revision and image pins over the defaults
    environments: dict[str, Environment] = field(default_factory=dict)
    # the chart's release (issue 16): version and appVersion of Chart.yaml
    chart: ChartRelease = field(default_factory=ChartRelease)
    # site knobs of every overlay (issue 16, docs/site-knobs.md), under the platform's, profile's, component's
    site: Site = field(default_factory=Site)

    def environment_of(self, overlay: str) -> Environment | None:
        for environment in self.environments.values():
            if overlay in environment.overlays:
                return environment
        return None

    def target_revision_of(self, overlay: str) -> str:
        """The Git revision an overlay's Application tracks: its environment's, else the project's."""
        environment = self.environment_of(overlay)
        if environment is not None and environment.target_revision:
            return environment.target_revision
        return self.project.target_revision

    def image_pins_of(self, overlay: str) -> dict[str, str]:
        """Image key -> reference, for the images the overlay's environment pins away from `images:`."""
        environment = self.environment_of(overlay)
        if environment is None:
            return {}
        return {key: ref for key, ref in sorted(environment.images.items()) if ref != self.images.get(key)}

    def image_pins_of_profile(self, profile: str) -> dict[str, str]:
        """The pins every overlay of a profile shares (validation refuses profiles whose overlays disagree):
        the chart has one values file per profile."""
        for overlay in self.overlays:
            if overlay.profile == profile:
                return self.image_pins_of(overlay.name)
        return {}
    identity: Identity | None = None
    # settings of the trino analytics mode (profiles' `analytics`)
    trino: TrinoSettings = field(default_factory=TrinoSettings)

    def component(self, name: str) -> Component | None:
        for component in self.components:
            if component.name == name:
                return component
        return None

    def components_for(
        self, platform: str, analytics: AnalyticsMode | None = None, authorization: AuthorizationMode | None = None
    ) -> list[Component]:
        """The components deployed on a platform in one analytics and one authorization mode (None: in any)."""
        return [
            c
            for c in self.components
            if c.enabled
            and platform in c.platforms
            and (analytics is None or analytics in c.analytics)
            and (authorization is None or authorization in c.authorization)
        ]

    def secret(self, name: str) -> SecretSpec | None:
        for secret in self.secrets:
            if secret.name == name:
                return secret
        return None

    def overlay(self, name: str) -> OverlaySpec | None:
        for overlay in self.overlays:
            if overlay.name == name:
                return overlay
        return None

    def namespace_of(self, overlay: OverlaySpec) -> str:
        """The namespace an overlay deploys into: its own, else the project's."""
        return overlay.namespace or self.project.namespace

    def destination_of(self, overlay: OverlaySpec) -> str:
        """The API server Argo CD deploys an overlay to: its own, else the project's."""
        return overlay.destination_server or self.project.destination_server

    def secrets_read_on(
        self, platform: str, analytics: AnalyticsMode | None = None, authorization: AuthorizationMode | None = None
    ) -> list[str]:
        """Names of the Secrets the components deployed on this platform (in these modes) read."""
        names: set[str] = set()
        for component in self.components_for(platform, analytics, authorization):
            names.update(
                var.secret.name
                for var in component.env
                if var.secret is not None and (analytics is None or analytics in var.analytics)
            )
            names.update(volume.secret for volume in component.volumes if volume.secret)
        return sorted(names)
