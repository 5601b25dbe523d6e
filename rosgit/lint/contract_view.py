"""What the contract rules see of a built overlay: each container whose image has a contract, the contract
mode its command picks, and the environment Kubernetes would give it.

This is the one place a fact's `when:` is judged: a Running carries its contract and mode with the facts
that do not apply to that container's env removed (rosgit.contracts.conditions), so every CON rule sees
only facts that hold; `declared` keeps the whole contract for what is about the program in any setting
(the variables it reads at all).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rosgit.contracts.conditions import UNSET, Observed
from rosgit.contracts.loader import DATA_DIR
from rosgit.contracts.model import ImageContract, Mode
from rosgit.findings import Finding, RuleId
from rosgit.k8s.meta import as_map, external_secret_target, name_of, namespace_of, sealed_secret_target
from rosgit.k8s.podspec import PodTemplate, pod_references
from rosgit.kustomize import split_image
from rosgit.lint.context import LintContext
from rosgit.lint.objects import Obj, pod_templates
from rosgit.lint.shared import per_objects, per_overlay

_VARIABLE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def mentions(text: str, name: str) -> bool:
    """`name` occurs in `text` as a whole word (not inside a longer name, dotted or dashed)."""
    # the scripts are long and most names are absent from most of them: a substring test rules those out
    return name in text and re.search(rf"(?<![A-Za-z0-9_.-]){re.escape(name)}(?![A-Za-z0-9_.-])", text) is not None


@dataclass(frozen=True)
class EnvView:
    """The variables Kubernetes sets in a container: name -> value when the overlay shows it (literal or
    ConfigMap key), else None. `open` when an envFrom names a source the overlay does not show."""

    values: dict[str, str | None]
    refs: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    explicit: tuple[str, ...] = ()
    open: bool = False

    def known(self, name: str | None) -> str | None:
        """The value of `name` when it is set to something the overlay shows and needs no expansion."""
        if name is None:
            return None
        value = self.values.get(name)
        return value if value is not None and "$(" not in value else None

    def observe(self, name: str) -> Observed:
        """What the container gives `name`: a visible value, UNSET, or None when that is not known."""
        if name not in self.values:
            return None if self.open else UNSET
        return self.known(name)

    def expand(self, text: str) -> str | None:
        """`text` with $VAR, ${VAR} and $(VAR) replaced from the container env; None if one is unknown."""
        unknown = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal unknown
            value = self.known(next(g for g in match.groups() if g))
            unknown = unknown or value is None
            return value or ""

        expanded = _VARIABLE.sub(substitute, text)
        return None if unknown else expanded


def contract_file(context: LintContext, image: str) -> str:
    """The contract's file: repository-relative for the packaged data, else as given."""
    path = context.contracts.files.get(image) if context.contracts else None
    if path is None:
        return image
    return f"rosgit/contracts/data/{path.name}" if path.parent == DATA_DIR else str(path)


@dataclass(frozen=True)
class Running:
    """One container of one workload, with its image's contract and the mode its command selects, both
    holding only the facts that apply to this container's env; `declared` is the whole contract."""

    template: PodTemplate
    container: dict[str, Any]
    image: str
    contract: ImageContract
    mode: Mode | None
    env: EnvView
    command_line: str
    declared: ImageContract

    @property
    def name(self) -> str:
        return str(self.container.get("name", "?"))

    def finding(
        self, context: LintContext, rule_id: RuleId, field_: str, problem: str, fact: str, source: str, hint: str,
        obj: str | None = None,
    ) -> Finding:
        """A finding citing the fact's source; a fact about the whole contract (`source` empty) cites its file."""
        where = self.contract.cite(source) if source else contract_file(context, self.image)
        message = f"{field_}: {problem} [contract {self.image}: {fact}; source {where}]"
        return context.finding(rule_id, "error", obj or self.template.ref, message, hint)


@dataclass(frozen=True)
class Overlay:
    """Lookups over one overlay's objects that several contract rules need."""

    objects: list[Obj]
    templates: list[PodTemplate]
    config_maps: dict[tuple[str, str], dict[str, str]]
    secret_keys: dict[tuple[str, str], set[str]]

    step_texts: dict[str, str]

    def step_text(self, template: PodTemplate) -> str:
        """The text a step runs: commands, args, env values and the ConfigMaps it mounts (its scripts)."""
        return self.step_texts[template.ref]


