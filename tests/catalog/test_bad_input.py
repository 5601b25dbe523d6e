"""Every kind of bad catalog input: exit 2, one line `FILE:LINE: reason`, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.refusal import assert_generate_refuses
from tests.conftest import REPO_ROOT, run_rosgit

CATALOG = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")


# (case id, text to replace, replacement, marker on the line the error must name, reason regex)
CASES = [
    (
        "plan-row-unknown-component",
        "components: [koku-celery-beat, koku-worker-*]",
        "components: [koku-celery-beat, kokuworker-*]",
        "- name: Koku Workers",
        r"plan row 'Koku Workers': no component matches 'kokuworker-\*'",
    ),
    (
        "plan-row-component-twice",
        "components: [koku-db]",
        "components: [koku-db, koku-api-reads]",
        "- name: Koku DB",
        r"plan row 'Koku DB': 'koku-api-reads' is already in row 'Koku API'",
    ),
    (
        "plan-row-unknown-group",
        "groups: [trino]",
        "groups: [trinos]",
        "groups: [trinos]",
        r"'trinos' is not one of",
    ),
    (
        "plan-quantity",
        '      cpuRequests: "8"\n',
        "      cpuRequests: eight\n",
        "cpuRequests: eight",
        r"quantity",
    ),
    (
        "unknown-field",
        "    scalable: true\n    command: [/bin/sh, -c, ./rosocp start api]",
        "    scalable: true\n    comand: [/bin/sh, -c, ./rosocp start api]",
        "comand:",
        r"unknown field 'comand'",
    ),
    (
        "wrong-type",
        "  - name: rosocp-api\n    extends: ros",
        "  - name: rosocp-api\n    extends: ros\n    replicas: two",
        "replicas: two",
        r"expected an integer",
    ),
    (
        "duplicate-component",
        "  - name: rosocp-processor\n",
        "  - name: rosocp-api\n",
        None,
        r"duplicate component 'rosocp-api'",
    ),
    (
        "traffic-unknown-component",
        "{from: trino-worker, to: trino-coordinator,",
        "{from: trino-wrker, to: trino-coordinator,",
        "from: trino-wrker",
        r"unknown source 'trino-wrker'",
    ),
    (
        "traffic-unknown-port",
        "to: hive-metastore, port: thrift,",
        "to: hive-metastore, port: thrfit,",
        "port: thrfit",
        r"'hive-metastore' has no port 'thrfit'",
    ),
    (
        "invalid-quantity",
        "koku-beat: {requests: {cpu: 100m,",
        "koku-beat: {requests: {cpu: 100x,",
        "cpu: 100x",
        r"invalid quantity '100x'",
    ),
    (
        "beat-replicas-2",
        "replicas: {koku-api-reads: 2}",
        "replicas: {koku-api-reads: 2, koku-celery-beat: 2}",
        "koku-celery-beat: 2",
        r"singleton and must run exactly 1 replica",
    ),
    (
        "image-without-tag",
        "  trino: docker.io/trinodb/trino:476",
        "  trino: docker.io/trinodb/trino",
        "trino: docker.io/trinodb/trino",
        r"has no tag or digest",
    ),
    (
        "image-latest",
        "  trino: docker.io/trinodb/trino:476",
        "  trino: docker.io/trinodb/trino:latest",
        "trino: docker.io/trinodb/trino:latest",
        r"uses the tag 'latest'",
    ),
    (
        "wait-for-unknown-target",
        "    waitFor: [object-storage]\n",
        "    waitFor: [object-store]\n",
        "  - name: minio-buckets",
        r"waitFor 'object-store' must name a component and one of its ports, or be object-storage",
    ),
    (
        "ca-trust-unknown-kind",
        "    caTrust: java\n    # its database and role exist before it starts",
        "    caTrust: rust\n    # its database and role exist before it starts",
        "caTrust: rust",
        r"'rust'.*(go|java|python)",
    ),
    (
        "ca-trust-env-set-twice",
        "      - {name: HIVE_LOGLEVEL, value: INFO}\n",
        "      - {name: HIVE_LOGLEVEL, value: INFO}\n      - {name: JAVA_TOOL_OPTIONS, value: -Xss2m}\n",
        "name: JAVA_TOOL_OPTIONS",
        r"caTrust java sets JAVA_TOOL_OPTIONS on OpenShift itself",
    ),
    (
        "ca-trust-kubernetes-only",
        "    caTrust: java\n    # its database and role exist before it starts",
        "    caTrust: java\n    platforms: [kubernetes]\n    # its database and role exist before it starts",
        None,
        r"component 'hive-metastore': caTrust java has no effect",
    ),
    ("malformed-yaml", "  - name: kruize\n", "  - name: kruize\n   bad: [\n", None, r"."),
    # Strimzi (platforms.openshift.kafka): the field is named, the line is the field's
    (
        "strimzi-bad-api-version",
        "      apiVersion: kafka.strimzi.io/v1beta2\n",
        "      apiVersion: kafka.strimzi.io/v1beta1\n",
        "apiVersion: kafka.strimzi.io/v1beta1",
        r"platforms\.openshift\.kafka\.apiVersion: 'kafka\.strimzi\.io/v1beta1' is not one of "
        r"kafka\.strimzi\.io/v1beta2, kafka\.strimzi\.io/v1",
    ),
    (
        "strimzi-unknown-field",
        "      cluster: ros-kafka\n",
        "      cluster: ros-kafka\n      replicas: 3\n",
        "      replicas: 3",
        r"platforms\.openshift\.kafka: unknown field 'replicas'",
    ),
    (
        "strimzi-bad-operator",
        "      operator: strimzi\n",
        "      operator: confluent\n",
        "operator: confluent",
        r"platforms\.openshift\.kafka\.operator: 'confluent' is not one of strimzi",
    ),
    (
        "strimzi-component-on-both-platforms",
        "    platforms: [kubernetes]\n    image: kafka\n    size: kafka\n",
        "    image: kafka\n    size: kafka\n",
        "      operator: strimzi",
        r"platforms\.openshift\.kafka\.component: 'kafka' also runs on openshift",
    ),
    (
        "strimzi-bad-version",
        '      version: "4.1.0"\n',
        '      version: "4.1"\n',
        "      operator: strimzi",
        r"platforms\.openshift\.kafka\.version: '4\.1' is not a Kafka version",
    ),
    (
        "topic-not-a-dns-name",
        "  - {name: hccm.ros.events, description",
        "  - {name: HCCM_ros.events, description",
        "HCCM_ros.events",
        r"topics\[0\]\.name: 'HCCM_ros\.events' is not a lower-case DNS subdomain",
    ),
    (
        "profile-kafka-unknown-field",
        "    kafka: {brokers: 3, controllers: 3, controllerStorage: 20Gi}",
        "    kafka: {brokers: 3, controllers: 3, controllerStorag: 20Gi}",
        "controllerStorag: 20Gi",
        r"unknown field 'controllerStorag'",
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "marker", "reason"), CASES, ids=[c[0] for c in CASES])
def test_bad_catalog_is_one_line_error(
    tmp_path: Path, case: str, old: str, new: str, marker: str | None, reason: str
) -> None:
    assert old in CATALOG, case
    assert_generate_refuses(tmp_path, CATALOG.replace(old, new, 1), marker, reason)


def test_missing_catalog_names_the_file(tmp_path: Path) -> None:
    result = run_rosgit("generate", "--catalog", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "nope.yaml" in result.stderr and "rosgit init" in result.stderr
    tree = run_rosgit("check", "--catalog", str(tmp_path / "nope.yaml"))  # through repo.tree.catalog_and_tree
    assert tree.returncode == 2 and "catalog not found" in tree.stderr, tree.stderr


def test_a_missing_yaml_file_that_is_no_catalog_is_not_called_one(tmp_path: Path) -> None:
    """A contract (or any YAML file but the catalog) gone between listing and reading: `rosgit init` would
    not write it."""
    from rosgit.catalog.loader import parse_yaml
    from rosgit.errors import UsageError

    with pytest.raises(UsageError) as raised:
        parse_yaml(tmp_path / "kruize.yaml")
    assert "catalog" not in str(raised.value) and "kruize.yaml: cannot read" in str(raised.value)
