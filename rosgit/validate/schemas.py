"""Locating, converting and caching the JSON schemas kubeconform and the builtin validator share.

Three sources, searched in this order (first hit wins, like kubeconform's repeated `-schema-location`):

1. project-local CRD schemas written by `rosgit schemas add-crd` (`schemas/crds/{group}/{kind}_{version}.json`);
2. the CRDs vendored in `rosgit/k8s/crds/`, converted once into the same layout in the cache;
3. Kubernetes schemas from the `kubernetes-validate` package, whose `v1.N.0-local-strict` files `$ref` a shared
   `_definitions.json`. kubeconform loads one file per kind, so each needed kind is turned into a standalone file
   (`{kind}{-group-version}.json`) carrying only the definitions it reaches under a local `$defs`.

All generated schemas declare draft 2020-12 so that both validators treat `format` as an annotation: the
kubernetes-validate schemas are 2020-12 already, and asserting formats in one validator only would split verdicts.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from rosgit.errors import UsageError
from rosgit.k8s.openapi import DRAFT_2020_12, convert_openapi_schema, vendored_crd_files, version_schemas

JSONDict = dict[str, Any]

DEFAULT_KUBERNETES_VERSION = "1.33.0"
# Bump when the conversion below changes, so stale cached files are never reused.
CONVERTER_VERSION = "6"
PROJECT_CRD_DIR = Path("schemas") / "crds"

_DEFS_PREFIXES = ("/api/_definitions.json#/$defs/", "_definitions.json#/$defs/", "#/$defs/")
_KIND = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_API_VERSION = re.compile(r"(?:[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?/)?[A-Za-z0-9]+")


# ---------------------------------------------------------------------------------------------------------
# Naming: the same file names kubeconform's schema-location templates produce.


def kind_suffix(api_version: str) -> str:
    """`-apps-v1` for apps/v1, `-v1` for v1, `-rbac-v1` for rbac.authorization.k8s.io/v1 (`{{.KindSuffix}}`)."""
    group_parts = api_version.split("/")
    suffix = "-" + group_parts[0].split(".")[0].lower()
    if len(group_parts) > 1:
        suffix += "-" + group_parts[1].lower()
    return suffix


def kubernetes_schema_name(kind: str, api_version: str) -> str:
    return f"{kind.lower()}{kind_suffix(api_version)}.json"


def crd_schema_relpath(kind: str, api_version: str) -> str:
    """`{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`, e.g. `argoproj.io/application_v1alpha1.json`."""
    group_parts = api_version.split("/")
    return f"{group_parts[0]}/{kind.lower()}_{group_parts[-1]}.json"


KUBECONFORM_KUBERNETES_TEMPLATE = "{{.ResourceKind}}{{.KindSuffix}}.json"
KUBECONFORM_CRD_TEMPLATE = "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"


# ---------------------------------------------------------------------------------------------------------
# Cache directory and atomic writes.


def cache_root() -> Path:
    """`$ROSGIT_CACHE_DIR`, else `$XDG_CACHE_HOME/rosgit`, else `~/.cache/rosgit`."""
    explicit = os.environ.get("ROSGIT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "rosgit"


def write_atomic(path: Path, text: str) -> None:
    """Concurrent runs (pytest -n 2, two terminals) may convert the same schema: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dump_schema(schema: JSONDict) -> str:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------------------
# Kubernetes schemas from kubernetes-validate.


@functools.cache
def _kubernetes_validate_root() -> Path:
    # find_spec, not import: importing kubernetes_validate pulls in its own validator stack (~0.25 s).
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or spec.origin is None:  # a broken install, not a user mistake; still one line
        raise UsageError("the kubernetes-validate package is not installed (pip install -e .)")
    return Path(spec.origin).resolve().parent / "kubernetes-json-schema"


@functools.cache
def kubernetes_validate_version() -> str:
    return metadata.version("kubernetes-validate")


def available_kubernetes_versions() -> list[str]:
    """The `1.N.0` versions kubernetes-validate ships strict schemas for, oldest first."""
    versions = []
    for entry in _kubernetes_validate_root().iterdir():
        match = re.fullmatch(r"v(\d+)\.(\d+)\.(\d+)-local-strict", entry.name)
        if match:
            versions.append(tuple(int(part) for part in match.groups()))
    return [".".join(str(part) for part in version) for version in sorted(versions)]


