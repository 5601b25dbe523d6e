"""Name-reference fixing: after names changed (prefix, suffix, hash), rewrite every field that
referred to an object by its old name so it names the object's final name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize import fieldspecs as fs
from rosgit.kustomize.resource import Gvk, ResId, Resource


@dataclass
class _Snapshot:
    """Ids of every resource, computed once: name fixing never renames objects."""

    cur: dict[int, ResId]

    def could_be_referenced_by(self, referrer: Resource, resources: list[Resource]) -> list[Resource]:
        ref_id = self.cur[id(referrer)]
        if ref_id.gvk.is_cluster_scoped():
            return resources
        binding_namespaces: set[str] = set()
        if ref_id.gvk.kind in ("RoleBinding", "ClusterRoleBinding"):
            for subject in referrer.obj.get("subjects") or []:
                if not isinstance(subject, dict) or subject.get("kind") != "ServiceAccount":
                    continue
                if subject.get("namespace"):
                    binding_namespaces.add(str(subject["namespace"]))
        out: list[Resource] = []
        for res in resources:
            rid = self.cur[id(res)]
            if rid.gvk.is_cluster_scoped() or rid.ns_equals(ref_id) or rid.namespace in binding_namespaces:
                out.append(res)
        return out


class _Fixer:
    def __init__(self, referrer: Resource, target: Gvk, path: str, candidates: list[Resource]) -> None:
        self.referrer = referrer
        self.target = target
        self.path = path
        self.candidates = candidates

    def _role_ref_gvk(self) -> Gvk | None:
        if not self.path.endswith("roleRef/name"):
            return None
        role_ref = self.referrer.obj.get("roleRef")
        if not isinstance(role_ref, dict) or "apiGroup" not in role_ref or "kind" not in role_ref:
            return None
        return Gvk(str(role_ref["apiGroup"] or ""), "", str(role_ref["kind"] or ""))

    def select(
        self, old_name: str, candidates: list[Resource], identical: Callable[[list[Resource]], bool]
    ) -> Resource | None:
        found = [r for r in candidates if any(i.name == old_name for i in r.prev_ids)]
        found = [r for r in found if any(i.gvk.is_selected_by(self.target) for i in r.prev_ids)]
        role_gvk = self._role_ref_gvk()
        if role_gvk is not None:
            found = [r for r in found if any(i.gvk.is_selected_by(role_gvk) for i in r.prev_ids)]
        ref_id = self.referrer.cur_id()
        if not ref_id.gvk.is_cluster_scoped():
            found = [
                r
                for r in found
                if r.cur_id().gvk.is_cluster_scoped()
                or r.gvk.kind == "ServiceAccount"
                or ref_id.ns_equals(r.cur_id())
            ]
        if len(found) == 1:
            return found[0]
        found = [
            r for r in found if r.prefixes == self.referrer.prefixes and r.suffixes == self.referrer.suffixes
        ]
        if len(found) == 1:
            return found[0]
        if not found:
            return None
        if identical(found):
            return found[0]
        ids = ", ".join(r.cur_id().describe() for r in found)
        raise UsageError(
            f"updating name reference in '{self.path}' field of '{self.referrer.cur_id().describe()}': "
            f"found multiple possible referrals: {ids}"
        )

    def set_scalar(self, parent: Any, key: Any) -> None:
        value = parent[key]
        if not isinstance(value, str):
            return
        referral = self.select(value, self.candidates, _same_names)
        if referral is not None and referral.name != value:
            parent[key] = referral.name

    def set_mapping(self, node: dict[str, Any]) -> None:
        if "name" not in node:
            raise UsageError(
                f"updating name reference in '{self.path}' field of "
                f"'{self.referrer.cur_id().describe()}': path config error; no 'name' field in node"
            )
        candidates = self.candidates
        if "namespace" in node:
            ns = str(node["namespace"])
            by_org = [r for r in candidates if r.org_id().namespace == ns]
            candidates = by_org or [r for r in candidates if r.namespace == ns]
        old = str(node["name"])
        referral = self.select(old, candidates, _same_names_and_namespaces)
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


def _same_names(rs: list[Resource]) -> bool:
    return all(r.name == rs[0].name for r in rs)


def _same_names_and_namespaces(rs: list[Resource]) -> bool:
    return all(r.name == rs[0].name and r.namespace == rs[0].namespace for r in rs)


def fix_references(resources: list[Resource]) -> None:
    snapshot = _Snapshot({id(r): r.cur_id() for r in resources})
    for referrer in resources:
        candidates: list[Resource] | None = None
        gvk = snapshot.cur[id(referrer)].gvk
        for target, spec in _specs_by_kind().get(gvk.kind, ()):
            if spec.selects(gvk):
                if candidates is None:
                    candidates = snapshot.could_be_referenced_by(referrer, resources)
                fixer = _Fixer(referrer, target, "/".join(spec.path), candidates)
                fs.apply_spec(referrer.obj, spec.path, False, fs.SCALAR, fixer)


@lru_cache(maxsize=1)
def _specs_by_kind() -> dict[str, list[tuple[Gvk, fs.FieldSpec]]]:
    """Name-reference field specs grouped by referrer kind (every spec names one), in table order."""
    out: dict[str, list[tuple[Gvk, fs.FieldSpec]]] = {}
    for target, specs in fs.NAME_REFERENCES:
        for spec in specs:
            out.setdefault(spec.gvk.kind, []).append((target, spec))
    return out
