"""Bad contract input is one `FILE:LINE: reason` error (exit 2); good input loads into typed facts."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.catalog.model import Catalog
from rosgit.contracts import check_coverage, contracts_for, load_contract, load_contracts
from rosgit.contracts.loader import DIRECTORY_VARIABLE
from rosgit.errors import UsageError
from rosgit.kustomize import split_image
from tests.conftest import REPO_ROOT, run_rosgit
from tests.contracts.fixture import FIXTURES

CATALOG = REPO_ROOT / "rosgit.yaml"
APP = (FIXTURES / "app.yaml").read_text(encoding="utf-8")
TOPIC = '{topic: app.uploads, env: UPLOAD_TOPIC, source: "APP:app/kafka.py:30"}]'
WRITE = '  - {path: /tmp, source: "APP:app/settings.py:40"}'


def _when(condition: str) -> str:
    """The fixture's topic fact with a `when:` carrying `condition` and a source."""
    return TOPIC.replace("}]", f', when: {{{condition}, source: "APP:app/kafka.py:29"}}}}]')


@cache
def _catalog() -> Catalog:
    return load_catalog(CATALOG)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(UsageError) as raised:
        load_contract(path)
    return str(raised.value)


def test_the_fixture_contract_loads_into_typed_facts() -> None:
    contract = load_contract(FIXTURES / "app.yaml")
    assert contract.user is not None and (contract.user.name, contract.user.uid) == ("app", 1001)
    assert contract.env_complete is True
    api = contract.mode_for("gunicorn app.wsgi")
    assert api is not None and api.name == "api"
    assert [(s.name, s.port, s.env, s.metrics) for s in api.serves] == [
        ("http", 8000, None, False), ("metrics", 9000, "METRICS_PORT", True)
    ]
    assert api.database.roles[0].user_env == "DATABASE_USER"
    assert contract.mode_for("celery -A app worker -Q x").celery.consumes_arg == "-Q"  # type: ignore[union-attr]
    assert contract.cite("APP:app/s3.py:12") == "example/app@0123abcd:app/s3.py:12"
    assert [(w.path, w.writable_by, w.writable_source) for w in contract.writes] == [("/tmp", "unknown", None)]


