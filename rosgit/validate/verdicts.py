"""Earlier runs' verdicts on single objects, so a validation run sends a validator only the objects it has not
judged before: a commit that changes one Deployment in every overlay validates six objects, not nine hundred.

A verdict is a function of the JSON the validator reads, the schema file it reads it against, the validator
(kubeconform's binary and arguments, or the builtin validator) and rosgit's reading of its output. So it is
kept under the digest of exactly those: the object's JSON text, the schema's path and bytes.

One relaxation, for valid verdicts only: an object is valid or not whatever DNS-1123 label its
`metadata.namespace` holds. Kubernetes' ObjectMeta schema types `namespace` as a plain string, and a CRD's
schema may constrain no field of `metadata` but `name` and `generateName` (apiextensions refuses others), so
no schema can tell two labels apart. An overlay's namespace edit changes every object it renders; this keeps
it from validating each of them again. Invalid verdicts are reused only for the exact text: their messages
may quote the object.

Verdicts that say nothing about the object (status `error`: the validator could not run, or found no schema)
are never kept. A schema file of the project's modified since shortly before the run (`cache.RACY_NS`) keeps
the run's verdicts from being stored.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from rosgit import cache
from rosgit.k8s.meta import DNS_LABEL
from rosgit.validate.inputs import to_json
from rosgit.validate.report import FieldError, Status
from rosgit.validate.schemas import cache_root

# The memo holds at most this many verdicts besides those of the current run (oldest dropped first).
LIMIT = 20000
_DNS_LABEL = re.compile(DNS_LABEL)
_KEPT: frozenset[Status] = frozenset({"valid", "invalid"})


class Verdict(NamedTuple):
    """A tuple: the memo of a large repository loads thousands of them on every run."""

    status: Status
    message: str = ""
    errors: tuple[FieldError, ...] = ()


@dataclass(frozen=True)
class Keys:
    """Where one object's verdict is looked up: its exact text, and (namespaced objects only) its text with the
    namespace left out, which holds valid verdicts only."""

    exact: str
    loose: str | None


@dataclass
class VerdictMemo:
    """One validation run's view of the stored verdicts of one validator."""

    pool: cache.Pool[Verdict]
    began_ns: int = field(default_factory=time.time_ns)
    _schemas: dict[Path, str] = field(default_factory=dict)

    @classmethod
    def open(cls, validator: str, tool: str, arguments: tuple[str, ...]) -> VerdictMemo | None:
        """`tool`: the digest of what judges (the binary, or the builtin validator's library); None when caches
        are off."""
        if not cache.enabled():
            return None
        return cls(cache.Pool("verdicts", (validator,), (tool, *arguments, cache.source_digest()), LIMIT))

    def keys(self, text: str, obj: Any, schema: Path) -> Keys | None:
        """None when the schema cannot be read (the validator reports that itself)."""
        schema_digest = self._schema_digest(schema)
        if schema_digest is None:
            return None
        prefix = f"{schema}\0{schema_digest}\0"
        exact = _digest(prefix + text)
        loose_text = _without_namespace(obj)
        return Keys(exact, None if loose_text is None else _digest(f"{prefix}loose\0{loose_text}"))

    def recall(self, keys: Keys) -> Verdict | None:
        found = self.pool.get(keys.exact)
        if found is None and keys.loose is not None:
            found = self.pool.get(keys.loose)
        if found is not None:
            self._touch(keys, found)
        return found

    def keep(self, keys: Keys, verdict: Verdict) -> None:
        if verdict.status in _KEPT:
            self._touch(keys, verdict)

    def commit(self) -> None:
        """Store this run's verdicts (`cache.Pool.commit`), unless a schema of the project's changed meanwhile."""
        if not any(cache.modified_since(path, self.began_ns - cache.RACY_NS) for path in self._edited_schemas()):
            self.pool.commit()

    def _touch(self, keys: Keys, verdict: Verdict) -> None:
        self.pool.put(keys.exact, verdict)
        if keys.loose is not None and verdict.status == "valid":
            self.pool.put(keys.loose, verdict)

    def _edited_schemas(self) -> list[Path]:
        """The schemas a user may edit: the ones rosgit converted into its cache are written once, atomically,
        under a name that says what they were converted from (`rosgit.validate.schemas`)."""
        converted = (cache_root() / "schemas").resolve()
        return [path for path in self._schemas if not path.resolve().is_relative_to(converted)]

    def _schema_digest(self, schema: Path) -> str | None:
        if schema not in self._schemas:
            try:
                self._schemas[schema] = hashlib.blake2b(schema.read_bytes(), digest_size=20).hexdigest()
            except OSError:
                return None
        return self._schemas[schema]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def _without_namespace(obj: Any) -> str | None:
    """The object's JSON with `metadata.namespace` left out, when that is a DNS-1123 label; else None."""
    if not isinstance(obj, dict):
        return None
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        return None
    namespace = metadata.get("namespace")
    if not isinstance(namespace, str) or not _DNS_LABEL.fullmatch(namespace):
        return None
    return to_json({**obj, "metadata": {k: v for k, v in metadata.items() if k != "namespace"}})
