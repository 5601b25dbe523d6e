"""argocd/ from the catalog: AppProjects, one Application per overlay, app-of-apps roots, ApplicationSets.

Pure: the catalog in, {path: text} out. Every file carries the generator header, then a few comment lines
saying why the non-obvious settings are there.
"""

from __future__ import annotations

from collections.abc import Mapping

from rosgit.argocd.kinds import emitted_kinds, injected_config_maps
from rosgit.catalog.model import Catalog, OverlaySpec
from rosgit.errors import UsageError
from rosgit.fileset.text import yaml_file
from rosgit.k8s.labels import PART_OF
from rosgit.k8s.objects import Obj
from rosgit.k8s.sealedsecret import cluster_dir

API = "argoproj.io/v1alpha1"
FINALIZER = "resources-finalizer.argocd.argoproj.io"
PLATFORM_LABEL = "rosgit.io/platform"
OVERLAY_LABEL = "rosgit.io/overlay"

WHY_IGNORE = (
    "ignoreDifferences: OpenShift's service-ca operator writes the CA bundle into the data of ConfigMaps "
    "annotated service.beta.openshift.io/inject-cabundle; Git holds no data, so only that key is ignored and "
    "RespectIgnoreDifferences=true keeps a sync from wiping it."
)
WHY_NAMESPACE = (
    "CreateNamespace=true makes Argo CD create the Namespace, a cluster-scoped object, so the project "
    "whitelists exactly the Namespaces of its destinations and no other cluster-scoped kind."
)


def app_name(catalog: Catalog, overlay: str) -> str:
    return f"{catalog.project.name}-{overlay}"


def platforms_in_use(catalog: Catalog) -> list[str]:
    return sorted({overlay.platform for overlay in catalog.overlays})


def _labels(catalog: Catalog, **extra: str) -> dict[str, str]:
    return {PART_OF: catalog.project.name, **extra}


def _ignore_differences(tree: dict[str, str], platform: str, namespace: str) -> list[Obj]:
    return [
        {
            "group": "",
            "kind": "ConfigMap",
            "name": name,
            "namespace": namespace,
            "jsonPointers": ["/data/service-ca.crt"],
        }
        for name in injected_config_maps(tree, f"components/{platform}/")
    ]


def _sync_policy(catalog: Catalog, respect_ignore: bool) -> Obj:
    options = catalog.argocd
    policy: Obj = {}
    if options.automated:
        policy["automated"] = {"prune": options.prune, "selfHeal": options.self_heal}
    sync_options = ["CreateNamespace=true", "PruneLast=true"]
    if respect_ignore:
        sync_options.append("RespectIgnoreDifferences=true")
    policy["syncOptions"] = sync_options
    level = options.pod_security
    policy["managedNamespaceMetadata"] = {
        "labels": {
            "pod-security.kubernetes.io/enforce": level,
            "pod-security.kubernetes.io/audit": level,
            "pod-security.kubernetes.io/warn": level,
        }
    }
    retry = options.retry
    policy["retry"] = {
        "limit": retry.limit,
        "backoff": {"duration": retry.backoff, "factor": retry.factor, "maxDuration": retry.max_backoff},
    }
    return policy


def _app_spec(
    catalog: Catalog,
    tree: dict[str, str],
    *,
    project: str,
    path: str,
    server: str,
    namespace: str,
    platform: str,
    revision: str,
) -> Obj:
    ignore = _ignore_differences(tree, platform, namespace)
    spec: Obj = {
        "project": project,
        "source": {
            "repoURL": catalog.project.repo_url,
            "targetRevision": revision,
            "path": path,
        },
        "destination": {"server": server, "namespace": namespace},
        "syncPolicy": _sync_policy(catalog, respect_ignore=bool(ignore)),
        "revisionHistoryLimit": 10,
    }
    if ignore:
        spec["ignoreDifferences"] = ignore
    return spec


