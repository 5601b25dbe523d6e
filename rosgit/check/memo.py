"""Per-overlay results of `rosgit check`'s stages, reused while every input of the stage on that overlay is
unchanged: a pull request touching one overlay recomputes that overlay, not six.

What each stage's result is a function of (its stamp):
- the kustomize comparison: the real kustomize's output, of the files the builtin build of the overlay read
  (`BuiltOverlay.inputs`) and the kustomize binary;
- validate: the built text, the target Kubernetes version, kubeconform (or its absence: the builtin
  validator), the schemas (rosgit's vendored CRDs, kubernetes-validate's release, the project's own CRDs);
- lint: the built text, the catalog's bytes and the contracts' bytes (a lint context is a function of the
  catalog, the overlay's name and the contracts).
rosgit's own code is part of every stamp.

Results are kept only at the end of a run, and only when no input file was modified since shortly before
the run began (`cache.RACY_NS`): a file edited while it was read must not leave a result under its new bytes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rosgit import cache
from rosgit.contracts.loader import ContractSet
from rosgit.tools import find_tool


def tool_digest(name: str) -> str:
    return cache.tools_digest([find_tool(name)])


@dataclass
class StageMemos:
    """One run's lookups and pending results. `watched`: the directories and files whose modification during
    the run withholds every pending result (the repository, and any input outside it)."""

    watched: list[Path]
    began_ns: int = field(default_factory=time.time_ns)
    pending: list[tuple[tuple[str, ...], tuple[str, ...], Any]] = field(default_factory=list)

    def recall(self, stage: str, overlay: Path, stamp: tuple[str, ...]) -> Any | None:
        """The stored result for this stage and overlay when its stamp is the same; else None."""
        entry = cache.load("stage", self._identity(stage, overlay))
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == (*stamp, cache.source_digest()):
            return entry[1]
        return None

    def keep(self, stage: str, overlay: Path, stamp: tuple[str, ...], value: Any) -> None:
        self.pending.append((self._identity(stage, overlay), (*stamp, cache.source_digest()), value))

    def remembered(
        self, stage: str, overlay: Path, stamp: tuple[str, ...] | None, compute: Callable[[], Any]
    ) -> Any:
        """compute(), or its stored result; a None stamp (an input not known) always computes."""
        if stamp is None or not cache.enabled():
            return compute()
        value = self.recall(stage, overlay, stamp)
        if value is None:
            value = compute()
            self.keep(stage, overlay, stamp, value)
        return value

    def commit(self) -> int:
        """Store the pending results unless an input changed during the run; how many were stored."""
        if not self.pending or not cache.enabled():
            return 0
        directories = [p for p in self.watched if p.is_dir()]
        files = [p for p in self.watched if not p.is_dir()]
        since = self.began_ns - cache.RACY_NS
        if cache.tree_modified_since(directories, since) or any(
            cache.modified_since(f, since) for f in files
        ):
            return 0
        for identity, stamp, value in self.pending:
            cache.store("stage", identity, (stamp, value))
        stored = len(self.pending)
        self.pending.clear()
        return stored

    @staticmethod
    def _identity(stage: str, overlay: Path) -> tuple[str, ...]:
        return (stage, os.path.abspath(overlay))


def lint_inputs(catalog_path: Path, contracts: ContractSet | None) -> str:
    """What every overlay's lint context is computed from, once per run: the catalog's and contracts' bytes."""
    return cache.files_digest([catalog_path, *(sorted(contracts.files.values()) if contracts is not None else [])])


def lint_stamp(text: str, inputs: str) -> tuple[str, ...]:
    """`inputs`: `lint_inputs` of this run."""
    return ("lint", cache.text_digest(text), inputs)


def schema_inputs() -> tuple[str, ...] | None:
    """What validation judges with besides the objects, once per run: kubeconform (or its absence: the
    builtin validator), kubernetes-validate's release and the project's own CRDs; None: too large to hash."""
    from rosgit.validate.schemas import kubernetes_validate_version, project_crd_dir

    crds = project_crd_dir()
    try:
        project = cache.tree_digest([crds]) if crds.is_dir() else "no project CRDs"
    except cache.TooLarge:
        return None
    return (tool_digest("kubeconform"), kubernetes_validate_version(), project)


def validate_stamp(text: str, version: str | None, schemas: tuple[str, ...]) -> tuple[str, ...]:
    """`schemas`: `schema_inputs` of this run."""
    return ("validate", cache.text_digest(text), version or "default", *schemas)


def kustomize_stamp(inputs: str | None) -> tuple[str, ...] | None:
    return None if inputs is None else ("kustomize", inputs, tool_digest("kustomize"))
