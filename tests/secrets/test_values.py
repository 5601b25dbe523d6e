"""Secret value inputs: declared keys only, no empty values, no duplicates, generated shapes."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest

from rosgit.catalog import load_catalog
from rosgit.catalog.model import Catalog, SecretKey
from rosgit.errors import UsageError
from rosgit.secrets.values import DJANGO_CHARS, ValueInputs, collect_values, env_var_name, generate_value
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REPO_ROOT / "rosgit.yaml")


def _collect(catalog: Catalog, **kwargs: object) -> dict[tuple[str, str], bytes]:
    return collect_values(catalog, catalog.secrets_read_on("kubernetes"), ValueInputs(**kwargs))  # type: ignore[arg-type]


def test_env_var_names() -> None:
    assert (
        env_var_name("koku-db-credentials", "admin-password")
        == "ROSGIT_SECRET_KOKU_DB_CREDENTIALS_ADMIN_PASSWORD"
    )


def test_all_sources(catalog: Catalog, tmp_path: Path) -> None:
    (tmp_path / "pw").write_bytes(b"from-file\n")
    env_file = tmp_path / "values.env"
    env_file.write_text("# comment\n\nros-db-credentials/ros-password=a=b c\n")
    values = _collect(
        catalog,
        from_files=[f"koku-db-credentials/password={tmp_path / 'pw'}"],
        env_files=[str(env_file), "-"],
        stdin=io.StringIO("ROSGIT_SECRET_KOKU_DJANGO_SECRET_SECRET_KEY=django\n"),
        environ={"ROSGIT_SECRET_OBJECT_STORAGE_CREDENTIALS_ACCESS_KEY": "AKIA", "HOME": "/root"},
    )
    assert values == {
        ("koku-db-credentials", "password"): b"from-file\n",  # file content exactly, like kubectl --from-file
        ("ros-db-credentials", "ros-password"): b"a=b c",
        ("koku-django-secret", "secret-key"): b"django",
        ("object-storage-credentials", "access-key"): b"AKIA",
    }


def test_undeclared_key_names_the_line(catalog: Catalog, tmp_path: Path) -> None:
    env_file = tmp_path / "v.env"
    env_file.write_text("\nros-db-credentials/root-password=x\n")
    with pytest.raises(UsageError) as err:
        _collect(catalog, env_files=[str(env_file)])
    assert err.value.location == f"{env_file}:2"
    # the line itself is never quoted (it may be a value without its prefix); the catalog's names are
    assert "declared: admin-password, kruize-password, ros-password" in err.value.message
    assert "root-password" not in err.value.message
    assert "x" not in err.value.message.split("(")[0].replace("password", "")


def test_undeclared_secret(catalog: Catalog) -> None:
    with pytest.raises(UsageError, match="not declared"):
        _collect(catalog, env_files=["-"], stdin=io.StringIO("nope/key=v\n"))


def test_unknown_environment_variable(catalog: Catalog) -> None:
    with pytest.raises(UsageError, match="names no secret key") as err:
        _collect(catalog, environ={"ROSGIT_SECRET_TYPO": "v"})
    assert err.value.location == "$ROSGIT_SECRET_TYPO"


def test_empty_value(catalog: Catalog) -> None:
    with pytest.raises(UsageError, match="empty value for koku-db-credentials/password"):
        _collect(catalog, environ={"ROSGIT_SECRET_KOKU_DB_CREDENTIALS_PASSWORD": ""})


def test_duplicate_value(catalog: Catalog) -> None:
    with pytest.raises(UsageError, match="give each value once"):
        _collect(
            catalog,
            env_files=["-"],
            stdin=io.StringIO("koku-db-credentials/password=a\n"),
            environ={"ROSGIT_SECRET_KOKU_DB_CREDENTIALS_PASSWORD": "b"},
        )


def test_malformed_from_file(catalog: Catalog) -> None:
    with pytest.raises(UsageError, match="SECRET/KEY=PATH"):
        _collect(catalog, from_files=["koku-db-credentials/password"])
    with pytest.raises(UsageError, match="cannot read"):
        _collect(catalog, from_files=["koku-db-credentials/password=/nonexistent/file"])


@pytest.mark.parametrize(
    ("kind", "length", "alphabet"),
    [
        ("password", 32, string.ascii_letters + string.digits),
        ("django-secret-key", 50, DJANGO_CHARS),
        ("access-key", 20, string.ascii_uppercase + string.digits),
        ("secret-key", 40, string.ascii_letters + string.digits),
    ],
)
def test_generated_shapes(kind: str, length: int, alphabet: str) -> None:
    spec = SecretKey(generate=kind, length=length)  # type: ignore[arg-type]
    values = {generate_value(spec) for _ in range(20)}
    assert len(values) == 20
    for value in values:
        assert value is not None and len(value) == length and set(value) <= set(alphabet)


def test_django_secret_keys_never_start_with_a_dollar() -> None:
    # django-environ reads a value starting with "$" as the name of another variable (Env.get_value, "Resolve
    # any proxied values"); no such variable exists, so Koku would silently run on its built-in development key.
    spec = SecretKey(generate="django-secret-key", length=50)
    starts = {value[0] for value in (generate_value(spec) for _ in range(2000)) if value}
    assert "$" not in starts, "a generated DJANGO_SECRET_KEY begins with '$'"
    assert "$" not in DJANGO_CHARS


def test_unset_values_are_never_generated() -> None:
    # a catalog `value:` is refused at load (tests/catalog/test_secret_declarations.py), never sealed
    assert generate_value(SecretKey(generate="none")) is None
    assert generate_value(SecretKey(generate="none", value="admin")) is None