def application(catalog: Catalog, tree: dict[str, str], overlay: OverlaySpec) -> Obj:
    namespace = catalog.namespace_of(overlay)
    return {
        "apiVersion": API,
        "kind": "Application",
        "metadata": {
            "name": app_name(catalog, overlay.name),
            "namespace": catalog.project.argocd_namespace,
            "labels": _labels(catalog, **{OVERLAY_LABEL: overlay.name, PLATFORM_LABEL: overlay.platform}),
            "finalizers": [FINALIZER],
        },
        "spec": _app_spec(
            catalog,
            tree,
            project=catalog.project.name,
            path=f"overlays/{overlay.name}",
            server=catalog.destination_of(overlay),
            namespace=namespace,
            platform=overlay.platform,
            revision=catalog.target_revision_of(overlay.name),
        ),
    }


def _whitelist(tree: dict[str, str]) -> list[Obj]:
    namespaced = sorted(kind for kind in emitted_kinds(tree) if kind != ("", "Namespace"))
    return [{"group": group, "kind": kind} for group, kind in namespaced]


def _namespace_whitelist(namespaces: list[str]) -> list[Obj]:
    return [{"group": "", "kind": "Namespace", "name": ns} for ns in sorted(set(namespaces))]


def app_project(catalog: Catalog, tree: dict[str, str]) -> Obj:
    destinations = sorted(
        {(catalog.destination_of(o), catalog.namespace_of(o)) for o in catalog.overlays}
    )
    return {
        "apiVersion": API,
        "kind": "AppProject",
        "metadata": {
            "name": catalog.project.name,
            "namespace": catalog.project.argocd_namespace,
            "labels": _labels(catalog),
            "finalizers": [FINALIZER],
        },
        "spec": {
            "description": f"{catalog.project.name}: the overlays of {catalog.project.repo_url}",
            "sourceRepos": [catalog.project.repo_url],
            "destinations": [{"server": server, "namespace": ns} for server, ns in destinations],
            "clusterResourceWhitelist": _namespace_whitelist([ns for _, ns in destinations]),
            "namespaceResourceWhitelist": _whitelist(tree),
        },
    }


def bootstrap_project(catalog: Catalog) -> Obj:
    """The roots only create Applications in Argo CD's namespace; nothing else, nowhere else."""
    return {
        "apiVersion": API,
        "kind": "AppProject",
        "metadata": {
            "name": f"{catalog.project.name}-bootstrap",
            "namespace": catalog.project.argocd_namespace,
            "labels": _labels(catalog),
        },
        "spec": {
            "description": f"{catalog.project.name}: app-of-apps roots over argocd/applications",
            "sourceRepos": [catalog.project.repo_url],
            "destinations": [
                {"server": catalog.project.destination_server, "namespace": catalog.project.argocd_namespace}
            ],
            "clusterResourceWhitelist": [],
            "namespaceResourceWhitelist": [{"group": "argoproj.io", "kind": "Application"}],
        },
    }


def fleet_overlay(catalog: Catalog) -> OverlaySpec | None:
    fleet = catalog.argocd.fleet
    if fleet is None:
        return None
    overlay = catalog.overlay(fleet.overlay)
    if overlay is None:
        known = ", ".join(o.name for o in catalog.overlays)
        raise UsageError(f"argocd.fleet.overlay: unknown overlay {fleet.overlay!r} (known: {known})")
    if not fleet.cluster_labels:
        raise UsageError("argocd.fleet.clusterLabels: give at least one label, or every cluster gets it")
    return overlay


def fleet_project(catalog: Catalog, tree: dict[str, str], overlay: OverlaySpec) -> Obj:
    """Separate from the main project: its destinations are any registered cluster, one namespace."""
    namespace = catalog.namespace_of(overlay)
    return {
        "apiVersion": API,
        "kind": "AppProject",
        "metadata": {
            "name": f"{catalog.project.name}-fleet",
            "namespace": catalog.project.argocd_namespace,
            "labels": _labels(catalog),
            "finalizers": [FINALIZER],
        },
        "spec": {
            "description": f"{catalog.project.name}: overlay {overlay.name} on every labelled cluster",
            "sourceRepos": [catalog.project.repo_url],
            "destinations": [{"server": "*", "namespace": namespace}],
            "clusterResourceWhitelist": _namespace_whitelist([namespace]),
            "namespaceResourceWhitelist": _whitelist(tree),
        },
    }


