"""Every finding id rosgit reports, declared once: its default severity, the family that reports it, and
what it means. Finders import these names instead of writing ids: `Finding.id` is a `RuleId`, which only
this module makes, so mypy proves every finding names a declared id (and a test greps rosgit/ for any other
id literal). `rosgit rules` and docs/rules.md list this table.

Ids are stable, because users suppress and search for them: never reuse or renumber one, except to end a
collision. Renumbered so far: helm's chart equivalence ids were ROS601-ROS605, the same numbers as lint's
NetworkPolicy flows; they are ROS901-ROS905 now (ROS601 differs -> ROS901, ROS602 missing in the chart ->
ROS902, ROS603 only in the chart -> ROS903, ROS604 render failed -> ROS904, ROS605 duplicate -> ROS905).

The severity is the one a finder reports unless the description says when it differs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Literal, get_args

from rosgit.errors import UsageError
from rosgit.findings import RuleId, Severity

Family = Literal["check", "lint", "validate", "argocd", "secrets", "helm"]
FAMILIES: tuple[Family, ...] = get_args(Family)
ID_PATTERN = re.compile(r"(ROS|CHK|VAL|CON)\d{3}")


@dataclass(frozen=True)
class Rule:
    id: RuleId
    severity: Severity
    family: Family
    description: str


_declared: dict[RuleId, Rule] = {}


def _declare(rule_id: str, severity: Severity, family: Family, description: str) -> RuleId:
    """Adds one rule to the table; a second declaration of an id is a programming error caught on import."""
    if not ID_PATTERN.fullmatch(rule_id):
        raise ValueError(f"finding id {rule_id!r} is not ROS, CHK, VAL or CON and three digits")
    if rule_id in _declared:
        raise ValueError(f"finding id {rule_id} is declared twice")
    declared = RuleId(rule_id)
    _declared[declared] = Rule(declared, severity, family, description)
    return declared


# --- check: the pipeline's own stages (drift, build, engine comparison) ---------------------------------
CHK001 = _declare("CHK001", "error", "check", "a generated file is missing, out of date, or stale")
CHK002 = _declare("CHK002", "warning", "check", "a hand-written file where rosgit generates one (it is left alone)")
CHK010 = _declare("CHK010", "error", "check", "an overlay builds with neither the builtin engine nor kustomize")
CHK011 = _declare("CHK011", "error", "check", "the builtin engine's output differs from `kustomize build`")
CHK012 = _declare("CHK012", "error", "check", "the builtin engine fails on an overlay kustomize builds")
CHK013 = _declare("CHK013", "error", "check", "`kustomize build` fails on an overlay")
CHK030 = _declare(
    "CHK030", "warning", "check",
    "a pinned tool a stage needs is not installed (info where a builtin stands in; an error with --require-tools)",
)

# --- validate: schema validation of built objects --------------------------------------------------------
VAL001 = _declare("VAL001", "error", "validate", "an object violates the schema of its apiVersion and kind")
VAL002 = _declare("VAL002", "error", "validate", "an object could not be validated (unreadable, no apiVersion/kind)")
VAL003 = _declare("VAL003", "error", "validate", "an object is defined twice in one overlay or input")
VAL004 = _declare("VAL004", "error", "validate", "no schema for the object's kind (unless --ignore-missing-schemas)")
VAL005 = _declare(
    "VAL005", "error", "validate", "an object's apiVersion is not served by the target Kubernetes/OpenShift version"
)
VAL006 = _declare(
    "VAL006", "warning", "validate", "an object's apiVersion is deprecated in the target Kubernetes/OpenShift version"
)

# --- lint: references -------------------------------------------------------------------------------------
ROS101 = _declare("ROS101", "error", "lint", "a pod reads a Secret the overlay does not create")
ROS102 = _declare(
    "ROS102", "error", "lint", "a pod reads a Secret key the Secret (or SealedSecret, or catalog for stubs) lacks"
)
ROS103 = _declare("ROS103", "error", "lint", "a pod reads a ConfigMap the overlay does not create")
ROS104 = _declare("ROS104", "error", "lint", "a pod reads a ConfigMap key the ConfigMap lacks")
ROS105 = _declare("ROS105", "error", "lint", "a pod mounts a PersistentVolumeClaim the overlay does not create")
ROS106 = _declare("ROS106", "error", "lint", "a pod runs as a ServiceAccount the overlay does not create")
ROS107 = _declare("ROS107", "error", "lint", "a container mounts a volume the pod does not declare")

# --- lint: services, probes, front doors ------------------------------------------------------------------
ROS201 = _declare("ROS201", "error", "lint", "a Service selector matches no pod template")
ROS202 = _declare("ROS202", "error", "lint", "a Service targetPort is not a port of the selected containers")
ROS203 = _declare(
    "ROS203", "error", "lint", "a probe uses a port the container does not declare (a warning for a port number)"
)
ROS204 = _declare("ROS204", "error", "lint", "a Route, Ingress or ServiceMonitor points at a missing Service or port")

# --- lint: resources and images ---------------------------------------------------------------------------
ROS301 = _declare("ROS301", "error", "lint", "a container lacks cpu/memory requests or limits")
ROS302 = _declare("ROS302", "error", "lint", "an image is untagged or :latest")
ROS303 = _declare(
    "ROS303", "warning", "lint",
    "a production overlay pins an image by tag only, with no digest and no catalog reason (checkovSkips CKV_K8S_43)",
)
ROS304 = _declare(
    "ROS304", "error", "lint", "a container requests more cpu or memory than its limit (the API server refuses it)"
)

# --- lint: Pod Security -----------------------------------------------------------------------------------
ROS401 = _declare("ROS401", "error", "lint", "restricted PSS: runAsNonRoot not true, or UID 0")
ROS402 = _declare("ROS402", "error", "lint", "restricted PSS: allowPrivilegeEscalation not false")
ROS403 = _declare(
    "ROS403", "error", "lint", "restricted PSS: capabilities not dropping ALL, or adding more than NET_BIND_SERVICE"
)
ROS404 = _declare("ROS404", "error", "lint", "restricted PSS: seccompProfile not RuntimeDefault/Localhost")
ROS405 = _declare("ROS405", "error", "lint", "restricted PSS: privileged container")
ROS406 = _declare("ROS406", "error", "lint", "baseline PSS: host namespaces, hostPath volumes, hostPorts, hostProcess")
ROS407 = _declare("ROS407", "error", "lint", "restricted PSS: volume type not allowed")
ROS408 = _declare("ROS408", "error", "lint", "OpenShift: fixed runAsUser/fsGroup (restricted-v2 SCC assigns them)")
ROS409 = _declare("ROS409", "warning", "lint", "baseline PSS: unsafe sysctls or procMount")

# --- secrets: the sealed secrets of every overlay ---------------------------------------------------------
ROS501 = _declare(
    "ROS501",
    "warning",
    "secrets",
    "a SealedSecret is a stub with no ciphertext (an error in production overlays with --require-sealed)",
)
ROS502 = _declare(
    "ROS502", "warning", "secrets", "a sealed file no component (or no overlay) of the catalog deploys any more"
)
ROS503 = _declare(
    "ROS503", "error", "secrets", "a SealedSecret is bound to a name or namespace other than where it is deployed"
)
ROS504 = _declare(
    "ROS504", "warning", "secrets", "a key the catalog declares is not sealed (an error in production overlays)"
)
ROS505 = _declare("ROS505", "warning", "secrets", "a sealed key the catalog does not declare")
ROS506 = _declare("ROS506", "error", "secrets", "no SealedSecret file for a Secret the overlay's components read")
ROS507 = _declare(
    "ROS507", "error", "secrets", "a sealed-secrets file written neither by `rosgit generate` nor by `rosgit seal`"
)
ROS508 = _declare("ROS508", "error", "secrets", "an encryptedData value does not have the kubeseal ciphertext layout")
ROS509 = _declare("ROS509", "error", "secrets", "an overlay's sealed-secrets directory cannot be read")

# --- argocd: the Argo CD objects under argocd/ ------------------------------------------------------------
ROS521 = _declare("ROS521", "error", "argocd", "an object under argocd/ is not a valid Argo CD object")
ROS522 = _declare("ROS522", "error", "argocd", "argocd/ is missing, or one of its files cannot be read")
ROS523 = _declare(
    "ROS523",
    "error",
    "argocd",
    "an Application's source path is missing, or a file an app-of-apps root includes is missing or no Application",
)
ROS524 = _declare("ROS524", "error", "argocd", "an Application's source path does not build")
ROS525 = _declare(
    "ROS525", "error", "argocd", "an Application (or one an app-of-apps root includes) names a project not in argocd/"
)
ROS526 = _declare(
    "ROS526", "error", "argocd", "the project does not whitelist a kind the Application deploys (or its Namespace)"
)
ROS527 = _declare("ROS527", "warning", "argocd", "a project whitelists a kind none of its Applications deploys")
ROS528 = _declare("ROS528", "error", "argocd", "an Application's destination is not permitted by its project")
ROS529 = _declare(
    "ROS529", "error", "argocd", "two Applications of one platform deploy to the same server and namespace"
)
ROS530 = _declare(
    "ROS530", "error", "argocd", "objects under argocd/ sync out of order, or carry a wave or hook Argo CD cannot read"
)
ROS531 = _declare("ROS531", "error", "argocd", "an Application's source.repoURL is not the catalog's repository")
ROS532 = _declare(
    "ROS532", "error", "argocd", "a built object Argo CD would never see in sync (perpetual OutOfSync)"
)

# --- lint: NetworkPolicy reachability ---------------------------------------------------------------------
ROS601 = _declare("ROS601", "error", "lint", "a flow of the traffic matrix is blocked by the NetworkPolicies")
ROS602 = _declare("ROS602", "error", "lint", "the NetworkPolicies allow a flow that is not in the traffic matrix")
ROS603 = _declare("ROS603", "error", "lint", "DNS egress is blocked for a pod")
ROS604 = _declare("ROS604", "error", "lint", "an OpenShift overlay carries no NetworkPolicies")
ROS605 = _declare(
    "ROS605", "error", "lint", "a client of a service-CA-signed endpoint (ODF S3) trusts only the system CAs"
)
ROS606 = _declare(
    "ROS606", "error", "lint", "a CA file variable names the service CA alone, replacing the system CAs"
)

# --- lint: the authenticated front door (identity:) -------------------------------------------------------
ROS607 = _declare("ROS607", "error", "lint", "a Route or Ingress publishes a Service other than the gateway's")
ROS608 = _declare(
    "ROS608", "error", "lint",
    "a backend's API port is reachable around the gateway (an external peer, or a pod the matrix does not name)",
)
ROS609 = _declare(
    "ROS609", "error", "lint", "a Koku API pod would ask an RBAC service the overlay does not run (HTTP 424)"
)

# --- lint: Argo CD sync order inside an overlay -----------------------------------------------------------
ROS701 = _declare(
    "ROS701", "error", "lint", "a workload syncs before the ConfigMap/Secret/claim/SealedSecret it reads"
)
ROS702 = _declare(
    "ROS702", "error", "lint", "a workload (a migration, an app) syncs before (or with) the database it uses"
)
ROS703 = _declare("ROS703", "error", "lint", "an app syncs before (or with) the migration of the database it uses")
ROS704 = _declare("ROS704", "error", "lint", "an invalid sync-wave or hook annotation")

# --- lint: replicas and disruption ------------------------------------------------------------------------
ROS801 = _declare(
    "ROS801", "error", "lint", "a singleton (e.g. Celery beat) runs or autoscales to more than one replica"
)
ROS802 = _declare("ROS802", "warning", "lint", "a singleton Deployment rolls with RollingUpdate")
ROS803 = _declare(
    "ROS803",
    "error",
    "lint",
    "a PodDisruptionBudget allows no eviction (a warning when it selects nothing)",
)


# --- lint: workloads against the contracts of their images (rosgit/contracts) -----------------------------
CON001 = _declare("CON001", "error", "lint", "a container lacks an env variable its image's program requires")
CON002 = _declare(
    "CON002", "error", "lint", "a container sets an env variable its program never reads (env_complete contracts)"
)
CON003 = _declare("CON003", "error", "lint", "an env value does not parse as the program parses it")
CON004 = _declare("CON004", "error", "lint", "a probe targets a port or HTTP path the program does not serve")
CON005 = _declare("CON005", "error", "lint", "a ServiceMonitor endpoint is not a metrics port and path of the program")
CON006 = _declare(
    "CON006", "error", "lint", "Kubernetes: the kubelet cannot verify runAsNonRoot for the image's USER (a name, or 0)"
)
CON007 = _declare(
    "CON007", "error", "lint", "a path the program writes is on no volume while the root filesystem is read-only"
)
CON008 = _declare(
    "CON008", "error", "lint", "a Kafka topic produced or consumed is created by no step (and auto-create is off)"
)
CON009 = _declare("CON009", "error", "lint", "a bucket the program uses is created by no step")
CON010 = _declare("CON010", "error", "lint", "a Celery queue the program routes tasks to is consumed by no worker")
CON011 = _declare(
    "CON011", "error", "lint", "a database, role or extension is not created by a step that runs before its user"
)
CON012 = _declare(
    "CON012", "error", "lint",
    "a path the program writes is on no volume and the container's user cannot write it in the image",
)

# --- helm: the chart renders what the overlays build ------------------------------------------------------
ROS901 = _declare("ROS901", "error", "helm", "an object's fields differ between the overlay and the chart")
ROS902 = _declare("ROS902", "error", "helm", "an object the overlay builds is not rendered by the chart")
ROS903 = _declare("ROS903", "error", "helm", "the chart renders an object the overlay does not build")
ROS904 = _declare(
    "ROS904", "error", "helm", "`helm template` fails on the chart, or the overlay does not build: no comparison"
)
ROS905 = _declare("ROS905", "error", "helm", "the overlay or the chart renders one object twice")
ROS906 = _declare(
    "ROS906", "error", "helm",
    "the chart's content changed since the merge-base with main but its version (catalog chart.version) did not grow",
)
ROS907 = _declare(
    "ROS907", "warning", "helm",
    "an overlay's own patch is not representable in the chart (the proof applies it to the chart's side)",
)

ROS908 = _declare(
    "ROS908", "info", "helm",
    "no main branch to find the merge-base with: the chart version check compared with HEAD only",
)

RULES: Mapping[RuleId, Rule] = MappingProxyType(dict(sorted(_declared.items())))


def rules_of(family: Family | None = None) -> list[Rule]:
    """The rules in id order, all of them or one family's."""
    return [rule for rule in RULES.values() if family is None or rule.family == family]


