"""Which user and groups a container's process gets on a platform, and whether it may write a path the image
leaves to its owner, group 0 or everyone (a contract `writes` fact's `writable_by`).

Kubernetes runs the image's USER unless `runAsUser` says otherwise; the primary group is `runAsGroup`, else
the runtime's choice for that UID (not judged). OpenShift's restricted-v2 SCC gives a pod without
`runAsUser` an arbitrary UID from the namespace's range (never the image's) with primary group 0; a set
`runAsUser`/`runAsGroup` is taken as given (whether the SCC admits it is not this module's question).
`fsGroup` and `supplementalGroups` are supplementary groups of the process on both platforms.
A question the pod spec does not answer is None: the caller then does not judge, never fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rosgit.contracts.model import User, WritableBy
from rosgit.k8s.meta import as_map


@dataclass(frozen=True)
class RunAs:
    """`image_user`: the process is the image's USER (None when the numbers cannot be compared);
    `groups`: the group ids it is known to hold; `group_known`: its primary group is among them."""

    uid: int | None
    image_user: bool | None
    groups: frozenset[int]
    group_known: bool
    how: str


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def run_as(platform: str | None, pod: dict[str, Any], container: dict[str, Any], user: User | None) -> RunAs:
    pod_sc, sc = as_map(pod.get("securityContext")), as_map(container.get("securityContext"))
    uid = _number(sc.get("runAsUser", pod_sc.get("runAsUser")))
    gid = _number(sc.get("runAsGroup", pod_sc.get("runAsGroup")))
    extra = {_number(pod_sc.get("fsGroup")), *(_number(g) for g in pod_sc.get("supplementalGroups") or [])}
    supplementary = {g for g in extra if g is not None}
    owner = user.uid if user is not None else None
    if uid is None and platform == "openshift":
        primary = 0 if gid is None else gid
        how = f"OpenShift runs it as an arbitrary UID from the namespace range with group {primary} (no runAsUser)"
        return RunAs(None, False, frozenset({primary, *supplementary}), True, how)
    groups = frozenset(supplementary | ({gid} if gid is not None else set()))
    if uid is None:
        return RunAs(owner, True, groups, gid is not None, "it runs as the image's USER (no runAsUser)")
    group = f"group {gid}" if gid is not None else "the runtime's group for that UID"
    how = f"runAsUser {uid} with {group}" + (f", supplementary groups {sorted(supplementary)}" if supplementary else "")
    return RunAs(uid, None if owner is None else uid == owner, groups, gid is not None, how)


def may_write(who: RunAs, writable_by: WritableBy) -> bool | None:
    """True / False when the pod spec and the fact decide it, None when they do not (root's access depends
    on its capabilities, an unknown owner UID cannot be compared)."""
    if writable_by == "anyone" or who.image_user is True:
        return True
    if writable_by == "unknown" or who.uid == 0:
        return None
    if writable_by == "owner":
        return None if who.image_user is None else False
    if 0 in who.groups:
        return True
    return False if who.image_user is False and who.group_known else None
