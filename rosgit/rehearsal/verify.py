"""`rosgit verify --kubeconfig FILE [--context C] [OVERLAY...]`: each object of the overlays server-side applied
with `--dry-run=server` against the user's own cluster (its admission: an OpenShift's SCCs and Route validation,
its CRD versions, its Pod Security levels), one object per request so each rejection names its object; nothing
is persisted. The API server's warnings (a pod template that would violate the namespace's Pod Security level)
are reported with the object."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from rosgit.k8s.meta import name_of
from rosgit.k8s.objects import Obj
from rosgit.tools import ProcessResult

# runs `kubectl ARGS` with the given stdin against the cluster
Kubectl = Callable[[list[str], str], ProcessResult]
FIELD_MANAGER = "rosgit-verify"


@dataclass
class Verdict:
    overlay: str
    accepted: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def lines(self) -> list[str]:
        out = [f"REJECTED {subject}: {reason}" for subject, reason in self.rejected]
        out += [f"warning  {subject}: {reason}" for subject, reason in self.warnings]
        verdict = "ok" if self.ok else f"{len(self.rejected)} rejected"
        out.append(f"{self.overlay}: {verdict}, {len(self.accepted)} accepted (server-side dry run)")
        return out


def _reason(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not line.startswith("Warning:")]
    errors = [line for line in lines if line.startswith(("Error from server", "error:"))]
    return (errors or lines or ["rejected"])[-1]


def _warnings(stderr: str) -> list[str]:
    return [line.removeprefix("Warning:").strip() for line in stderr.splitlines() if line.startswith("Warning:")]


def verify_objects(overlay: str, objects: list[Obj], namespace: str, kubectl: Kubectl) -> Verdict:
    verdict = Verdict(overlay)
    for obj in objects:
        subject = f"{obj.get('kind')}/{name_of(obj)}"
        result = kubectl(["apply", "--server-side", "--dry-run=server", f"--field-manager={FIELD_MANAGER}",
                          "--force-conflicts", "-n", namespace, "-f", "-"], json.dumps(obj))
        verdict.warnings += [(subject, warning) for warning in _warnings(result.stderr)]
        if result.returncode == 0:
            verdict.accepted.append(subject)
        else:
            verdict.rejected.append((subject, _reason(result.stderr)))
    return verdict
