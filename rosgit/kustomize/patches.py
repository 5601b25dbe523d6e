"""Strategic-merge and JSON 6902 patches, and kustomize's patch target selection."""

from __future__ import annotations

import re
from typing import Any

from rosgit.kustomize.fieldspecs import split_outside
from rosgit.kustomize.jsonpatch6902 import PatchError, apply
from rosgit.kustomize.plain import copy_plain
from rosgit.kustomize.resource import Gvk, Resource, split_api_version

# Built-in list fields merged by key (Kubernetes patchMergeKey), by field name.
_MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "imagePullSecrets": "name",
    "resourceClaims": "name",
    "schedulingGates": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "ownerReferences": "uid",
    "conditions": "type",
    "readinessGates": "conditionType",
    "secrets": "name",
    "webhooks": "name",
}

# Built-in lists of scalars merged as sets (patch values first, then the remaining originals).
_SCALAR_SETS: frozenset[str] = frozenset({"finalizers"})

# Built-in list fields replaced whole by a patch.
_ATOMIC: frozenset[str] = frozenset(
    {"args", "command", "tolerations", "envFrom", "rules", "subjects", "tls", "accessModes"}
)

# API groups of the builtin Kubernetes schema. Lists in other kinds (custom resources) have no
# merge keys, so a patch replaces them whole.
BUILTIN_GROUPS = frozenset(
    {
        "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
        "storage.k8s.io", "scheduling.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io",
        "apiregistration.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io",
        "certificates.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io", "extensions",
    }
)

_DIRECTIVE = "$patch"


def _merge_key(field: str, path: tuple[str, ...], kind: str) -> str | None:
    if field in _ATOMIC:
        return None
    if field == "ports":
        # Service ports merge by port and container ports by containerPort; other ports lists
        # (EndpointSlice, NetworkPolicy, ...) have no merge key.
        if kind == "Service" and path == ("spec",):
            return "port"
        if path and path[-1] in ("containers", "initContainers", "ephemeralContainers"):
            return "containerPort"
        return None
    if field in _MERGE_KEYS:
        return _MERGE_KEYS[field]
    return None


def strategic_merge(
    target: Any, patch: Any, kind: str, path: tuple[str, ...] = (), known: bool = True
) -> Any:
    """The result of applying a strategic-merge patch map to a target map; None deletes."""
    if not isinstance(patch, dict) or not isinstance(target, dict):
        return copy_plain(patch)
    directive = patch.get(_DIRECTIVE)
    if directive == "delete":
        return None
    if directive == "replace":
        return {k: copy_plain(v) for k, v in patch.items() if k != _DIRECTIVE}
    out = dict(target)
    for key, value in patch.items():
        if key == _DIRECTIVE or key.startswith("$setElementOrder") or key.startswith("$retainKeys"):
            continue
        if value is None:
            out.pop(key, None)
            continue
        current = out.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merged = strategic_merge(current, value, kind, (*path, key), known)
            if merged is None:
                out.pop(key, None)
            else:
                out[key] = merged
        elif isinstance(value, list) and isinstance(current, list):
            out[key] = _merge_list(current, value, key, path, kind, known)
        elif isinstance(value, dict):
            cleaned = _strip_directives(value)
            if cleaned is None:
                out.pop(key, None)
            else:
                out[key] = cleaned
        elif isinstance(value, list):
            out[key] = [_strip_directives(v) for v in value if not _is_delete(v)]
        else:
            out[key] = value
    return out


def _is_delete(item: Any) -> bool:
    return isinstance(item, dict) and item.get(_DIRECTIVE) == "delete"


def _strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(_DIRECTIVE) == "delete":
            return None
        return {
            k: _strip_directives(v)
            for k, v in value.items()
            if k != _DIRECTIVE
            and not k.startswith("$setElementOrder")
            and not k.startswith("$retainKeys")
            and not _is_delete(v)
            and v is not None
        }
    if isinstance(value, list):
        return [_strip_directives(v) for v in value if not _is_delete(v)]
    return copy_plain(value)


