"""The rule table: every lint rule function and the ids it reports (rosgit.ids declares what they mean)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rosgit import ids
from rosgit.findings import Finding, RuleId
from rosgit.lint import (
    contract_steps,
    contracts,
    gateway,
    network,
    ordering,
    references,
    replicas,
    resources,
    security,
    services,
    trust,
)
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj

RuleFunction = Callable[[list[Obj], LintContext], list[Finding]]


@dataclass(frozen=True)
class LintRule:
    """One rule function and every id it may report (`--select` runs only the rules owning an id)."""

    function: RuleFunction
    ids: tuple[RuleId, ...]


RULES: tuple[LintRule, ...] = (
    LintRule(references.check_references, (ids.ROS101, ids.ROS102, ids.ROS103, ids.ROS104, ids.ROS105, ids.ROS106)),
    LintRule(references.check_volume_mounts, (ids.ROS107,)),
    LintRule(services.check_services, (ids.ROS201, ids.ROS202)),
    LintRule(services.check_probes, (ids.ROS203,)),
    LintRule(services.check_front_doors, (ids.ROS204,)),
    LintRule(resources.check_container_resources, (ids.ROS301,)),
    LintRule(resources.check_images, (ids.ROS302,)),
    LintRule(resources.check_digest_pins, (ids.ROS303,)),
    LintRule(resources.check_requests_within_limits, (ids.ROS304,)),
    LintRule(
        security.check_pod_security,
        (ids.ROS401, ids.ROS402, ids.ROS403, ids.ROS404, ids.ROS405, ids.ROS406, ids.ROS407, ids.ROS408, ids.ROS409),
    ),
    LintRule(replicas.check_singletons, (ids.ROS801, ids.ROS802)),
    LintRule(replicas.check_disruption_budgets, (ids.ROS803,)),
    LintRule(network.check_network, (ids.ROS601, ids.ROS602, ids.ROS603, ids.ROS604)),
    LintRule(trust.check_service_ca_trust, (ids.ROS605, ids.ROS606)),
    LintRule(gateway.check_published, (ids.ROS607,)),
    LintRule(gateway.check_backend_ports, (ids.ROS608,)),
    LintRule(gateway.check_koku_authorization, (ids.ROS609,)),
    LintRule(ordering.check_config_order, (ids.ROS701,)),
    LintRule(ordering.check_migration_order, (ids.ROS702, ids.ROS703)),
    LintRule(ordering.check_annotations, (ids.ROS704,)),
    LintRule(
        contracts.check_contracts,
        (ids.CON001, ids.CON002, ids.CON003, ids.CON004, ids.CON005, ids.CON006, ids.CON007, ids.CON012),
    ),
    LintRule(contract_steps.check_steps, (ids.CON008, ids.CON009, ids.CON010, ids.CON011)),
)