def test_who_may_write_a_path_loads_with_its_source_and_mode_writes_join_the_contracts(tmp_path: Path) -> None:
    text = APP.replace(WRITE, WRITE.replace("}", ', writable_by: root-group, writable_source: "APP:Dockerfile:21"}'))
    text = text.replace("  - name: api\n", '  - name: api\n    writes: [{path: /srv/cache, source: "APP:app/c.py:3", '
                        'writable_by: owner, writable_source: "APP:Dockerfile:22"}]\n')
    contract = load_contract(_write(tmp_path, "app", text))
    api = contract.mode_for("gunicorn app.wsgi")
    assert [(w.path, w.writable_by) for w in contract.writes_for(api)] == [
        ("/tmp", "root-group"), ("/srv/cache", "owner")
    ]
    assert [w.path for w in contract.writes_for(contract.mode_for("celery -A app worker"))] == ["/tmp"]


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        ("  uid: 1001\n", "  uid: 1001\n  colour: red\n", "colour: red", "unknown field 'colour'"),
        ('  - {path: /tmp, source: "APP:app/settings.py:40"}', "  - {path: /tmp}", "{path: /tmp}",
         "missing required field 'source'"),
        ('source: "APP:app/s3.py:12"', 'source: "UPSTREAM:app/s3.py:12"', "UPSTREAM:",
         "alias 'UPSTREAM' is not declared in sources (APP)"),
        ('source: "APP:app/s3.py:12"', 'source: "app/s3.py"', '"app/s3.py"', "is not ALIAS:path[:line[-line]]"),
        ("APP: example/app@0123abcd", "APP: example/app@main", "APP: example/app@main",
         "is not owner/repo@<7-40 hex commit>"),
        ("type: bool, parser: django-environ", "type: boolean, parser: django-environ", "type: boolean",
         "'boolean' is not one of string, bool"),
        ("protocol: http, paths: [/health]", "protocol: grpc, paths: [/health]", "protocol: grpc",
         "'grpc' is not one of http"),
        ("image: app\n", "image: other\n", "image: other", "image 'other' must equal the file name 'app'"),
        (TOPIC, _when('env: DEBUG, is: "false", colour: red'), "when:", "unknown field 'colour'"),
        (TOPIC, _when('env: NOPE, is: "1"'), "when:", "'NOPE' is not declared in mode api's or the contract's env"),
        (WRITE, WRITE.replace("}", ', when: {env: METRICS_PORT, is: "9000", source: "APP:app/m.py:6"}}'), "when:",
         "'METRICS_PORT' is not declared in the contract's top-level env"),
        (TOPIC, _when('env: DEBUG, is: "maybe"'), "when:",
         "'maybe' for DEBUG (bool, django-environ): django-environ reads it as False"),
        (TOPIC, _when('env: METRICS_PORT, is: "http"'), "when:", "not a port number as django-environ reads"),
        (TOPIC, _when("env: DEBUG, is: false"), "when:", "when[0].is: expected a string, got a boolean"),
        (TOPIC, TOPIC.replace("}]", ', when: {env: DEBUG, is: "false"}}]'), "when:",
         "missing required field 'source'"),
        (TOPIC, TOPIC.replace("}]", ', when: [{env: DEBUG, is: "no", source: "APP:a.py:1"}, {env: X, is: "1", '
                              'source: "APP:a.py:2"}]}]'), "when:", "when[1].env: 'X' is not declared"),
        (WRITE, WRITE.replace("}", ", writable_by: everyone}"), "writable_by", "'everyone' is not one of owner"),
        (WRITE, WRITE.replace("}", ", writable_by: owner}"), "writable_by",
         "writes[0]: writable_by owner needs writable_source"),
        (WRITE, WRITE.replace("}", ', writable_by: root-group, writable_source: "BASE:Dockerfile:3"}'), "writable_by",
         "writes[0].writable_source: alias 'BASE' is not declared in sources (APP)"),
        (WRITE, WRITE.replace("}", ', writable_source: "APP:Dockerfile:3"}'), "writable_source",
         "writes[0].writable_source: given, but writable_by is unknown"),
    ],
    ids=["unknown-field", "no-provenance", "undeclared-alias", "bad-source", "bad-origin", "bad-type",
         "bad-protocol", "wrong-image", "when-unknown-field", "when-unknown-env", "when-env-of-a-mode-on-a-top-fact",
         "when-value-the-parser-misreads", "when-value-the-parser-rejects", "when-yaml-boolean", "when-no-provenance",
         "when-list-second-unknown", "writable-by-unknown-value", "writable-by-without-source",
         "writable-source-undeclared-alias", "writable-source-without-writable-by"],
)
def test_bad_contract_is_one_line_naming_file_and_line(
    tmp_path: Path, old: str, new: str, needle: str, reason: str
) -> None:
    assert APP.count(old) == 1, old
    text = APP.replace(old, new)
    path = _write(tmp_path, "app", text)
    message = _error(path)
    assert "\n" not in message
    assert message.startswith(f"{path}:{_line_of(text, needle)}: "), message
    assert reason in message, message


def test_invalid_yaml_is_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "app", APP.replace("kind: ImageContract", "kind: [ImageContract"))
    assert _error(path).startswith(f"{path}:")


def _contract_for(key: str, *, tag: str | None = None) -> str:
    repository, catalog_tag, _ = split_image(_catalog().images[key])
    return (
        f"apiVersion: rosgit.io/v1alpha1\nkind: ImageContract\nimage: {key}\nrepository: {repository}\n"
        f"tag: \"{tag or catalog_tag}\"\nsources: {{UP: example/{key}@0123abc}}\n"
    )