RULES_OUTPUTS = ("text", "json", "markdown")


def render_rules(rules: Iterable[Rule], output: str = "text") -> str:
    """The rule table as aligned text, a JSON list, or the Markdown table docs/rules.md is."""
    chosen = list(rules)
    if output == "json":
        return json.dumps([asdict(rule) for rule in chosen], indent=2) + "\n"
    if output == "markdown":
        rows = [f"| {r.id} | {r.severity} | {r.family} | {r.description} |\n" for r in chosen]
        head = "| id | severity | family | description |\n|---|---|---|---|\n"
        return MARKDOWN_PREAMBLE + head + "".join(rows)
    if output != "text":
        raise UsageError(f"unknown output {output!r}; choose {', '.join(RULES_OUTPUTS)}")
    return "".join(f"{r.id}  {r.severity:<7}  {r.family:<8}  {r.description}\n" for r in chosen)


MARKDOWN_PREAMBLE = """\
# Finding ids

Every id `rosgit check`, `rosgit lint`, `rosgit validate` and `rosgit helm-diff` report, with its default
severity and the family (the stage of `rosgit check`) that reports it. Suppress a lint id on one object with
the annotation `rosgit.io/lint-ignore: "ROS101,ROS203"`.

This file is the output of `rosgit rules --output markdown` (the table lives in `rosgit/ids.py`); a test fails
when they differ.

"""
