"""The one table of what the conformance tier changes in a pod's generated configuration, and nothing else.

Every program runs on one host (the sandbox) instead of in its own pod, so only what two pods would share on
one host is moved, never a setting of the program:

| what the pod has                                   | what the sandbox uses                              |
| -------------------------------------------------- | -------------------------------------------------- |
| a volume mount path (data or ConfigMap volume)     | SANDBOX/<component>/<mount path>, wherever the     |
|                                                    | generated env, args or scripts name that path      |
| the image's own tool paths (IMAGE_PATHS below)     | the installed program of the same name             |
| PostgreSQL's socket directory (/var/run/postgresql)| SANDBOX/<component>/run                            |
| the Trino worker's http-server.http.port 8080      | 8081 (MOVED_PORTS), in its config.properties and   |
| (the coordinator's too; both run in one sandbox)   | its probes; discovery.uri stays as generated       |
| Trino's `-Dnode.id` (run-trino: $HOSTNAME)         | the workload's name                                |
| the exec probe /usr/lib/trino/bin/health-check     | what that script checks (HEALTH_CHECKS): GET       |
| (the image's; not in the server tarball)           | localhost:<config's port>/v1/info, "starting":false|
| the Envoy image's trust store (the gateway without | the identity run's throwaway CA, bind-mounted over |
| identity.oidc.ca): /etc/ssl/certs/ca-certificates. | it in the sandbox's own mount namespace only       |
| crt                                                |                                                    |
| hive-metastore-db's server, when Trino's checks    | its POSTGRESQL_USER and POSTGRESQL_DATABASE,       |
| also need koku-db's (both on 5432)                 | created on koku-db's server (SHARED_DATABASE_SERVER)|
| the service CA bundle OpenShift injects into the   | a stand-in CA made for the run (initsteps.py), so  |
| service-ca ConfigMap (empty in the overlay)        | the ca-trust init container imports a real one     |

Ports stay as generated otherwise: pods that listen on the same port (koku-db, ros-db and hive-metastore-db on
5432) are run one after another, each in its own sandbox. Trino's coordinator and worker cannot be: queries need
both at once (node-scheduler.include-coordinator=false), so the worker's port moves; and Trino's postgres catalog
and its metastore need koku-db and hive-metastore-db at once, so the metastore's user and database are made on
koku-db's server as the sclorg init of hive-metastore-db makes them on its own. docs/conformance.md repeats this
table; tests/conformance/test_adjust.py checks that the two agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Paths inside an image that its generated scripts call, and the installed program standing in for each.
IMAGE_PATHS: dict[str, str] = {
    "/opt/kafka/bin/": "",  # apache/kafka ships its scripts there; the sandbox puts ours on PATH
}

# workload -> {port as generated: port in the sandbox}, for pods that must run at the same time in one sandbox
MOVED_PORTS: dict[str, dict[int, int]] = {"trino-worker": {8080: 8081}}

# exec probe commands of an image that the installed program does not ship, checked by what they check
# (trinodb/trino@842f388d core/docker/bin/health-check; rosgit/conformance/trino.py health_check)
HEALTH_CHECKS = ("/usr/lib/trino/bin/health-check",)

# database pods whose user and database the Trino checks create on another database pod's server (same port)
SHARED_DATABASE_SERVER = {"hive-metastore-db": "koku-db"}


@dataclass(frozen=True)
class Relocation:
    """Mount paths of one pod moved under its sandbox directory."""

    home: Path  # SANDBOX/<component>
    mounts: tuple[str, ...]

    def path(self, mount: str) -> Path:
        return self.home / mount.lstrip("/")

    def place(self, files: dict[str, dict[str, str]], *, keep: tuple[str, ...] = ()) -> None:
        """Write a pod's ConfigMap files (mount path -> name -> text) at their moved mount paths, with every mount
        path they name moved too (`node.data-dir=/data/trino`); files whose name is in `keep` as generated."""
        for mount, named in files.items():
            for name, text in named.items():
                target = self.path(mount) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text if name in keep else self.text(text), encoding="utf-8")

    def text(self, value: str) -> str:
        """`value` with every mount path it names moved (longest first, so /data/x wins over /data)."""
        # one pass over the original text: a moved path is never moved again (a sandbox under /tmp and a pod
        # mounting /tmp would otherwise nest the first move inside the second)
        mounts = sorted(set(self.mounts), key=len, reverse=True)
        if mounts:
            pattern = re.compile(
                r"(?<![A-Za-z0-9_.\-])(" + "|".join(re.escape(m) for m in mounts) + r")(?=$|[/\"' \n,:;])"
            )
            value = pattern.sub(lambda match: str(self.path(match.group(1))), value)
        for image_path, installed in IMAGE_PATHS.items():
            value = value.replace(image_path, installed)
        return value