def root_application(catalog: Catalog, platform: str) -> Obj:
    files = sorted(f"{o.name}.yaml" for o in catalog.overlays if o.platform == platform)
    return {
        "apiVersion": API,
        "kind": "Application",
        "metadata": {
            "name": f"{catalog.project.name}-root-{platform}",
            "namespace": catalog.project.argocd_namespace,
            "labels": _labels(catalog, **{PLATFORM_LABEL: platform}),
            "finalizers": [FINALIZER],
        },
        "spec": {
            "project": f"{catalog.project.name}-bootstrap",
            "source": {
                "repoURL": catalog.project.repo_url,
                "targetRevision": catalog.project.target_revision,
                "path": "argocd/applications",
                "directory": {"include": "{" + ",".join(files) + "}"},
            },
            "destination": {
                "server": catalog.project.destination_server,
                "namespace": catalog.project.argocd_namespace,
            },
            "syncPolicy": {
                "automated": {"prune": catalog.argocd.prune, "selfHeal": catalog.argocd.self_heal},
                "retry": _sync_policy(catalog, False)["retry"],
            },
        },
    }


def _lookup(mapping: dict[str, str], key: str) -> str:
    """A Go-template expression mapping `key` through a literal dict (Sprig `dict` and `get`)."""
    pairs = " ".join(f'"{k}" "{v}"' for k, v in sorted(mapping.items()))
    return "{{ get (dict " + pairs + ") " + key + " }}"


def _appset_meta(catalog: Catalog, name: str) -> Obj:
    return {"name": name, "namespace": catalog.project.argocd_namespace, "labels": _labels(catalog)}


def directory_appset(catalog: Catalog, tree: dict[str, str], platform: str) -> Obj:
    """Git directory generator over overlays/*, limited to one platform's overlays (a cluster runs one)."""
    mine = [o for o in catalog.overlays if o.platform == platform]
    others = sorted(o.name for o in catalog.overlays if o.platform != platform)
    namespaces = {o.name: catalog.namespace_of(o) for o in mine}
    servers = {o.name: catalog.destination_of(o) for o in mine}
    revisions = {o.name: catalog.target_revision_of(o.name) for o in mine}
    # one literal while every overlay tracks the same revision; per directory once environments differ
    revision = next(iter(set(revisions.values()))) if len(set(revisions.values())) == 1 else _lookup(
        revisions, ".path.basename"
    )
    directories: list[Obj] = [{"path": "overlays/*"}]
    directories += [{"path": f"overlays/{name}", "exclude": True} for name in others]
    spec = _app_spec(
        catalog,
        tree,
        project=catalog.project.name,
        path="{{ .path.path }}",
        server=_lookup(servers, ".path.basename"),
        namespace=_lookup(namespaces, ".path.basename"),
        platform=platform,
        revision=revision,
    )
    return {
        "apiVersion": API,
        "kind": "ApplicationSet",
        "metadata": _appset_meta(catalog, f"{catalog.project.name}-overlays-{platform}"),
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [
                {
                    "git": {
                        "repoURL": catalog.project.repo_url,
                        "revision": catalog.project.target_revision,
                        "directories": directories,
                    }
                }
            ],
            "template": {
                "metadata": {
                    "name": catalog.project.name + "-{{ .path.basename }}",
                    "labels": _labels(
                        catalog, **{OVERLAY_LABEL: "{{ .path.basename }}", PLATFORM_LABEL: platform}
                    ),
                    "finalizers": [FINALIZER],
                },
                "spec": spec,
            },
            "syncPolicy": {"preserveResourcesOnDeletion": True},
        },
    }


