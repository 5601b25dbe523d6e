"""templates/secrets.yaml: Secrets generated on first install and kept on upgrade."""

from __future__ import annotations

from rosgit.catalog.model import ALL_ANALYTICS, ALL_AUTHORIZATION, AnalyticsMode, AuthorizationMode, Catalog
from rosgit.fileset.text import HEADER
from rosgit.generate.overlays import external_secret
from rosgit.helm.template import Block, render_document
from rosgit.helm.templates.metadata import OPENSHIFT, analytics_is, authorization_is, go_string, set_metadata
from rosgit.helm.values import secret_values_key

HELM_RESOURCE_POLICY = "helm.sh/resource-policy"
_GENERATORS = {
    "password": "randAlphaNum {n}",
    "django-secret-key": "randAlphaNum {n}",
    "access-key": "randAlphaNum {n} | upper",
    "secret-key": "randAlphaNum {n}",
    "username": "randAlpha {n} | lower",
}
_DEFAULT_LENGTHS = {
    "password": 32,
    "django-secret-key": 50,
    "access-key": 20,
    "secret-key": 40,
    "username": 8,
}


def _platforms_reading(catalog: Catalog) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for platform in catalog.platforms:
        for name in catalog.secrets_read_on(platform):
            used.setdefault(name, set()).add(platform)
    return used


def _analytics_reading(catalog: Catalog, name: str) -> list[AnalyticsMode]:
    """The analytics modes in which some platform's components read the Secret (hive's: trino only)."""
    return [
        mode
        for mode in ALL_ANALYTICS
        if any(name in catalog.secrets_read_on(platform, mode) for platform in catalog.platforms)
    ]


def _authorization_reading(catalog: Catalog, name: str) -> list[AuthorizationMode]:
    """The authorization modes in which some platform's components read the Secret (insights-rbac's: rbac)."""
    if catalog.identity is None:
        return []
    return [
        mode
        for mode in ALL_AUTHORIZATION
        if any(name in catalog.secrets_read_on(platform, None, mode) for platform in catalog.platforms)
    ]


def _platform_condition(catalog: Catalog, platforms: set[str]) -> str | None:
    if platforms == set(catalog.platforms):
        return None
    return OPENSHIFT if next(iter(platforms)) == "openshift" else f"(not {OPENSHIFT})"


def external_secrets_template(catalog: Catalog) -> str:
    """With `secretsBackend.type: external-secrets`: the overlays' ExternalSecrets, in the release namespace."""
    used = _platforms_reading(catalog)
    docs = []
    for spec in sorted(catalog.secrets, key=lambda s: s.name):
        if spec.name not in used:
            continue
        obj = external_secret(catalog, spec.name, "")
        set_metadata(obj, Block('include "ros-ocp.projectMetadataLabels" (dict "root" $)'))
        conditions = [c for c in [_platform_condition(catalog, used[spec.name])] if c]
        authorizations = _authorization_reading(catalog, spec.name)
        if len(authorizations) == 1:
            conditions.append(f"({authorization_is(authorizations[0])})")
        joined = None if not conditions else conditions[0] if len(conditions) == 1 else f"and {' '.join(conditions)}"
        docs.append(render_document(obj, joined))
    return HEADER + "\n" + "".join(docs)


def secrets_template(catalog: Catalog) -> str:
    """`lookup` finds the live Secret and its data is reused; random values are drawn only for keys it lacks.
    `existingSecret` skips the Secret."""
    if catalog.secrets_backend.type == "external-secrets":
        return external_secrets_template(catalog)
    used = _platforms_reading(catalog)
    lines = [HEADER]
    for spec in sorted(catalog.secrets, key=lambda s: s.name):
        if spec.name not in used:
            continue
        cond = f".Values.secrets.{secret_values_key(spec.name)}.existingSecret"
        platforms = used[spec.name]
        conditions = [f"(not {cond})"]
        if platforms != set(catalog.platforms):
            only = next(iter(platforms))
            conditions.append(OPENSHIFT if only == "openshift" else f"(not {OPENSHIFT})")
        modes = _analytics_reading(catalog, spec.name)
        if len(modes) == 1:
            conditions.append(f"({analytics_is(modes[0])})")
        authorizations = _authorization_reading(catalog, spec.name)
        if len(authorizations) == 1:
            conditions.append(f"({authorization_is(authorizations[0])})")
        joined = conditions[0] if len(conditions) == 1 else f"and {' '.join(conditions)}"
        lines.append(f"{{{{- if {joined} }}}}")
        lines.append(
            f'{{{{- $live := (lookup "v1" "Secret" .Release.Namespace {go_string(spec.name)}).data | default dict }}}}'
        )
        lines += [
            "---",
            "apiVersion: v1",
            "kind: Secret",
            "metadata:",
            f"  name: {spec.name}",
            "  namespace: {{ .Release.Namespace }}",
            "  labels:",
            '    {{- include "ros-ocp.projectMetadataLabels" (dict "root" $) | nindent 4 }}',
            "  annotations:",
            "    # uninstalling must not lose the passwords the databases on the kept volumes were created with",
            f"    {HELM_RESOURCE_POLICY}: keep",
            "type: Opaque",
            "data:",
        ]
        for key, spec_key in sorted(spec.keys.items()):
            if spec_key.generate in _GENERATORS:
                length = spec_key.length or _DEFAULT_LENGTHS[spec_key.generate]
                fresh = f"{_GENERATORS[spec_key.generate].format(n=length)} | b64enc"
            else:
                setting = f"secrets.{secret_values_key(spec.name)}.existingSecret"
                message = f"secret {spec.name} key {key} has no generator: set {setting}"
                fresh = f"required {go_string(message)} nil"
            generated = f"{{{{ index $live {go_string(key)} | default ({fresh}) | quote }}}}"
            external = [p for p in spec_key.external_on if p in catalog.platforms]
            if external:
                condition = _platform_condition(catalog, set(external))
                lines.append(f"  {key}: {_provided_or_generated(spec.name, key, condition, generated)}")
            else:
                lines.append(f"  {key}: {generated}")
        lines.append("{{- end }}")
    return "\n".join(lines) + "\n"


def _provided_or_generated(name: str, key: str, condition: str | None, generated: str) -> str:
    """A key another system owns on a platform (e.g. the ODF account's S3 keys on OpenShift) is never drawn
    at random there: the live Secret's value, else `secrets.<name>.provided.<key>`, else the render fails.
    An if/else, not `default (required ...)`: Go templates evaluate every argument before `default` chooses."""
    setting = f"secrets.{secret_values_key(name)}"
    message = (
        f"secret {name} key {key} belongs to the platform's own account: set {setting}.provided.{key} "
        f"or {setting}.existingSecret"
    )
    provided = f'dig {go_string(key)} "" (index .Values.{setting} "provided")'
    live = go_string(key)
    owned = (
        f"{{{{ if hasKey $live {live} }}}}{{{{ index $live {live} | quote }}}}"
        f"{{{{ else }}}}{{{{ required {go_string(message)} ({provided}) | b64enc | quote }}}}{{{{ end }}}}"
    )
    if condition is None:  # owned elsewhere on every platform: never generated
        return owned
    return f"{{{{ if {condition} }}}}{owned}{{{{ else }}}}{generated}{{{{ end }}}}"
