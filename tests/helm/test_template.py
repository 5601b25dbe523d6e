"""The template writer: literal objects come out of the real helm exactly as they went in."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from rosgit.helm.template import (
    Block,
    Inline,
    When,
    WhenItems,
    block_scalar,
    escape,
    render_document,
    scalar_text,
)
from tests.helm.conftest import helm

TRICKY: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "tricky", "labels": {"a.b/c": "true"}},
    "data": {
        "braces": "{{ .Values.secret }} and }} {{{",
        "script": "#!/bin/sh\necho '{{ x }}'\n\n",
        "no-newline": "line1\nline2",
        "indented": "  leading spaces\nnext\n",
        "yes": "yes",
        "octal": "0755",
        "float": "1.0",
        "colon": "a: b",
        "empty": "",
        "star": "*/5 * * * *",
        "unicode": "été ☃",
        "tab": "a\tb\nc",
        "blank-lines": "a\n\n\nb\n",
    },
}


def test_escape_leaves_no_template_action() -> None:
    assert escape("a {{ b }}") == 'a {{ "{{" }} b }}'
    assert escape("plain") == "plain"


def test_block_scalar_chomping_indicators() -> None:
    assert block_scalar("a\nb\n", 2)[0] == "|"
    assert block_scalar("a\nb", 2)[0] == "|-"
    assert block_scalar("a\n\n", 2)[0] == "|+"
    assert block_scalar("  a\nb\n", 2)[0] == "|2"


def test_literal_document_is_plain_yaml_of_the_object() -> None:
    plain = {k: v for k, v in TRICKY.items()}
    plain["data"] = {k: v for k, v in TRICKY["data"].items() if "{{" not in v}
    assert yaml.safe_load(render_document(plain)) == plain


def test_nodes_render_as_template_text() -> None:
    text = render_document(
        {
            "kind": "X",
            "spec": {
                "replicas": Inline("{{ $v.replicas }}"),
                "resources": Block("toYaml $v.resources"),
                "affinity": When(".Values.on", {"a": 1}),
                "items": [WhenItems(".Values.on", [{"name": "x"}]), {"name": "y"}],
            },
        },
        ".Values.enabled",
    )
    assert "replicas: {{ $v.replicas }}" in text
    assert "  resources:\n    {{- toYaml $v.resources | nindent 4 }}" in text
    assert "{{- if .Values.on }}\n  affinity:" in text
    assert text.startswith("{{- if .Values.enabled }}\n---\n")


@pytest.mark.tools
@pytest.mark.parametrize("binary", ["helm", "helm3"])
def test_real_helm_renders_literal_objects_unchanged(tmp_path: Path, binary: str) -> None:
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    nested = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "nested"},
        "data": {"k": "v"},
        "extra": {"list": [["a", "b"], {"x": [1, 2]}, "multi\nline\n"], "empty": {}, "none": []},
    }
    (chart / "templates" / "t.yaml").write_text(render_document(TRICKY) + render_document(nested))
    proc = helm(binary, "template", "r", str(chart))
    assert proc.returncode == 0, proc.stderr
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
    assert docs == [TRICKY, nested]


def _ascii_corpus() -> list[str]:
    """Every ASCII pair and YAML-significant word, and random strings of them (fixed seed)."""
    alphabet = [chr(i) for i in range(32, 127)] + ["\n", "\t", "\r", "  ", " \n", "\n "]
    words = ["yes", "No", "on", "null", "~", "0x1F", "1e3", "1_000", "0o7", ".inf", "-.NaN", "2024-01-01"]
    words += [
        "12:30:00",
        "<<",
        "=",
        "---",
        "...",
        "- a",
        "a: b",
        "a #b",
        "? x",
        "!t",
        "&a",
        "*a",
        "%Y",
        "|",
        ">",
    ]
    rng = random.Random(17)
    corpus = alphabet + words + [a + b for a, b in itertools.product(alphabet, repeat=2)]
    corpus += ["".join(rng.choice(alphabet + words) for _ in range(rng.randint(0, 10))) for _ in range(8000)]
    return corpus


def test_libyaml_writes_ascii_scalars_as_pyyaml_does() -> None:
    """`_plain_string` takes libyaml's emitter for ASCII strings only: there it must equal PyYAML's own."""
    differing = [
        text
        for text in _ascii_corpus()
        if scalar_text(text, yaml.CSafeDumper) != scalar_text(text, yaml.SafeDumper)
    ]
    assert differing == []


def test_libyaml_differs_beyond_ascii_so_those_strings_keep_pyyaml() -> None:
    """Why the fast path stops at ASCII: an emoji is escaped by libyaml, written as is by PyYAML."""
    assert scalar_text("a😀", yaml.CSafeDumper) != scalar_text("a😀", yaml.SafeDumper)
