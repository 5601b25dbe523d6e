"""A catalog setting every site knob (docs/site-knobs.md) at every level, for the generate, Helm and validate
tests: the repository's catalog with these edits."""

from __future__ import annotations

from pathlib import Path

from rosgit.catalog import Catalog, load_catalog
from rosgit.repo.tree import render_tree
from tests.conftest import REPO_ROOT

CATALOG_SITE = """site:
  labels: {example.com/cost-center: cc-42, example.com/tier: default}
  annotations: {example.com/owner: platform-team}
  imagePullSecrets: [registry-pull]
  host: ros.example.org
  tls: {secretName: ros-tls}
  storageClassNames: {default: standard-rwo}

platforms:
"""
OPENSHIFT_SITE = """    openshiftVersion: "4.20"
    site:
      host: ros.apps.example.org
      nodeSelector: {kubernetes.io/os: linux}
      labels: {example.com/tier: openshift}
"""
PROD_SITE = """    antiAffinity: true
    site:
      host: ros-prod.example.org
      tls: {secretName: ros-prod-tls}
      tolerations:
        - {key: dedicated, operator: Equal, value: ros, effect: NoSchedule}
      storageClassNames: {default: fast-ssd, database: fast-ssd-db}
      labels: {example.com/env: prod}
      annotations: {example.com/backup: "true"}
      nodeSelector: {example.com/pool: large}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - {key: example.com/pool, operator: In, values: [large]}
"""
DATABASE_SITE = """    storage:
      - {name: data, mountPath: /var/lib/pgsql/data, size: 10Gi, class: database}
    site:
      nodeSelector: {node-role.kubernetes.io/infra: ""}
      tolerations:
        - {key: node-role.kubernetes.io/infra, operator: Exists, effect: NoSchedule}
        - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
      annotations: {example.com/data: "yes"}
      labels: {example.com/tier: data}
"""
API_SITE = """    scalable: true
    site:
      imagePullSecrets: [api-pull]
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 50
              preference:
                matchExpressions:
                  - {key: topology.kubernetes.io/zone, operator: In, values: [zone-a, zone-b]}
"""

# the bases' profile and the bases' platform set knobs the others replace: their values files must delete them
MINIMAL_SITE = """    description: the plan's minimal profile (integration testing, ~10-12 cores)
    site:
      nodeSelector: {example.com/pool: small}
      affinity:
        podAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 10
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector: {matchLabels: {app.kubernetes.io/part-of: ros-ocp}}
"""
KUBERNETES_SITE = """    kubernetesVersion: "1.33"
    site:
      nodeSelector: {kubernetes.io/arch: amd64}
      labels: {example.com/tier: kubernetes, example.com/cloud: on-prem}
"""
EDITS = [
    ("    description: the plan's minimal profile (integration testing, ~10-12 cores)\n", MINIMAL_SITE),
    ('    kubernetesVersion: "1.33"\n', KUBERNETES_SITE),
    ("\nplatforms:\n", "\n" + CATALOG_SITE),
    ('    openshiftVersion: "4.20"\n', OPENSHIFT_SITE),
    ("    antiAffinity: true\n", PROD_SITE),
    (
        "    storage:\n      - {name: data, mountPath: /var/lib/pgsql/data, size: 10Gi}\n",
        DATABASE_SITE,
    ),
    (
        "    description: Koku API (read traffic); the koku-api Service selects reads and writes\n"
        "    size: koku-api\n    scalable: true\n",
        "    description: Koku API (read traffic); the koku-api Service selects reads and writes\n"
        "    size: koku-api\n" + API_SITE,
    ),
]


def site_catalog_text() -> str:
    text = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def write_site_repo(root: Path) -> Catalog:
    """The catalog and its whole generated tree (manifests, Argo CD, chart) under root."""
    (root / "rosgit.yaml").write_text(site_catalog_text(), encoding="utf-8")
    catalog = load_catalog(root / "rosgit.yaml")
    for rel, content in render_tree(catalog).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content, encoding="utf-8")
    return catalog