def normalize_kubernetes_version(version: str | None) -> str:
    """`1.33`, `v1.33`, `1.33.0` -> `1.33.0`; a version without schemas is a usage error listing the choices."""
    if version is None or version == "":
        return DEFAULT_KUBERNETES_VERSION
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.(\d+))?", version.strip())
    available = available_kubernetes_versions()
    if match:
        candidate = f"{int(match.group(1))}.{int(match.group(2))}.{int(match.group(3) or 0)}"
        if candidate in available:
            return candidate
        # Patch releases share their minor's API: 1.33.4 validates against the 1.33.0 schemas.
        minor = f"{int(match.group(1))}.{int(match.group(2))}.0"
        if minor in available:
            return minor
    choices = ", ".join(v.rsplit(".", 1)[0] for v in available)
    raise UsageError(f"no Kubernetes schemas for version {version!r}; available: {choices}")


def _source_dir(version: str) -> Path:
    return _kubernetes_validate_root() / f"v{version}-local-strict"


@functools.cache
def _definitions(version: str) -> dict[str, JSONDict]:
    with (_source_dir(version) / "_definitions.json").open(encoding="utf-8") as handle:
        data = json.load(handle)
    defs: dict[str, JSONDict] = data["$defs"]
    return defs


def _ref_target(ref: str) -> str | None:
    for prefix in _DEFS_PREFIXES:
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return None


def _localize_refs(node: Any, found: set[str]) -> Any:
    """A copy of `node` with every definitions `$ref` rewritten to `#/$defs/NAME`; names are added to `found`."""
    if isinstance(node, dict):
        out: JSONDict = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                target = _ref_target(value)
                if target is not None:
                    found.add(target)
                    out[key] = f"#/$defs/{target}"
                    continue
            out[key] = _localize_refs(value, found)
        return out
    if isinstance(node, list):
        return [_localize_refs(item, found) for item in node]
    return node


def standalone_schema(root: JSONDict, definitions: dict[str, JSONDict]) -> JSONDict:
    """`root` with the definitions it reaches (transitively) inlined under a local `$defs`.

    Local `$defs` rather than fully inlined refs: recursive types (JSONSchemaProps in CustomResourceDefinition)
    cannot be inlined, and sharing one copy of ObjectMeta/Container keeps files small.
    """
    found: set[str] = set()
    schema = {k: v for k, v in _localize_refs(root, found).items() if k not in ("$id", "$schema")}
    defs: JSONDict = {}
    pending = sorted(found)
    while pending:
        name = pending.pop()
        if name in defs:
            continue
        if name not in definitions:
            raise UsageError(f"kubernetes-validate schema refers to a missing definition {name}")
        more: set[str] = set()
        defs[name] = _localize_refs(definitions[name], more)
        pending.extend(sorted(more - defs.keys()))
    schema["$schema"] = DRAFT_2020_12
    if defs:
        schema["$defs"] = defs
    return schema


def kubernetes_cache_dir(version: str) -> Path:
    key = f"kubernetes-validate-{kubernetes_validate_version()}-c{CONVERTER_VERSION}"
    return cache_root() / "schemas" / key / f"v{version}-standalone-strict"


def ensure_kubernetes_schema(version: str, kind: str, api_version: str) -> Path | None:
    """The standalone schema file for one kind, converted on first use; None when Kubernetes has no such kind."""
    name = kubernetes_schema_name(kind, api_version)
    target = kubernetes_cache_dir(version) / name
    if target.is_file():
        return target
    source = _source_dir(version) / name
    # _definitions.json and all.json are not kinds; a document claiming such a kind has no schema.
    if name.startswith("_") or name == "all.json" or not source.is_file():
        return None
    with source.open(encoding="utf-8") as handle:
        root = json.load(handle)
    if not _declares_kind(root, kind, api_version):
        return None
    write_atomic(target, json.dumps(standalone_schema(root, _definitions(version)), sort_keys=True))
    return target


def _declares_kind(root: JSONDict, kind: str, api_version: str) -> bool:
    """kubernetes-validate also ships files for plain types (affinity-v1.json); only real kinds count.

    The kind match is case-insensitive because kubeconform lowercases the kind for the file name; the schema's
    own `kind` enum then rejects a wrongly cased kind, exactly as kubeconform does.
    """
    group, _, version = api_version.rpartition("/")
    for gvk in root.get("x-kubernetes-group-version-kind", []):
        if gvk.get("kind", "").lower() == kind.lower() and gvk.get("group", "") == group and (
            gvk.get("version") == version
        ):
            return True
    return False


# ---------------------------------------------------------------------------------------------------------
# CRDs -> kubeconform's CRD layout (the conversion itself is rosgit.k8s.openapi's).


