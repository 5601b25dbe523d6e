"""Every container is sized (requests and limits) and runs a pinned image; production pins by digest."""

from __future__ import annotations

from pathlib import PurePosixPath

from rosgit import ids
from rosgit.errors import UsageError
from rosgit.findings import Finding
from rosgit.k8s.meta import as_map
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj, pod_templates
from rosgit.quantity import parse_quantity

RESOURCES = ("cpu", "memory")


def check_container_resources(objects: list[Obj], context: LintContext) -> list[Finding]:
    """Cpu and memory requests and limits on every container, init containers included."""
    findings: list[Finding] = []
    for template in pod_templates(objects):
        for container in template.containers():
            resources = as_map(container.get("resources"))
            missing = [
                f"{section}.{resource}"
                for section in ("requests", "limits")
                for resource in RESOURCES
                if as_map(resources.get(section)).get(resource) in (None, "")
            ]
            if missing:
                findings.append(
                    context.finding(
                        ids.ROS301,
                        "error",
                        template.ref,
                        f"container {container.get('name')} has no {', '.join(missing)}",
                        "give the component a `size:` that the profile defines",
                    )
                )
    return findings


def check_requests_within_limits(objects: list[Obj], context: LintContext) -> list[Finding]:
    """A request above its limit: the API server refuses the pod (requests must be <= limits), so the
    workload never starts however the overlay got there (a patch, a hand-written object)."""
    findings: list[Finding] = []
    for template in pod_templates(objects):
        for container in template.containers():
            resources = as_map(container.get("resources"))
            requests, limits = as_map(resources.get("requests")), as_map(resources.get("limits"))
            for resource in sorted(set(requests) & set(limits)):
                try:
                    above = parse_quantity(requests[resource]) > parse_quantity(limits[resource])
                except UsageError:
                    continue  # not a quantity: validation reports it
                if above:
                    findings.append(
                        context.finding(
                            ids.ROS304,
                            "error",
                            template.ref,
                            f"container {container.get('name')}: {resource} request {requests[resource]} is above "
                            f"its limit {limits[resource]}; the API server refuses the pod",
                            "lower the request or raise the limit (the profile's size, or the overlay's patch)",
                        )
                    )
    return findings


def image_problem(image: str) -> str | None:
    """Why an image reference is not pinned, or None. A digest always pins."""
    if not image:
        return "has no image"
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {image!r} has no tag (pulls :latest)"
    if last.rsplit(":", 1)[1] == "latest":
        return f"image {image!r} uses the moving tag :latest"
    return None


def check_images(objects: list[Obj], context: LintContext) -> list[Finding]:
    """No untagged or :latest images; they change under a running deployment."""
    findings: list[Finding] = []
    for template in pod_templates(objects):
        for container in template.containers():
            problem = image_problem(str(container.get("image") or ""))
            if problem:
                findings.append(
                    context.finding(
                        ids.ROS302,
                        "error",
                        template.ref,
                        f"container {container.get('name')}: {problem}",
                        "pin the image to a tag or digest in the catalog's `images:`",
                    )
                )
    return findings


# checkov's "Image should use digest": the catalog's reason for tag pins, carried on the workload
DIGEST_CHECK = "CKV_K8S_43"


def _production(context: LintContext) -> bool:
    if context.catalog is None or not context.source:
        return False
    name = PurePosixPath(context.source).name
    return any(o.production and o.name == name for o in context.catalog.overlays)


def _acknowledged(owner: Obj) -> bool:
    annotations = as_map(as_map(owner.get("metadata")).get("annotations"))
    return any(
        key.startswith("checkov.io/skip") and str(value).startswith(f"{DIGEST_CHECK}=")
        for key, value in annotations.items()
    )


def check_digest_pins(objects: list[Obj], context: LintContext) -> list[Finding]:
    """In a production overlay a tag can be re-pushed under a running deployment; a digest cannot. A workload
    whose tag pins the catalog explains (checkovSkips CKV_K8S_43, no digest known) is not reported again."""
    if not _production(context):
        return []
    findings: list[Finding] = []
    for template in pod_templates(objects):
        if _acknowledged(template.owner):
            continue
        for container in template.containers():
            image = str(container.get("image") or "")
            if image and "@" not in image:
                findings.append(
                    context.finding(
                        ids.ROS303,
                        "warning",
                        template.ref,
                        f"container {container.get('name')}: image {image!r} is pinned by tag only",
                        "give the image's digest in the catalog's `images:`, or the reason in `checkovSkips`",
                    )
                )
    return findings
