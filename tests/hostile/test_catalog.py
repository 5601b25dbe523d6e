"""Catalog values Kubernetes would reject are catalog errors naming rosgit.yaml:LINE; `0` passes wherever
Kubernetes accepts it. Each case edits one line of a fresh copy of this repository's catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.hostile.conftest import assert_refused, rosgit, tree_hash

LONG_CRONJOB = "rosocp-partition-cleaner-with-a-name-far-too-long-for-a-jobx"  # 60 characters


def _edit(tree: Path, old: str, new: str, *, every: bool = False) -> int:
    """Replaces `old` (first or every occurrence); returns the 1-based line of the first replacement."""
    catalog = tree / "rosgit.yaml"
    text = catalog.read_text(encoding="utf-8")
    assert old in text, f"the catalog no longer contains {old!r}: update this case"
    line = text[: text.index(old)].count("\n") + 1
    catalog.write_text(text.replace(old, new) if every else text.replace(old, new, 1), encoding="utf-8")
    return line


# (case id, old text, new text, every occurrence, words the message must hold)
REJECTED = [
    ("port-70000", "- {name: postgres, port: 5432}", "- {name: postgres, port: 70000}", False, "1-65535"),
    ("port-0", "- {name: postgres, port: 5432}", "- {name: postgres, port: 0}", False, "1-65535"),
    ("object-storage-port", "{host: minio, port: 9000,", "{host: minio, port: 70000,", False, "1-65535"),
    ("replicas-negative", "replicas: {koku-api-reads: 2}", "replicas: {koku-api-reads: -3}", False, "-3"),
    ("scalable-replicas-negative", "scalableReplicas: 1", "scalableReplicas: -1", False, "scalableReplicas"),
    ("cpu-request-over-limit", "ros-app: {requests: {cpu: 100m,", "ros-app: {requests: {cpu: 600m,", False,
     "cpu request 600m is above its limit 500m"),
    ("memory-request-over-limit", "ros-app: {requests: {cpu: 100m, memory: 256Mi}",
     "ros-app: {requests: {cpu: 100m, memory: 1Gi}", False, "memory request 1Gi is above its limit 512Mi"),
    ("duplicate-service-port", "service: {ports: [postgres]}", "service: {ports: [postgres, postgres]}", False,
     "twice"),
    ("duplicate-container-port", "- {name: postgres, port: 5432}",
     "- {name: postgres, port: 5432}\n      - {name: postgres2, port: 5432}", False, "5432"),
    ("cronjob-name-60", "rosocp-partition-cleaner", LONG_CRONJOB, True, "52"),
    ("cron-six-fields", 'schedule: "0 0 */15 * *"', 'schedule: "0 0 */15 * * *"', False, "5 fields"),
    ("cron-minute-61", 'schedule: "0 0 */15 * *"', 'schedule: "61 0 * * *"', False, "61"),
    ("cron-garbage", 'schedule: "0 0 */15 * *"', 'schedule: "every day"', False, "schedule"),
    ("cron-timezone", 'schedule: "0 0 */15 * *"', 'schedule: "TZ=UTC 0 0 * * *"', False, "timeZone"),
    ("backoff-limit-negative", "backoffLimit: 3", "backoffLimit: -1", False, "backoffLimit"),
    ("run-as-user-negative", "runAsUser: 26", "runAsUser: -5", False, "runAsUser"),
    ("fs-group-negative", "fsGroup: 26", "fsGroup: -1", False, "fsGroup"),
    ("probe-delay-negative", "initialDelaySeconds: 15}", "initialDelaySeconds: -1}", False, "initialDelaySeconds"),
]


@pytest.mark.parametrize(("old", "new", "every", "words"), [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED])
def test_values_kubernetes_rejects_are_catalog_errors(tree: Path, old: str, new: str, every: bool, words: str) -> None:
    line = _edit(tree, old, new, every=every)
    before = tree_hash(tree)
    message = assert_refused(rosgit(tree, "generate"), words)
    assert tree_hash(tree) == before
    match = re.match(r"rosgit: rosgit\.yaml:(\d+): ", message)
    assert match, message
    # the line of the offending value (or of a line the case inserts), or of the object holding it
    assert -2 <= line - int(match.group(1)) <= 60, (line, message)


ZERO = [
    ("replicas", "replicas: {koku-api-reads: 2}", "replicas: {koku-api-reads: 0}"),
    ("backoff-limit", "backoffLimit: 3", "backoffLimit: 0"),
    ("initial-delay", "initialDelaySeconds: 15}", "initialDelaySeconds: 0}"),
    ("probe-period-timeout-threshold", "initialDelaySeconds: 60, periodSeconds: 30}",
     "initialDelaySeconds: 0, periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0}"),
    ("run-as-user", "runAsUser: 26", "runAsUser: 0"),
    ("fs-group", "fsGroup: 26", "fsGroup: 0"),
    ("scalable-replicas", "scalableReplicas: 1", "scalableReplicas: 0"),
    ("kafka-controllers", "controllers: 3,", "controllers: 0,"),
]


@pytest.mark.parametrize(("old", "new"), [c[1:] for c in ZERO], ids=[c[0] for c in ZERO])
def test_zero_is_accepted_where_kubernetes_accepts_it(tree: Path, old: str, new: str) -> None:
    _edit(tree, old, new)
    result = rosgit(tree, "generate")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    again = rosgit(tree, "generate", "--check")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr
