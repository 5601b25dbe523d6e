"""Name-reference fixing: after names changed (prefix, suffix, hash), rewrite every field that
referred to an object by its old name so it names the object's final name.

Name fixing never renames objects, so ids are computed once and candidates are looked up through
an index of earlier names; this keeps the work linear in the number of references.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize import fieldspecs as fs
from rosgit.kustomize.resource import Gvk, ResId, Resource


class _Index:
    def __init__(self, resources: list[Resource]) -> None:
        self.resources = resources
        self.cur: dict[int, ResId] = {}
        self.ns_key: dict[int, str] = {}
        self.by_prev_name: dict[str, list[Resource]] = {}
        for res in resources:
            rid = res.cur_id()
            self.cur[id(res)] = rid
            # Cluster-scoped objects are reachable from every namespace.
            self.ns_key[id(res)] = "*" if rid.gvk.is_cluster_scoped() else (rid.namespace or "default")
            for name in dict.fromkeys(i.name for i in res.prev_ids):
                self.by_prev_name.setdefault(name, []).append(res)

    def reachable_from(self, referrer: Resource) -> Callable[[Resource], bool]:
        """Which objects `referrer` may refer to: same namespace, cluster-scoped, or (for role
        bindings) the namespaces of its service-account subjects."""
        ref_ns = self.ns_key[id(referrer)]
        if ref_ns == "*":
            return lambda _res: True
        allowed = {ref_ns, "*"}
        namespaces: set[str] = set()
        if self.cur[id(referrer)].gvk.kind == "RoleBinding":
            for subject in referrer.obj.get("subjects") or []:
                is_account = isinstance(subject, dict) and subject.get("kind") == "ServiceAccount"
                if not is_account or "namespace" not in subject:
                    continue
                if not isinstance(subject["namespace"], str):
                    raise UsageError(
                        f"Invalid Input: namespace is blank for resource "
                        f'"{self.cur[id(referrer)].describe()}"'
                    )
                namespaces.add(subject["namespace"])
        ns_key, cur = self.ns_key, self.cur
        return lambda res: ns_key[id(res)] in allowed or cur[id(res)].namespace in namespaces


class _Fixer:
    def __init__(self, index: _Index, referrer: Resource, target: Gvk, path: str) -> None:
        self.index = index
        self.referrer = referrer
        self.target = target
        self.path = path
        self.reachable = index.reachable_from(referrer)

    def _role_ref_gvk(self) -> Gvk | None:
        if not self.path.endswith("roleRef/name"):
            return None
        role_ref = self.referrer.obj.get("roleRef")
        if not isinstance(role_ref, dict) or "apiGroup" not in role_ref or "kind" not in role_ref:
            return None
        return Gvk(str(role_ref["apiGroup"] or ""), "", str(role_ref["kind"] or ""))

    def select(
        self, old_name: str, pool: list[Resource] | None, identical: Callable[[list[Resource]], bool]
    ) -> Resource | None:
        """The object a reference by `old_name` means, as kustomize narrows it down."""
        found = self.index.by_prev_name.get(old_name, [])
        if pool is None:
            found = [r for r in found if self.reachable(r)]
        else:
            allowed = {id(r) for r in pool}
            found = [r for r in found if id(r) in allowed]
        found = [r for r in found if any(i.gvk.is_selected_by(self.target) for i in r.prev_ids)]
        role_gvk = self._role_ref_gvk()
        if role_gvk is not None:
            found = [r for r in found if any(i.gvk.is_selected_by(role_gvk) for i in r.prev_ids)]
        ref_ns = self.index.ns_key[id(self.referrer)]
        if ref_ns != "*":
            found = [
                r
                for r in found
                if self.index.ns_key[id(r)] in ("*", ref_ns) or r.gvk.kind == "ServiceAccount"
            ]
        if len(found) == 1:
            return found[0]
        found = [
            r
            for r in found
            if _same_ending(r.prefixes, self.referrer.prefixes)
            and _same_ending(r.suffixes, self.referrer.suffixes)
        ]
        if len(found) == 1:
            return found[0]
        if not found:
            return None
        if identical(found):
            return found[0]
        ids = ", ".join(self.index.cur[id(r)].describe() for r in found)
        raise UsageError(
            f"updating name reference in '{self.path}' field of "
            f"'{self.index.cur[id(self.referrer)].describe()}': found multiple possible referrals: {ids}"
        )

    def set_scalar(self, parent: Any, key: Any) -> None:
        value = parent[key]
        if not isinstance(value, str):
            return
        referral = self.select(value, None, _same_names)
        if referral is not None and referral.name != value:
            parent[key] = referral.name

    def set_mapping(self, node: dict[str, Any]) -> None:
        if "name" not in node:
            raise UsageError(
                f"updating name reference in '{self.path}' field of "
                f"'{self.index.cur[id(self.referrer)].describe()}': "
                "path config error; no 'name' field in node"
            )
        pool: list[Resource] | None = None
        if "namespace" in node:
            # Prefer objects that started in that namespace; else those now in it.
            ns = str(node["namespace"])
            candidates = [r for r in self.index.resources if self.reachable(r)]
            pool = [r for r in candidates if _effective_ns(r.org_id()) == ns] or [
                r for r in candidates if _effective_ns(self.index.cur[id(r)]) == ns
            ]
        old = str(node["name"])
        referral = self.select(old, pool, _same_names_and_namespaces)
        if referral is None:
            return
        if referral.name == old and not referral.namespace:
            return
        node["name"] = referral.name
        if referral.namespace:
            node["namespace"] = referral.namespace

    def __call__(self, parent: Any, key: str) -> None:
        value = parent.get(key)
        if value is None:
            return
        if isinstance(value, dict):
            self.set_mapping(value)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    self.set_mapping(item)
                elif isinstance(item, str):
                    self.set_scalar(value, i)
        else:
            self.set_scalar(parent, key)


def _effective_ns(rid: ResId) -> str:
    """kustomize's effective namespace: '' means "default"; cluster-scoped objects have none."""
    if rid.gvk.is_cluster_scoped():
        return "_non_namespaceable_"
    return rid.namespace or "default"


def _same_ending(a: list[str], b: list[str]) -> bool:
    """kustomize's prefix/suffix history match: the shorter list ends the longer one (two empty
    lists match; an empty list matches nothing else)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return not long
    return long[len(long) - len(short) :] == short


def _same_names(rs: list[Resource]) -> bool:
    return all(r.name == rs[0].name for r in rs)


def _same_names_and_namespaces(rs: list[Resource]) -> bool:
    return all(r.name == rs[0].name and r.namespace == rs[0].namespace for r in rs)


def fix_references(resources: list[Resource]) -> None:
    index = _Index(resources)
    for referrer in resources:
        gvk = index.cur[id(referrer)].gvk
        for target, spec in _specs_by_kind().get(gvk.kind, ()):
            if spec.selects(gvk):
                fixer = _Fixer(index, referrer, target, "/".join(spec.path))
                fs.apply_checked(referrer.obj, spec, False, fs.SCALAR, fixer)


@lru_cache(maxsize=1)
def _specs_by_kind() -> dict[str, list[tuple[Gvk, fs.FieldSpec]]]:
    """Name-reference field specs grouped by referrer kind (every spec names one), in table order."""
    out: dict[str, list[tuple[Gvk, fs.FieldSpec]]] = {}
    for target, specs in fs.name_references():
        for spec in specs:
            out.setdefault(spec.gvk.kind, []).append((target, spec))
    return out