def _coverage_error(directory: Path, *, complete: bool = True) -> str:
    with pytest.raises(UsageError) as raised:
        check_coverage(load_contracts(directory), _catalog(), CATALOG, complete=complete)
    return str(raised.value)


def test_a_catalog_image_without_contract_names_the_catalog_line(tmp_path: Path) -> None:
    catalog = _catalog()
    for key in catalog.images:
        if key != "kafka":
            _write(tmp_path, key, _contract_for(key))
    line = _line_of(CATALOG.read_text(encoding="utf-8"), "  kafka: ")
    assert _coverage_error(tmp_path) == f"{CATALOG}:{line}: image 'kafka' has no contract " \
        "(expected data/kafka.yaml in the contracts directory)"
    _write(tmp_path, "kafka", _contract_for("kafka"))
    check_coverage(load_contracts(tmp_path), catalog, CATALOG, complete=True)


def test_partial_coverage_only_when_allowed(tmp_path: Path) -> None:
    _write(tmp_path, "koku", _contract_for("koku"))
    check_coverage(load_contracts(tmp_path), _catalog(), CATALOG, complete=False)
    assert "has no contract" in _coverage_error(tmp_path)


def test_a_tag_the_contract_was_not_read_for_is_an_error(tmp_path: Path) -> None:
    text = _contract_for("koku", tag="0000000")
    path = _write(tmp_path, "koku", text)
    message = _coverage_error(tmp_path, complete=False)
    assert message.startswith(f"{path}:{_line_of(text, 'tag:')}: tag '0000000' is not the catalog's "), message


def test_a_repository_other_than_the_catalogs_is_an_error(tmp_path: Path) -> None:
    text = _contract_for("koku").replace("repository: quay.io/", "repository: docker.io/")
    path = _write(tmp_path, "koku", text)
    assert _coverage_error(tmp_path, complete=False).startswith(f"{path}:{_line_of(text, 'repository:')}: repository")


def test_a_contract_for_an_image_the_catalog_lacks_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "app", APP)
    message = _coverage_error(tmp_path, complete=False)
    assert message.startswith(f"{path}:{_line_of(APP, 'image: app')}: contract for image 'app', which the catalog")


def test_a_directory_given_by_environment_is_held_to_full_coverage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "koku", _contract_for("koku"))
    monkeypatch.setenv(DIRECTORY_VARIABLE, str(tmp_path))
    with pytest.raises(UsageError, match="has no contract"):
        contracts_for(_catalog(), CATALOG)
    monkeypatch.setenv(DIRECTORY_VARIABLE, str(tmp_path / "missing"))
    with pytest.raises(UsageError, match="not a directory"):
        contracts_for(_catalog(), CATALOG)


def test_check_stops_on_a_bad_contract_before_any_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rosgit.check.pipeline import run_pipeline

    path = _write(tmp_path, "app", APP.replace("  uid: 1001\n", "  uid: 1001\n  colour: red\n"))
    monkeypatch.setenv(DIRECTORY_VARIABLE, str(tmp_path))
    with pytest.raises(UsageError, match=f"^{path}:"):
        run_pipeline(CATALOG, overlays=["dev"], skip=set())


def test_cli_lint_with_a_bad_contract_exits_2_with_one_line(tmp_path: Path) -> None:
    text = APP.replace('  - {path: /tmp, source: "APP:app/settings.py:40"}', "  - {path: /tmp}")
    path = _write(tmp_path, "app", text)
    result = run_rosgit("lint", "dev", env={DIRECTORY_VARIABLE: str(tmp_path)})
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{path}:{_line_of(text, '{path: /tmp}')}:" in lines[0]
    assert "missing required field 'source'" in lines[0]


def test_the_packaged_contracts_load_and_match_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every data file the package ships is valid and names a catalog image at the catalog's tag, and every
    catalog image has one."""
    monkeypatch.delenv(DIRECTORY_VARIABLE, raising=False)
    contracts = contracts_for(_catalog(), CATALOG)
    assert set(contracts.contracts) == set(_catalog().images)