@dataclass(frozen=True)
class ConvertedSchema:
    relpath: str
    group: str
    kind: str
    version: str
    schema: JSONDict


def crd_schemas(crd: Any, *, location: str) -> list[ConvertedSchema]:
    """One schema per version of a CustomResourceDefinition (apiextensions.k8s.io v1, or v1beta1's validation)."""
    if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
        raise UsageError("not a CustomResourceDefinition", location=location)
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        raise UsageError("CustomResourceDefinition has no spec", location=location)
    group = spec.get("group")
    names = spec.get("names")
    kind = names.get("kind") if isinstance(names, dict) else None
    if not isinstance(group, str) or not group or not isinstance(kind, str) or not kind:
        raise UsageError("CustomResourceDefinition needs spec.group and spec.names.kind", location=location)
    where = f"{location} ({kind}.{group})"
    versions = spec.get("versions")
    if isinstance(versions, list) and any(
        not isinstance(entry, dict) or not isinstance(entry.get("name"), str) for entry in versions
    ):
        raise UsageError("spec.versions[] entry without a name", location=where)
    pairs = list(version_schemas(spec))
    check_crd_names(group, kind, [version for version, _ in pairs], location=where)
    out = [_converted(group, kind, version, schema) for version, schema in pairs]
    if not out:
        raise UsageError("CustomResourceDefinition has no openAPIV3Schema in any version", location=where)
    return out


def _converted(group: str, kind: str, version: str, schema: JSONDict) -> ConvertedSchema:
    return ConvertedSchema(
        relpath=crd_schema_relpath(kind, f"{group}/{version}"),
        group=group,
        kind=kind,
        version=version,
        schema=convert_openapi_schema(schema),
    )


# What the API server's CRD validation accepts (apiextensions validation: the group a DNS subdomain with a
# dot, the lower-cased kind and every version DNS-1035 labels); they become the schema's file path, so
# anything else (`../../x`) must never reach it.
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+")
_DNS_1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")


def check_crd_names(group: str, kind: str, versions: list[str], *, location: str) -> None:
    """Refuses a CRD whose group, kind or version names Kubernetes would reject."""
    if len(group) > 253 or not _DNS_SUBDOMAIN.fullmatch(group):
        raise UsageError(f"spec.group {group!r} is not a DNS subdomain with a dot (e.g. example.com)",
                         location=location)
    if len(kind) > 63 or not _DNS_1035_LABEL.fullmatch(kind.lower()) or not kind[:1].isalpha():
        raise UsageError(f"spec.names.kind {kind!r} is not a DNS-1035 label once lower-cased (e.g. MyKind)",
                         location=location)
    for version in versions:
        if len(version) > 63 or not _DNS_1035_LABEL.fullmatch(version):
            raise UsageError(f"spec.versions name {version!r} is not a DNS-1035 label (e.g. v1alpha1)",
                             location=location)


def iter_crds(text: str, *, location: str) -> Iterator[tuple[str, JSONDict]]:
    """The CRDs in a YAML stream (Lists expanded, other kinds ignored), each with a `FILE:LINE`-ish location."""
    from rosgit.validate.inputs import parse_stream

    for doc in parse_stream(text, source=location):
        if doc.error is not None:
            raise UsageError(doc.error, location=doc.location)
        obj = doc.obj
        if isinstance(obj, dict) and obj.get("kind") == "CustomResourceDefinition":
            yield doc.location, obj


def convert_crd_text(text: str, *, location: str) -> list[ConvertedSchema]:
    out: list[ConvertedSchema] = []
    for where, crd in iter_crds(text, location=location):
        out.extend(crd_schemas(crd, location=where))
    return out


@functools.cache
def _vendored_digest() -> str:
    digest = hashlib.sha256(CONVERTER_VERSION.encode())
    for path in vendored_crd_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def vendored_cache_dir() -> Path:
    return cache_root() / "schemas" / f"crds-{_vendored_digest()}"


def ensure_vendored_group(group: str, kind: str | None = None) -> Path:
    """The converted vendored CRD schemas of one API group (or of one kind), converted on first use.

    Lazily because parsing the megabyte Argo CD CRDs is the slowest step of a cold run, and an overlay
    without Argo CD objects never needs them. Vendored files are named `{group}_{plural}.yaml`; the usual
    plural (`{kind}s`) picks its files (`{group}_{plural}.yaml`, and `{group}_{plural}-{version}.yaml` holding
    the versions of another release), and any other kind converts the whole group.
    """
    target = vendored_cache_dir()
    in_group = [path for path in vendored_crd_files() if path.name.startswith(f"{group}_")]
    plural = f"{group}_{kind.lower()}s" if kind else None
    guess = [path for path in in_group if plural and path.stem.split("-", 1)[0] == plural]
    if guess and kind in {k for path in guess for k in _convert_vendored(path, target)}:
        return target
    for path in in_group:
        _convert_vendored(path, target)
    return target