def _texts(template: PodTemplate, config_maps: dict[tuple[str, str], dict[str, str]]) -> Iterator[str]:
    for container in template.containers():
        yield from (str(part) for part in [*(container.get("command") or []), *(container.get("args") or [])])
        yield from (str(e.get("value")) for e in container.get("env") or [] if isinstance(e, dict) and "value" in e)
    for reference in pod_references(template):
        if reference.kind == "ConfigMap" and reference.where.startswith("volume"):
            yield from config_maps.get((template.namespace, reference.name), {}).values()


@per_objects
def overlay_of(objects: list[Obj]) -> Overlay:
    config_maps: dict[tuple[str, str], dict[str, str]] = {}
    secret_keys: dict[tuple[str, str], set[str]] = {}
    for obj in objects:
        kind, key = obj.get("kind"), (namespace_of(obj), name_of(obj))
        if kind == "ConfigMap":
            config_maps[key] = {str(k): str(v) for k, v in as_map(obj.get("data")).items()}
        elif kind == "Secret":
            secret_keys[key] = {str(k) for k in (*as_map(obj.get("data")), *as_map(obj.get("stringData")))}
        elif kind == "SealedSecret":
            secret_keys[sealed_secret_target(obj)] = {
                str(k) for k in as_map(as_map(obj.get("spec")).get("encryptedData"))
            }
        elif kind == "ExternalSecret":
            namespace, name, keys = external_secret_target(obj)
            secret_keys[(namespace, name)] = keys
    templates = pod_templates(objects)
    texts = {template.ref: "\n".join(_texts(template, config_maps)) for template in templates}
    return Overlay(objects, templates, config_maps, secret_keys, texts)


def env_view(container: dict[str, Any], namespace: str, overlay: Overlay, context: LintContext) -> EnvView:
    values: dict[str, str | None] = {}
    refs: dict[str, tuple[str, str, str]] = {}
    is_open = False
    for source in container.get("envFrom") or []:
        if not isinstance(source, dict):
            continue
        prefix = str(source.get("prefix", ""))
        config = as_map(source.get("configMapRef"))
        secret = as_map(source.get("secretRef"))
        if config:
            data = overlay.config_maps.get((namespace, str(config.get("name"))))
            is_open = is_open or data is None
            values.update({prefix + k: v for k, v in (data or {}).items()})
        elif secret:
            name = str(secret.get("name"))
            keys = overlay.secret_keys.get((namespace, name)) or context.catalog_secret_keys(name)
            is_open = is_open or keys is None
            values.update({prefix + k: None for k in keys or ()})
    explicit: list[str] = []
    for entry in container.get("env") or []:
        if not isinstance(entry, dict) or "name" not in entry:
            continue
        name = str(entry["name"])
        explicit.append(name)
        value_from = as_map(entry.get("valueFrom"))
        key_ref = as_map(value_from.get("configMapKeyRef"))
        if "value" in entry or not value_from:
            values[name] = str(entry.get("value", ""))
        elif key_ref:
            config_name, key = str(key_ref.get("name")), str(key_ref.get("key"))
            refs[name] = ("ConfigMap", config_name, key)
            values[name] = overlay.config_maps.get((namespace, config_name), {}).get(key)
        else:
            values[name] = None
    return EnvView(values, refs, tuple(explicit), is_open)


@per_overlay
def overlay_runnings(objects: list[Obj], context: LintContext) -> list[Running]:
    """`runnings` of the overlay of `objects` (shared by the contract rules of one lint run)."""
    return runnings(overlay_of(objects), context)


def runnings(overlay: Overlay, context: LintContext) -> list[Running]:
    """Every container of the overlay whose image (by repository) has a contract."""
    if context.catalog is None or context.contracts is None:
        return []
    by_repository = {split_image(image)[0]: key for key, image in context.catalog.images.items()}
    found: list[Running] = []
    for template in overlay.templates:
        for container in template.containers():
            key = by_repository.get(split_image(str(container.get("image", "")))[0])
            contract = context.contracts.get(key) if key else None
            if key is None or contract is None:
                continue
            words = [*(container.get("command") or []), *(container.get("args") or [])]
            command_line = " ".join(str(word) for word in words)
            env = env_view(container, template.namespace, overlay, context)
            holding = context.contracts.applying(key, env.observe)
            found.append(_running(template, container, key, contract, holding, env, command_line))
    return found


def _running(
    template: PodTemplate, container: dict[str, Any], key: str, contract: ImageContract,
    holding: ImageContract, env: EnvView, command_line: str,
) -> Running:
    mode = contract.mode_for(command_line)
    index = next((i for i, candidate in enumerate(contract.modes) if candidate is mode), None)
    chosen = holding.modes[index] if index is not None else None
    return Running(template, container, key, holding, chosen, env, command_line, contract)