def fleet_appset(catalog: Catalog, tree: dict[str, str], overlay: OverlaySpec) -> Obj:
    fleet = catalog.argocd.fleet
    assert fleet is not None
    spec = _app_spec(
        catalog,
        tree,
        project=f"{catalog.project.name}-fleet",
        # One sealed set per cluster certificate (`rosgit seal --cluster NAME`): each cluster gets the
        # SealedSecrets its own controller can decrypt, never another cluster's.
        path=cluster_dir(overlay.name, "{{ .name }}"),
        server="{{ .server }}",
        namespace=catalog.namespace_of(overlay),
        platform=overlay.platform,
        revision=catalog.target_revision_of(overlay.name),
    )
    return {
        "apiVersion": API,
        "kind": "ApplicationSet",
        "metadata": _appset_meta(catalog, f"{catalog.project.name}-fleet"),
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [
                {"clusters": {"selector": {"matchLabels": dict(sorted(fleet.cluster_labels.items()))}}}
            ],
            "template": {
                "metadata": {
                    "name": "{{ .nameNormalized }}-" + app_name(catalog, overlay.name),
                    "labels": _labels(
                        catalog, **{OVERLAY_LABEL: overlay.name, PLATFORM_LABEL: overlay.platform}
                    ),
                    "finalizers": [FINALIZER],
                },
                "spec": spec,
            },
            "syncPolicy": {"preserveResourcesOnDeletion": True},
        },
    }


def _commented(text: str, *comments: str) -> str:
    """Comment lines right after the header line (is_generated only looks at the first two lines)."""
    header, _, body = text.partition("\n")
    lines = "".join(f"# {line}\n" for comment in comments for line in _wrap(comment))
    return f"{header}\n{lines}{body}"


def _wrap(text: str, width: int = 108) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


def argocd_files(catalog: Catalog, manifests: Mapping[str, str]) -> dict[str, str]:
    """argocd/: projects, Applications and ApplicationSets for the manifests (base/, components/, overlays/)
    the catalog generates; the project whitelists and ignoreDifferences are derived from what those emit."""
    fleet = fleet_overlay(catalog)  # validated first: a bad catalog fails before any rendering
    tree = dict(manifests)
    files: dict[str, str] = {}
    projects = [app_project(catalog, tree), bootstrap_project(catalog)]
    if fleet is not None:
        projects.append(fleet_project(catalog, tree, fleet))
    files["argocd/projects.yaml"] = _commented(
        yaml_file(*projects),
        "Apply once with the roots: kubectl apply -n "
        f"{catalog.project.argocd_namespace} -f argocd/projects.yaml -f argocd/root-<platform>.yaml",
        "namespaceResourceWhitelist lists exactly the kinds the overlays emit (rosgit check verifies it).",
        WHY_NAMESPACE,
    )
    for overlay in catalog.overlays:
        app = application(catalog, tree, overlay)
        comments = [f"Overlay {overlay.name} ({overlay.platform}, profile {overlay.profile})."]
        if "ignoreDifferences" in app["spec"]:
            comments.append(WHY_IGNORE)
        files[f"argocd/applications/{overlay.name}.yaml"] = _commented(yaml_file(app), *comments)
    for platform in platforms_in_use(catalog):
        files[f"argocd/root-{platform}.yaml"] = _commented(
            yaml_file(root_application(catalog, platform)),
            f"App of apps for {platform} clusters: the Applications of its overlays in argocd/applications/.",
            "A cluster runs one platform, so each platform has its own root. Use a root or the "
            "ApplicationSets in argocd/applicationsets/, never both: they create the same Applications.",
        )
        files[f"argocd/applicationsets/overlays-{platform}.yaml"] = _commented(
            yaml_file(directory_appset(catalog, tree, platform)),
            f"Alternative to root-{platform}.yaml: one Application per directory in overlays/ "
            f"(other platforms' overlays excluded).",
            "preserveResourcesOnDeletion: deleting the ApplicationSet or an overlay directory must never "
            "cascade-delete databases.",
        )
    if fleet is not None:
        files["argocd/applicationsets/fleet.yaml"] = _commented(
            yaml_file(fleet_appset(catalog, tree, fleet)),
            f"Fleet: overlay {fleet.name} on every Argo CD cluster labelled "
            + ", ".join(f"{k}={v}" for k, v in sorted(catalog.argocd.fleet.cluster_labels.items()))  # type: ignore[union-attr]
            + ".",
        )
    return files
