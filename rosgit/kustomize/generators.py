"""configMapGenerator and secretGenerator: ConfigMap/Secret objects from literals, files and env files."""

from __future__ import annotations

import base64
import os
from typing import Any

from rosgit.errors import UsageError
from rosgit.kustomize.loader import Root, as_list, environment_value, read_bytes, read_text
from rosgit.kustomize.resource import Resource
from rosgit.kustomize.transformer_order import check_plain_keys

_BEHAVIORS = ("", "create", "merge", "replace")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in ("'", '"'):
        return value[1:-1]
    return value


def _env_pairs(text: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for number, raw in enumerate(text.splitlines()):
        line = raw.removeprefix("\ufeff") if number == 0 else raw
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        if "=" in line:
            key, _, value = line.partition("=")
        else:
            # A bare key takes its value from the environment, as kustomize does.
            key, value = line, environment_value(line)
        pairs.append((key, value))
    return pairs


def _collect(
    entry: dict[str, Any], root: Root, field: str
) -> tuple[list[tuple[str, str]], list[tuple[str, bytes]]]:
    texts: list[tuple[str, str]] = []
    blobs: list[tuple[str, bytes]] = []
    envs = list(as_list(entry.get("envs"), root, f"{field}.envs"))
    if entry.get("env"):
        envs.append(entry["env"])
    for env in envs:
        texts.extend(_env_pairs(read_text(root, str(env), f"{field}.envs")))
    for literal in as_list(entry.get("literals"), root, f"{field}.literals"):
        text = str(literal)
        if "=" not in text:
            raise UsageError(
                f"{field}: invalid literal source {text}, expected key=value", location=root.location()
            )
        key, _, value = text.partition("=")
        texts.append((key, _unquote(value)))
    for source in as_list(entry.get("files"), root, f"{field}.files"):
        text = str(source)
        if "=" in text:
            key, _, path = text.partition("=")
            if not key or not path:
                raise UsageError(
                    f"{field}: key or file path is missing in '{text}'", location=root.location()
                )
        else:
            key, path = os.path.basename(text), text
        data = read_bytes(root, path, f"{field}.files")
        try:
            texts.append((key, data.decode("utf-8")))
        except UnicodeDecodeError:
            blobs.append((key, data))
    return texts, blobs


def _wrapped_base64(data: bytes) -> str:
    """binaryData as kustomize encodes it: lines of 70 characters, each ending in a newline,
    unless the whole encoding fits on one line."""
    encoded = base64.b64encode(data).decode("ascii")
    line = 70
    if len(encoded) // line + 1 <= 1:
        return encoded
    return "".join(encoded[i : i + line] + "\n" for i in range(0, len(encoded), line))


def _check_unique(pairs: list[tuple[str, Any]], kind: str, name: str, root: Root) -> None:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise UsageError(
                f"{kind.lower()} {name} illegally repeats the key `{key}`", location=root.location()
            )
        seen.add(key)


def generate(
    entry: dict[str, Any], kind: str, options: dict[str, Any], root: Root, field: str
) -> Resource:
    name = str(entry.get("name") or "")
    if not name:
        raise UsageError(f"{field}: a generator needs a name", location=root.location())
    behavior = str(entry.get("behavior") or "")
    if behavior not in _BEHAVIORS:
        raise UsageError(f"{field}: unknown behavior '{behavior}'", location=root.location())
    texts, blobs = _collect(entry, root, f"{field} {name}")
    _check_unique([*texts, *blobs], kind, name, root)
    check_plain_keys([k for k, _ in [*texts, *blobs]], root, f"{field} {name}")
    own = entry.get("options") or {}
    labels = {**(options.get("labels") or {}), **(own.get("labels") or {})}
    annotations = {**(options.get("annotations") or {}), **(own.get("annotations") or {})}
    check_plain_keys([*labels, *annotations], root, f"{field} {name} options")
    # A global true wins over a generator's own false.
    disable_hash = bool(own.get("disableNameSuffixHash")) or bool(options.get("disableNameSuffixHash"))
    immutable = bool(own.get("immutable")) or bool(options.get("immutable"))
    metadata: dict[str, Any] = {"name": name}
    if entry.get("namespace"):
        metadata["namespace"] = str(entry["namespace"])
    if labels:
        metadata["labels"] = {str(k): str(v) for k, v in labels.items()}
    if annotations:
        metadata["annotations"] = {str(k): str(v) for k, v in annotations.items()}
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": metadata}
    if kind == "ConfigMap":
        if texts:
            obj["data"] = dict(texts)
        if blobs:
            obj["binaryData"] = {k: _wrapped_base64(v) for k, v in blobs}
    else:
        obj["type"] = str(entry.get("type") or "Opaque")
        data = {k: _wrapped_base64(v.encode("utf-8")) for k, v in texts}
        data.update({k: _wrapped_base64(v) for k, v in blobs})
        if data:
            obj["data"] = data
    if immutable:
        obj["immutable"] = True
    return Resource(obj, needs_hash=not disable_hash, behavior=behavior or "create")
