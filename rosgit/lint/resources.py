"""Every container is sized (requests and limits) and runs a pinned image."""

from __future__ import annotations

from rosgit import ids
from rosgit.findings import Finding
from rosgit.k8s.meta import as_map
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj, pod_templates

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
