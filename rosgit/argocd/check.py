"""`rosgit check` for argocd/: objects valid against the Argo CD CRDs, every source path builds, the
project permits exactly what the overlays emit, destinations do not collide, and the sync order works."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import yaml

from rosgit import ids
from rosgit.argocd.conformance import schema_errors, supported
from rosgit.argocd.drift import drift_problems
from rosgit.argocd.kinds import group_of
from rosgit.argocd.order import order_findings
from rosgit.build import Builds
from rosgit.catalog.model import Catalog
from rosgit.errors import RosgitError
from rosgit.findings import Finding
from rosgit.k8s.objects import Obj, load_objects
from rosgit.userfiles import read_user_text


def _name(obj: Obj) -> str:
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind')}/{meta.get('namespace', '')}/{meta.get('name', '')}"


def load_argocd_objects(root: Path) -> tuple[list[tuple[str, Obj]], list[Finding]]:
    objects: list[tuple[str, Obj]] = []
    findings: list[Finding] = []
    directory = root / "argocd"
    if not directory.is_dir():
        return objects, [
            Finding(ids.ROS522, "error", "argocd/", "directory missing; run `rosgit generate`")
        ]
    for path in sorted(directory.rglob("*.y*ml")):
        rel = path.relative_to(root).as_posix()
        try:
            docs = load_objects(read_user_text(path, location=rel), source=rel)
        except RosgitError as err:
            findings.append(Finding(ids.ROS522, "error", rel, f"cannot read: {err.message}"))
            continue
        except yaml.YAMLError as err:
            findings.append(Finding(ids.ROS522, "error", rel, f"cannot read: {str(err).splitlines()[0]}"))
            continue
        objects.extend((rel, doc) for doc in docs)
    return objects, findings


def _permitted(rules: list[Obj], group: str, kind: str, name: str | None = None) -> bool:
    for rule in rules:
        if fnmatch.fnmatchcase(group, str(rule.get("group", ""))) and fnmatch.fnmatchcase(
            kind, str(rule.get("kind", ""))
        ):
            pattern = rule.get("name")
            if pattern is None or name is None or fnmatch.fnmatchcase(name, str(pattern)):
                return True
    return False


def _destination_ok(project: Obj, server: str, namespace: str) -> bool:
    for dest in (project.get("spec") or {}).get("destinations") or []:
        if fnmatch.fnmatchcase(server, str(dest.get("server", ""))) and fnmatch.fnmatchcase(
            namespace, str(dest.get("namespace", ""))
        ):
            return True
    return False


def _build(root: Path, rel: str, builds: Builds, cache: dict[str, list[Obj] | str]) -> list[Obj] | str:
    if rel not in cache:
        try:
            cache[rel] = builds.get(root / rel).objects
        except RosgitError as err:
            cache[rel] = str(err)
    return cache[rel]


def check_argocd(
    root: Path, catalog: Catalog, *, engine: str = "builtin", builds: Builds | None = None
) -> list[Finding]:
    """Source paths are built through `builds` (reusing builds done elsewhere), else with `engine` here."""
    built_by = Builds(engine) if builds is None else builds
    objects, findings = load_argocd_objects(root)
    for rel, obj in objects:
        if not supported(obj):
            findings.append(Finding(ids.ROS521, "error", _name(obj), "not an Argo CD object", source=rel))
            continue
        for error in schema_errors(obj):
            findings.append(Finding(ids.ROS521, "error", _name(obj), error, source=rel))
    projects = {
        str((obj.get("metadata") or {}).get("name")): obj
        for _, obj in objects
        if obj.get("kind") == "AppProject"
    }
    built: dict[str, list[Obj] | str] = {}
    destinations: dict[tuple[str, str, str], str] = {}
    for rel, obj in objects:
        if obj.get("kind") != "Application":
            continue
        findings.extend(
            _check_application(root, catalog, rel, obj, (projects, objects), built, built_by, destinations)
        )
    findings.extend(_unused_kinds(objects, projects, built))
    findings.extend(order_findings(objects))
    return sorted(set(findings), key=lambda f: (f.source, f.id, f.object, f.message))


def _check_application(
    root: Path,
    catalog: Catalog,
    rel: str,
    app: Obj,
    known: tuple[dict[str, Obj], list[tuple[str, Obj]]],
    builds: dict[str, list[Obj] | str],
    built_by: Builds,
    destinations: dict[tuple[str, str, str], str],
) -> list[Finding]:
    projects, objects = known  # the AppProjects by name, and every object under argocd/ with its file
    findings: list[Finding] = []
    where = _name(app)
    spec = app.get("spec") or {}
    source = spec.get("source") or {}
    path = str(source.get("path", ""))
    if source.get("repoURL") != catalog.project.repo_url:
        findings.append(
            Finding(
                ids.ROS531, "error", where, f"source.repoURL {source.get('repoURL')!r} is not the catalog's repo"
            )
        )
    directory = root / path
    if not path or not directory.is_dir():
        return [
            *findings,
            Finding(ids.ROS523, "error", where, f"source.path {path!r} does not exist", source=rel),
        ]
    project = projects.get(str(spec.get("project")))
    if project is None:
        return [
            *findings,
            Finding(
                ids.ROS525, "error", where, f"project {spec.get('project')!r} is not in argocd/", source=rel
            ),
        ]
    dest = spec.get("destination") or {}
    server, namespace = str(dest.get("server", "")), str(dest.get("namespace", ""))
    if not _destination_ok(project, server, namespace):
        findings.append(
            Finding(
                ids.ROS528, "error", where, f"destination {server} {namespace} not permitted by project"
            )
        )
    project_spec = project.get("spec") or {}
    if "directory" in source:
        include = str((source.get("directory") or {}).get("include", "*"))
        return findings + _check_directory_source(root, path, include, where, rel, projects, objects)
    # a cluster runs one platform, so only overlays of the same platform can meet in one namespace
    platform = str(((app.get("metadata") or {}).get("labels") or {}).get("rosgit.io/platform", ""))
    previous = destinations.get((platform, server, namespace))
    if previous is not None:
        findings.append(
            Finding(
                ids.ROS529,
                "error",
                where,
                f"deploys to {server} namespace {namespace} like {previous}; they would fight over objects",
                source=rel,
            )
        )
    destinations[(platform, server, namespace)] = where
    built = _build(root, path, built_by, builds)
    if isinstance(built, str):
        return [
            *findings,
            Finding(ids.ROS524, "error", where, f"source.path does not build: {built}", source=rel),
        ]
    allowed = project_spec.get("namespaceResourceWhitelist") or []
    for group, kind in sorted({(group_of(str(o.get("apiVersion", ""))), str(o.get("kind"))) for o in built}):
        if not _permitted(allowed, group, kind):
            findings.append(
                Finding(
                    ids.ROS526,
                    "error",
                    where,
                    f"{group or 'core'}/{kind} is not in the project's whitelist",
                )
            )
    if "CreateNamespace=true" in ((spec.get("syncPolicy") or {}).get("syncOptions") or []) and not _permitted(
        project_spec.get("clusterResourceWhitelist") or [], "", "Namespace", namespace
    ):
        findings.append(
            Finding(
                ids.ROS526, "error", where, f"CreateNamespace needs Namespace {namespace} whitelisted"
            )
        )
    for obj_name, why in drift_problems(built):
        findings.append(Finding(ids.ROS532, "error", obj_name, why, source=path))
    return findings


def _check_directory_source(
    root: Path,
    path: str,
    include: str,
    where: str,
    rel: str,
    projects: dict[str, Obj],
    objects: list[tuple[str, Obj]],
) -> list[Finding]:
    """An app-of-apps root: the files it includes exist and hold Applications of known projects."""
    patterns = include.strip("{}").split(",")
    files = [
        p for p in sorted((root / path).glob("*.y*ml")) if any(fnmatch.fnmatch(p.name, g) for g in patterns)
    ]
    if not files:
        return [
            Finding(ids.ROS523, "error", where, f"directory.include {include!r} matches no file", source=rel)
        ]
    missing = [g for g in patterns if "*" not in g and not (root / path / g).is_file()]
    findings = [
        Finding(ids.ROS523, "error", where, f"included file {path}/{g} does not exist", source=rel)
        for g in missing
    ]
    included = {p.relative_to(root).as_posix() for p in files}
    for file_rel, obj in objects:
        if file_rel not in included:
            continue
        name = str((obj.get("metadata") or {}).get("name"))
        if obj.get("kind") != "Application":
            message = f"included file {file_rel} holds {obj.get('kind')}/{name}, not an Application"
            findings.append(Finding(ids.ROS523, "error", where, message, source=rel))
        elif str((obj.get("spec") or {}).get("project")) not in projects:
            project = (obj.get("spec") or {}).get("project")
            message = f"included file {file_rel}: Application {name} names project {project!r}, which is not in argocd/"
            findings.append(Finding(ids.ROS525, "error", where, message, source=rel))
    return findings


def _unused_kinds(
    objects: list[tuple[str, Obj]],
    projects: dict[str, Obj],
    builds: dict[str, list[Obj] | str],
) -> list[Finding]:
    """A whitelisted kind no overlay of the project emits widens the project for nothing."""
    findings: list[Finding] = []
    emitted: dict[str, set[tuple[str, str]]] = {}
    for _, obj in objects:
        if obj.get("kind") != "Application":
            continue
        spec = obj.get("spec") or {}
        built = builds.get(str((spec.get("source") or {}).get("path", "")))
        if isinstance(built, list):
            kinds = {(group_of(str(o.get("apiVersion", ""))), str(o.get("kind"))) for o in built}
            emitted.setdefault(str(spec.get("project")), set()).update(kinds)
    for name, project in sorted(projects.items()):
        if name not in emitted:
            continue
        for rule in (project.get("spec") or {}).get("namespaceResourceWhitelist") or []:
            group, kind = str(rule.get("group", "")), str(rule.get("kind", ""))
            if not any(
                fnmatch.fnmatchcase(g, group) and fnmatch.fnmatchcase(k, kind) for g, k in emitted[name]
            ):
                findings.append(
                    Finding(
                        ids.ROS527,
                        "warning",
                        f"AppProject/{name}",
                        f"whitelists {group or 'core'}/{kind}, which no overlay emits",
                    )
                )
    return findings
