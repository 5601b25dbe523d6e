"""The rule table: every lint rule, its ids and what they mean. Ids are stable; never renumber."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rosgit.findings import Finding
from rosgit.lint import (
    contract_view,
    contracts,
    network,
    ordering,
    references,
    replicas,
    resources,
    security,
    services,
)
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj

RuleFunction = Callable[[list[Obj], LintContext], list[Finding]]


@dataclass(frozen=True)
class Rule:
    function: RuleFunction
    ids: tuple[str, ...]


RULES: tuple[Rule, ...] = (
    Rule(references.check_references, ("ROS101", "ROS102", "ROS103", "ROS104", "ROS105", "ROS106")),
    Rule(references.check_volume_mounts, ("ROS107",)),
    Rule(services.check_services, ("ROS201", "ROS202")),
    Rule(services.check_probes, ("ROS203",)),
    Rule(services.check_front_doors, ("ROS204",)),
    Rule(resources.check_container_resources, ("ROS301",)),
    Rule(resources.check_images, ("ROS302",)),
    Rule(security.check_pod_security, tuple(f"ROS40{i}" for i in range(1, 10))),
    Rule(replicas.check_singletons, ("ROS801", "ROS802")),
    Rule(replicas.check_disruption_budgets, ("ROS803",)),
    Rule(network.check_network, ("ROS601", "ROS602", "ROS603", "ROS604")),
    Rule(ordering.check_config_order, ("ROS701",)),
    Rule(ordering.check_migration_order, ("ROS702", "ROS703")),
    Rule(ordering.check_annotations, ("ROS704",)),
    Rule(contracts.check_contracts, tuple(contract_view.DESCRIPTIONS)),
)

DESCRIPTIONS: dict[str, str] = {
    "ROS101": "a pod reads a Secret the overlay does not create",
    "ROS102": "a pod reads a Secret key the Secret (or SealedSecret, or catalog for stubs) lacks",
    "ROS103": "a pod reads a ConfigMap the overlay does not create",
    "ROS104": "a pod reads a ConfigMap key the ConfigMap lacks",
    "ROS105": "a pod mounts a PersistentVolumeClaim the overlay does not create",
    "ROS106": "a pod runs as a ServiceAccount the overlay does not create",
    "ROS107": "a container mounts a volume the pod does not declare",
    "ROS201": "a Service selector matches no pod template",
    "ROS202": "a Service targetPort is not a port of the selected containers",
    "ROS203": "a probe uses a port the container does not declare",
    "ROS204": "a Route, Ingress or ServiceMonitor points at a missing Service or port",
    "ROS301": "a container lacks cpu/memory requests or limits",
    "ROS302": "an image is untagged or :latest",
    "ROS401": "restricted PSS: runAsNonRoot not true, or UID 0",
    "ROS402": "restricted PSS: allowPrivilegeEscalation not false",
    "ROS403": "restricted PSS: capabilities not dropping ALL, or adding more than NET_BIND_SERVICE",
    "ROS404": "restricted PSS: seccompProfile not RuntimeDefault/Localhost",
    "ROS405": "restricted PSS: privileged container",
    "ROS406": "baseline PSS: host namespaces, hostPath volumes, hostPorts, hostProcess",
    "ROS407": "restricted PSS: volume type not allowed",
    "ROS408": "OpenShift: fixed runAsUser/fsGroup (restricted-v2 SCC assigns them)",
    "ROS409": "baseline PSS: unsafe sysctls or procMount (warning)",
    "ROS601": "a flow of the traffic matrix is blocked by the NetworkPolicies",
    "ROS602": "the NetworkPolicies allow a flow that is not in the traffic matrix",
    "ROS603": "DNS egress is blocked for a pod",
    "ROS604": "an OpenShift overlay carries no NetworkPolicies",
    "ROS701": "a workload syncs before the ConfigMap/Secret/claim/SealedSecret it reads",
    "ROS702": "a workload (a migration, an app) syncs before (or with) the database it uses",
    "ROS703": "an app syncs before (or with) the migration of the database it uses",
    "ROS704": "an invalid sync-wave or hook annotation",
    "ROS801": "a singleton (e.g. Celery beat) runs or autoscales to more than one replica",
    "ROS802": "a singleton Deployment rolls with RollingUpdate (warning)",
    "ROS803": "a PodDisruptionBudget allows no eviction or selects nothing",
    **contract_view.DESCRIPTIONS,
}
