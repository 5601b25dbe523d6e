"""Site knobs in the catalog (docs/site-knobs.md): a catalog setting every knob at every level loads and
validates against the JSON Schema; each kind of bad knob is one `FILE:LINE: reason` line, exit 2, nothing
written, and the schema refuses what the types can say."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from rosgit.catalog import load_catalog
from rosgit.catalog.json_schema import catalog_schema
from rosgit.catalog.model import Site
from rosgit.catalog.profiles import resolve_profile
from rosgit.catalog.site import layered, site_of
from tests.catalog.refusal import assert_generate_refuses
from tests.site_knobs import site_catalog_text

TEXT = site_catalog_text()
PROD_TOLERATION = "        - {key: dedicated, operator: Equal, value: ros, effect: NoSchedule}\n"


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(catalog_schema())


def test_every_knob_at_every_level_loads_and_matches_the_schema(tmp_path: Path) -> None:
    assert [f"{e.json_path}: {e.message}" for e in _validator().iter_errors(yaml.safe_load(TEXT))] == []
    (tmp_path / "rosgit.yaml").write_text(TEXT, encoding="utf-8")
    catalog = load_catalog(tmp_path / "rosgit.yaml")
    prod = resolve_profile(catalog, "prod")
    database = catalog.component("ros-db")
    assert database is not None
    site = site_of(catalog, "kubernetes", prod.site, database)
    assert site.storage_class_names == {"default": "fast-ssd", "database": "fast-ssd-db"}
    assert site.labels["example.com/tier"] == "data" and site.labels["example.com/cloud"] == "on-prem"
    assert site.node_selector == {"node-role.kubernetes.io/infra": ""}
    # a level that sets nothing changes nothing; an empty map or list does not clear a less specific one
    assert layered(catalog.site, Site()) == layered(catalog.site)
    assert layered(Site(node_selector={"a": "b"}), Site(node_selector={})).node_selector == {"a": "b"}


CASES = [
    ("toleration-operator", PROD_TOLERATION, PROD_TOLERATION.replace("Equal", "Equals"), "operator: Equals",
     r"operator: 'Equals' is not one of Exists, Equal"),
    ("toleration-effect", PROD_TOLERATION, PROD_TOLERATION.replace("NoSchedule", "NoSchedul"), "NoSchedul}",
     r"effect: 'NoSchedul' is not one of NoSchedule, PreferNoSchedule, NoExecute"),
    ("toleration-exists-with-value", PROD_TOLERATION, PROD_TOLERATION.replace("Equal", "Exists"),
     "operator: Exists, value: ros", r"operator Exists matches any value; remove value 'ros'"),
    ("toleration-seconds", PROD_TOLERATION, PROD_TOLERATION.replace("}", ", tolerationSeconds: 60}"),
     "tolerationSeconds: 60", r"tolerationSeconds applies only to effect: NoExecute"),
    ("label-key", "      labels: {example.com/env: prod}\n", "      labels: {example.com/env prod: prod}\n",
     "example.com/env prod", r"'example.com/env prod' is not a valid Kubernetes label key"),
    ("label-value", "      labels: {example.com/env: prod}\n", "      labels: {example.com/env: -prod}\n",
     "example.com/env: -prod", r"'-prod' is not a valid Kubernetes label value"),
    ("label-number", "      labels: {example.com/env: prod}\n", "      labels: {example.com/env: 42}\n",
     "example.com/env: 42", r"expected a string, got the number 42 \(quote it\)"),
    ("label-reserved", "      labels: {example.com/env: prod}\n", "      labels: {app.kubernetes.io/name: x}\n",
     "app.kubernetes.io/name: x", r"labels: app.kubernetes.io/name is set by rosgit"),
    ("annotation-not-a-string", '      annotations: {example.com/backup: "true"}\n',
     "      annotations: {example.com/backup: true}\n", "example.com/backup: true}",
     r"annotations.example.com/backup: expected a string, got a boolean"),
    ("annotation-reserved", '      annotations: {example.com/backup: "true"}\n',
     '      annotations: {argocd.argoproj.io/sync-wave: "3"}\n', "argocd.argoproj.io/sync-wave",
     r"argocd.argoproj.io/sync-wave is written by rosgit"),
    ("storage-class-name", "storageClassNames: {default: fast-ssd, database: fast-ssd-db}",
     "storageClassNames: {default: Fast_SSD, database: fast-ssd-db}", "Fast_SSD",
     r"'Fast_SSD' is not a DNS-1123 subdomain"),
    ("storage-class-unknown-volume-class", "storageClassNames: {default: fast-ssd, database: fast-ssd-db}",
     "storageClassNames: {default: fast-ssd, databse: fast-ssd-db}", "databse: fast-ssd-db",
     r"no claim has class 'databse'; did you mean 'database'\?"),
    ("unknown-knob", "      host: ros-prod.example.org\n", "      hostname: ros-prod.example.org\n", "hostname:",
     r"unknown field 'hostname'; did you mean 'host'\?"),
    ("host-on-a-component", "      imagePullSecrets: [api-pull]\n",
     "      imagePullSecrets: [api-pull]\n      host: api.example.org\n", "host: api.example.org",
     r"site.host: set catalog-wide, per platform or per profile"),
    ("two-hosts-on-a-platform", "    kubernetesVersion: \"1.33\"\n    site:\n",
     "    kubernetesVersion: \"1.33\"\n    site:\n      host: k8s.example.org\n", "host: k8s.example.org",
     r"the platform's ingressHost already names the host"),
    ("pull-secret-name", "  imagePullSecrets: [registry-pull]\n", "  imagePullSecrets: [Registry Pull]\n",
     "[Registry Pull]", r"'Registry Pull' is not a DNS-1123 subdomain"),
]


@pytest.mark.parametrize(("old", "new", "marker", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_knob_is_one_line_naming_its_file_and_line(
    tmp_path: Path, old: str, new: str, marker: str, reason: str
) -> None:
    assert TEXT.count(old) == 1, old
    assert_generate_refuses(tmp_path, TEXT.replace(old, new), marker, reason)


@pytest.mark.parametrize("case", ["toleration-operator", "toleration-effect", "label-key", "label-number",
                                  "annotation-not-a-string", "storage-class-name", "unknown-knob"])
def test_the_schema_refuses_what_the_types_say(case: str) -> None:
    _, old, new, _, _ = next(c for c in CASES if c[0] == case)
    assert not _validator().is_valid(yaml.safe_load(TEXT.replace(old, new))), case
