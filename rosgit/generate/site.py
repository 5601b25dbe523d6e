"""The site knobs (rosgit.catalog.site) as the fields of a workload's patch in an overlay."""

from __future__ import annotations

from rosgit.catalog.model import Site
from rosgit.catalog.site import toleration_object
from rosgit.k8s.objects import Obj


def site_pod_spec(site: Site) -> Obj:
    """nodeSelector, tolerations and imagePullSecrets of a pod spec (affinity joins the profile's spreading)."""
    spec: Obj = {}
    if site.node_selector:
        spec["nodeSelector"] = dict(site.node_selector)
    if site.tolerations:
        spec["tolerations"] = [toleration_object(t) for t in site.tolerations]
    if site.image_pull_secrets:
        spec["imagePullSecrets"] = [{"name": name} for name in site.image_pull_secrets]
    return spec


def site_metadata(site: Site) -> Obj:
    """The labels and annotations the workload and its pod template both get."""
    metadata: Obj = {}
    if site.labels:
        metadata["labels"] = dict(site.labels)
    if site.annotations:
        metadata["annotations"] = dict(site.annotations)
    return metadata
