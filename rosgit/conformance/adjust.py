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
| the Hive pod's own /tmp (its SERVICE_OPTS puts     | SANDBOX/<component>/tmp (POD_TMP)                  |
| the embedded Derby there: derby.system.home=/tmp)  |                                                    |
| the Hive image's conf/hive-site.xml: of it, the    | a conf/hive-site.xml with that one setting, the    |
| metastore reads hive.metastore.warehouse.dir       | directory under SANDBOX/<component> (IMAGE_FILES)  |
| the Envoy image's trust store (the gateway without | the identity run's throwaway CA, bind-mounted over |
| identity.oidc.ca): /etc/ssl/certs/ca-certificates. | it in the sandbox's own mount namespace only       |
| crt                                                |                                                    |

Ports stay as generated otherwise: pods that listen on the same port (koku-db, ros-db and hive-metastore-db on
5432) are run one after another, each in its own sandbox. Trino's coordinator and worker cannot be: queries need
both at once (node-scheduler.include-coordinator=false), so the worker's port moves. docs/conformance.md
repeats this table; tests/conformance/test_adjust.py checks that the two agree.
"""

from __future__ import annotations

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

# a pod's own /tmp (its container filesystem, not a volume) that its config names: one directory per sandbox
POD_TMP = "/tmp"

# settings of an image's own files that the installed program does not ship (apache/hive@357714ab
# packaging/src/docker/conf/hive-site.xml:55-58), given to it as the image gives them
IMAGE_FILES = {"hive.metastore.warehouse.dir": "/opt/hive/data/warehouse"}


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
        # through placeholders: a moved path under a sandbox in /tmp must not be moved again by a /tmp mount
        ordered = sorted(self.mounts, key=len, reverse=True)
        for index, mount in enumerate(ordered):
            value = _replace_path(value, mount, f"\0{index}\0")
        for index, mount in enumerate(ordered):
            value = value.replace(f"\0{index}\0", str(self.path(mount)))
        for image_path, installed in IMAGE_PATHS.items():
            value = value.replace(image_path, installed)
        return value


_PATH_ENDS = ("", "/", '"', "'", " ", "\n", ",", ":", ";")


def _replace_path(text: str, old: str, new: str) -> str:
    """Replace `old` where it is a whole path or a path prefix (followed by end, `/`, a quote or a space)."""
    out: list[str] = []
    index = 0
    while True:
        found = text.find(old, index)
        if found < 0:
            out.append(text[index:])
            return "".join(out)
        after = text[found + len(old):found + len(old) + 1]
        before = text[found - 1:found] if found else ""
        if after in _PATH_ENDS and not (before and (before.isalnum() or before in "_-.")):
            out.append(text[index:found] + new)
        else:
            out.append(text[index:found + len(old)])
        index = found + len(old)
