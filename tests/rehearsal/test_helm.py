"""The Helm claims shown to fail on a planted chart (the whole chart is installed, upgraded and uninstalled on
the rehearsed clusters of test_claims.py): the exported chart's Secrets only, one of them without
`helm.sh/resource-policy: keep`, another drawing fresh random values instead of reusing what `lookup` finds,
installed with each pinned helm (v4 and v3) on a control plane of its own (no Argo CD, no pods: seconds)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.helm.export import write_chart
from rosgit.rehearsal import helm as H
from rosgit.rehearsal.cluster import CONTROL_PLANE, Cluster
from tests.conftest import REPO_ROOT
from tests.rehearsal.conftest import need_programs

pytestmark = pytest.mark.rehearsal
CATALOG = load_catalog(REPO_ROOT / "rosgit.yaml")
NOT_KEPT, NOT_LOOKED_UP = "koku-django-secret", "redis-credentials"


def secret_block(text: str, name: str) -> tuple[int, int]:
    """The span of secrets.yaml rendering Secret `name` (from its `if` to its `end`)."""
    start = text.rindex("{{- if", 0, text.index(f"\n  name: {name}\n"))
    return start, text.index("{{- end }}", start)


def planted_chart(tmp_path: Path) -> Path:
    chart = write_chart(CATALOG, tmp_path / "chart")
    for path in sorted((chart / "templates").rglob("*"), reverse=True):
        if path.is_file() and path.name not in ("_helpers.tpl", "secrets.yaml"):
            path.unlink()
    secrets = chart / "templates" / "secrets.yaml"
    text = secrets.read_text(encoding="utf-8")
    start, end = secret_block(text, NOT_KEPT)
    kept = text[start:end].replace(f"    {H.KEEP}: keep\n", "")
    assert kept != text[start:end]
    text = text[:start] + kept + text[end:]
    start, end = secret_block(text, NOT_LOOKED_UP)
    fresh = re.sub(r'index \$live "[^"]+" \| default \(([^)]*)\)', r"\1", text[start:end])
    assert fresh != text[start:end]
    secrets.write_text(text[:start] + fresh + text[end:], encoding="utf-8")
    return chart


@pytest.mark.parametrize("helm", ["helm", "helm3"])
def test_a_secret_without_keep_is_lost_and_one_without_lookup_changes_on_upgrade(tmp_path: Path, helm: str) -> None:
    need_programs((*CONTROL_PLANE, helm))
    chart = planted_chart(tmp_path)
    overlay = next(o for o in CATALOG.overlays if o.name == "minimal")
    outcome = H.HelmOutcome("planted")
    with Cluster(tmp_path / "run", gitops=False) as cluster:
        H.make_namespace(cluster, outcome.namespace)
        release = H.release_for(cluster, CATALOG, overlay, chart, outcome.namespace, helm)
        release.install()
        H.secret_lifecycle(release, outcome)
    lines = [p.line() for p in outcome.problems]
    assert lines == [
        f"helm-upgrade: Secret/{NOT_LOOKED_UP}: key(s) password changed by helm upgrade (the chart's lookup did "
        "not keep the live values)",
        f"helm-uninstall: Secret/{NOT_KEPT}: a generated Secret without helm.sh/resource-policy: keep: helm "
        "uninstall deletes the values the databases were initialised with",
    ], lines
    assert NOT_KEPT not in {s.split("/")[1] for s in outcome.kept} and len(outcome.kept) == len(outcome.secrets) - 1
    assert cluster.leftovers() == []