def _merge_list(
    current: list[Any], patch: list[Any], field: str, path: tuple[str, ...], kind: str, known: bool
) -> list[Any]:
    if known and field in _SCALAR_SETS and all(not isinstance(v, dict | list) for v in [*current, *patch]):
        values = list(dict.fromkeys(patch))
        return values + [v for v in current if v not in values]
    key = _merge_key(field, path, kind) if known else None
    if key is None:
        # A list without a merge key is replaced by the patch's list, as written (directives too).
        return [copy_plain(item) for item in patch]
    if any(isinstance(p, dict) and p.get(_DIRECTIVE) == "replace" for p in patch):
        return [_strip_directives(p) for p in patch if not (isinstance(p, dict) and p.get(_DIRECTIVE))]
    # Patch elements come first, in patch order (merged into their originals); then the
    # untouched originals in their order. This is what kustomize prints.
    used: set[int] = set()
    head: list[Any] = []
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            continue
        index = next(
            (
                i
                for i, c in enumerate(current)
                if i not in used and isinstance(c, dict) and c.get(key) == item[key]
            ),
            None,
        )
        if index is not None:
            used.add(index)
        if _is_delete(item):
            continue
        if index is None:
            head.append(_strip_directives(item))
            continue
        merged = strategic_merge(current[index], item, kind, (*path, field), known)
        if merged is not None:
            head.append(merged)
    tail = [copy_plain(c) for i, c in enumerate(current) if i not in used]
    return head + tail


def apply_json6902(obj: dict[str, Any], ops: list[Any]) -> dict[str, Any]:
    result = apply(obj, ops)
    if not isinstance(result, dict):
        raise PatchError("the patched document is not a mapping")
    return result


# ---- selection -------------------------------------------------------------------------------


def _anchored(pattern: str) -> re.Pattern[str]:
    return re.compile(f"^(?:{pattern})$")


def _effective_ns(res_ns: str, gvk: Gvk) -> str:
    if gvk.is_cluster_scoped():
        return ""
    return res_ns or "default"


def parse_label_selector(text: str) -> list[tuple[str, str, list[str]]]:
    """Requirements (key, operator, values) of a Kubernetes label selector string."""
    reqs: list[tuple[str, str, list[str]]] = []
    for part in split_outside(text, ",", "(", ")"):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$", part)
        if m:
            reqs.append((m.group(1), m.group(2), [v.strip() for v in m.group(3).split(",") if v.strip()]))
        elif part.startswith("!"):
            reqs.append((part[1:].strip(), "!", []))
        elif "!=" in part:
            k, v = part.split("!=", 1)
            reqs.append((k.strip(), "!=", [v.strip()]))
        elif "==" in part:
            k, v = part.split("==", 1)
            reqs.append((k.strip(), "=", [v.strip()]))
        elif "=" in part:
            k, v = part.split("=", 1)
            reqs.append((k.strip(), "=", [v.strip()]))
        else:
            reqs.append((part, "exists", []))
    return reqs


def matches_selector(labels: dict[str, Any], text: str) -> bool:
    for key, op, values in parse_label_selector(text):
        present = key in labels
        value = str(labels.get(key)) if present else None
        if op == "=" and value != values[0]:
            return False
        if op == "!=" and value == values[0]:
            return False
        if op == "in" and value not in values:
            return False
        if op == "notin" and present and value in values:
            return False
        if op == "exists" and not present:
            return False
        if op == "!" and present:
            return False
    return True


def select(resources: list[Resource], target: dict[str, Any]) -> list[Resource]:
    """Resources a patch/replacement target selects: regexes on GVK, names and namespaces
    (original or current), plus label and annotation selectors."""
    group = target.get("group")
    version = target.get("version")
    kind = target.get("kind")
    name = target.get("name")
    namespace = target.get("namespace")
    label_sel = target.get("labelSelector")
    ann_sel = target.get("annotationSelector")
    if "apiVersion" in target and target.get("apiVersion") and not group and not version:
        group, version = split_api_version(str(target["apiVersion"]))
    out: list[Resource] = []
    for res in resources:
        gvk = res.gvk
        org, cur = res.org_id(), res.cur_id()
        if namespace and not (
            _anchored(str(namespace)).match(_effective_ns(org.namespace, gvk))
            or _anchored(str(namespace)).match(_effective_ns(cur.namespace, gvk))
        ):
            continue
        if name and not (_anchored(str(name)).match(org.name) or _anchored(str(name)).match(cur.name)):
            continue
        if group and not _anchored(str(group)).match(gvk.group):
            continue
        if version and not _anchored(str(version)).match(gvk.version):
            continue
        if kind and not _anchored(str(kind)).match(gvk.kind):
            continue
        md = res.obj.get("metadata") or {}
        if label_sel and not matches_selector(md.get("labels") or {}, str(label_sel)):
            continue
        if ann_sel and not matches_selector(md.get("annotations") or {}, str(ann_sel)):
            continue
        out.append(res)
    return out