def _convert_vendored(path: Path, target: Path) -> list[str]:
    """Converts one vendored CRD file into `target` unless done before; returns the kinds it holds."""
    marker = target / f".{path.name}.done"
    if marker.is_file():
        return marker.read_text(encoding="utf-8").split()
    kinds = []
    for converted in convert_crd_text(path.read_text(encoding="utf-8"), location=str(path)):
        write_atomic(target / converted.relpath, json.dumps(converted.schema, sort_keys=True))
        kinds.append(converted.kind)
    write_atomic(marker, "\n".join(sorted(set(kinds))) + "\n")
    return kinds


def check_schemas(converted: list[ConvertedSchema], *, location: str) -> None:
    """Refuse a schema the validators cannot compile: kubeconform would silently treat it as missing."""
    import jsonschema

    for item in converted:
        try:
            jsonschema.Draft202012Validator.check_schema(item.schema)
        except jsonschema.SchemaError as err:
            where = "/".join(str(part) for part in err.absolute_path) or "(root)"
            raise UsageError(
                f"{item.kind} {item.version}: openAPIV3Schema is not a valid JSON schema at {where}: {err.message}",
                location=location,
            ) from err


def plan_crd_schemas(texts: list[tuple[str, str]]) -> list[ConvertedSchema]:
    """The schemas `rosgit schemas add-crd` writes for (text, location) pairs; raises before anything is written."""
    planned: list[ConvertedSchema] = []
    for text, location in texts:
        converted = convert_crd_text(text, location=location)
        if not converted:
            raise UsageError("no CustomResourceDefinition found", location=location)
        check_schemas(converted, location=location)
        planned.extend(converted)
    return planned


# ---------------------------------------------------------------------------------------------------------
# The schema set one validation run uses.


@dataclass
class SchemaSet:
    """Where the schemas of one run live, in search order, and a lookup both validators share."""

    kubernetes_version: str
    crd_dirs: list[Path]
    kubernetes_dir: Path
    vendored_dir: Path | None = None
    _resolved: dict[tuple[str, str], Path | None] = field(default_factory=dict)

    def locate(self, kind: str, api_version: str) -> Path | None:
        """The schema file for a kind, or None: first the CRD directories, then Kubernetes."""
        key = (kind, api_version)
        if key not in self._resolved:
            self._resolved[key] = self._find(kind, api_version)
        return self._resolved[key]

    def _find(self, kind: str, api_version: str) -> Path | None:
        # Kind and apiVersion become file names: anything but plain names (`../`) has no schema.
        if not _KIND.fullmatch(kind) or not _API_VERSION.fullmatch(api_version):
            return None
        if "/" in api_version:
            rel = crd_schema_relpath(kind, api_version)
            for directory in self.crd_dirs:
                if directory == self.vendored_dir:
                    ensure_vendored_group(api_version.split("/")[0], kind)
                candidate = directory / rel
                if candidate.is_file():
                    return candidate
        return ensure_kubernetes_schema(self.kubernetes_version, kind, api_version)

    def is_crd_schema(self, path: Path) -> bool:
        return any(path.is_relative_to(directory) for directory in self.crd_dirs)

    def kubeconform_locations(self) -> list[str]:
        locations = [str(directory / KUBECONFORM_CRD_TEMPLATE) for directory in self.crd_dirs]
        locations.append(str(self.kubernetes_dir / KUBECONFORM_KUBERNETES_TEMPLATE))
        return locations


def project_crd_dir(root: Path | None = None) -> Path:
    from rosgit.tools import project_root

    return (root or project_root()) / PROJECT_CRD_DIR


def schema_set(kubernetes_version: str | None = None, *, project_root: Path | None = None) -> SchemaSet:
    version = normalize_kubernetes_version(kubernetes_version)
    crd_dirs = []
    local = project_crd_dir(project_root)
    if local.is_dir():
        crd_dirs.append(local)
    vendored = vendored_cache_dir()
    crd_dirs.append(vendored)
    return SchemaSet(
        kubernetes_version=version,
        crd_dirs=crd_dirs,
        kubernetes_dir=kubernetes_cache_dir(version),
        vendored_dir=vendored,
    )
