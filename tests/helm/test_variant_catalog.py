"""The export is general, not tuned to one catalog: a catalog exercising secret volumes, a CronJob with
config files (template braces, nested paths, trailing blank lines, a var shared by two groups), a wait image
override, label overrides and a platform-only component still exports a chart equal to its overlays."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.generate.tree import manifest_files
from rosgit.helm.equivalence import check_equivalence
from rosgit.helm.values import config_vars
from tests.conftest import REPO_ROOT, require_real_tool

EDITS = [
    (
        "    description: MASU, the processing API\n",
        "    description: MASU, the processing API\n"
        "    volumes:\n      - {name: creds, mountPath: /creds, secret: koku-db-credentials}\n",
    ),
    (
        '    schedule: "0 0 */15 * *"\n',
        '    schedule: "0 0 */15 * *"\n'
        "    config:\n      name: cleaner-config\n      mountPath: /etc/cleaner\n      files:\n"
        '        cleaner.conf: "retention=${trinoQueryMaxMemory} {{ not a template }}\\n"\n'
        '        nested/deep.conf: "a: b\\n  indented\\n\\n"\n',
    ),
    ("    imageOverrides: {redis: valkey}", "    imageOverrides: {redis: valkey, wait: valkey}"),
    (
        "    description: consumes platform.upload.announce and processes uploaded payloads\n",
        "    description: consumes platform.upload.announce and processes uploaded payloads\n"
        "    labels: {app.kubernetes.io/component: kafka-listener, example.com/team: cost}\n",
    ),
    ("  - name: kruize\n    group: ros\n", "  - name: kruize\n    group: ros\n    platforms: [openshift]\n"),
]


@pytest.mark.tools
def test_variant_catalog_exports_an_equivalent_chart(tmp_path: Path) -> None:
    require_real_tool("helm")
    require_real_tool("kustomize")
    text = (REPO_ROOT / "rosgit.yaml").read_text()
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (tmp_path / "rosgit.yaml").write_text(text)
    catalog = load_catalog(tmp_path / "rosgit.yaml")
    assert "global" in config_vars(catalog)
    for rel, content in manifest_files(catalog).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content, encoding="utf-8")
    assert not (tmp_path / "charts").exists()  # so the chart is exported from this catalog
    findings = check_equivalence(tmp_path, catalog, engine="kustomize", overlays=["prod", "openshift-prod"])
    assert findings == [], "\n".join(f.line() for f in findings)
