"""Differential property test: random resources printed by the real kustomize and by our YAML layer.

Each example writes a batch of random objects (odd strings, numbers, nesting, weird keys) as a
resource file, in JSON or block YAML, runs the real kustomize on it, and compares the output with
`dump_documents(legacy_sort(load_resource_documents(...)))`. Both must fail together or agree byte
for byte.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rosgit.errors import UsageError
from rosgit.kustomize.ordering import legacy_sort
from rosgit.kustomize.yamlio import dump_documents, go_key_less, load_resource_documents
from tests.conftest import require_real_tool

ATOMS = [
    "", " ", "yes", "no", "on", "Off", "y", "N", "~", "null", "true", "FALSE", "0755", "0x1F", "1.0", ".5", "1e3",
    "1:20", "2024-01-01", "2024-01-01T10:00:00Z", "<<", "-", "- a", "a: b", "a:b", "#x", "a #b", "@x", "%y",
    "`z", "*", "&a", "!t", "|", ">", "'", '"', "it's", 'say "hi"', "\\", "x ", " x", "---", "...", "? x", ":x",
    "[a]", "{a}", "1_000", "+1", "-0", "0o17", "0b101", "08", "1e400", "12345678901234567890", "NaN", ".inf",
    "a  b", "\n", "a\n", "a\nb", "a\nb\n", "a\n\n", "\na", " a\nb", "a \nb", "a\n b", "a\tb\nc", "é\n",
]  # fmt: skip
ALPHABET = st.sampled_from(
    [*"abcxyzABZ019 _-.:#'\"\\/@&*!|>%?,[]{}~=\t\n", "é", "日", "😀", "\xa0", "\u2028", "\x85", "\x07", "\ufeff",
     "\r", "\x7f"]
)
WORDS = st.sampled_from(["lorem", "ipsum", "dolor", "a:", "#", "x", '"q"', "'s'", "-", "é", "😀", "", " ",
                         "supercalifragilisticexpialidocious"])

short_text = st.text(ALPHABET, max_size=12)
long_text = st.lists(WORDS, min_size=10, max_size=40).map(" ".join)
unbroken = st.integers(min_value=60, max_value=140).map(lambda n: "x" * n)
multi_line = st.lists(st.lists(WORDS, max_size=12).map(" ".join), min_size=1, max_size=4).flatmap(
    lambda lines: st.sampled_from(["", "\n", "\n\n"]).map(lambda end: "\n".join(lines) + end)
)
strings = st.one_of(st.sampled_from(ATOMS), short_text, long_text, unbroken, multi_line)
scalars = st.one_of(
    strings,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
keys = st.one_of(st.sampled_from(["a", "b", "B", "Z", "_a", "~x", "a-b", "a.b", "ab", "b1", "b2", "b02", "b10",
                                  "é", "name", "y", "n", "on", "1", "1.5"]), short_text, long_text, unbroken)


def consistent(names: list[str]) -> bool:
    """True when go-yaml v2's key comparison orders these keys transitively (else kustomize is random)."""
    for a, b in combinations(names, 2):
        if go_key_less(a, b) == go_key_less(b, a):
            return False
    ordered = sorted(names, key=lambda k: sum(go_key_less(o, k) for o in names))
    return all(go_key_less(x, y) for x, y in pairwise(ordered))


def mappings(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(keys, children, max_size=4).filter(lambda d: consistent(list(d)))


values = st.recursive(scalars, lambda children: st.lists(children, max_size=4) | mappings(children), max_leaves=12)
bodies = st.dictionaries(keys, values, min_size=1, max_size=5).filter(
    lambda d: consistent([*d, "apiVersion", "kind", "metadata"])
    and not {"apiVersion", "kind", "metadata"} & set(d)
)


def render(objs: list[dict[str, Any]], style: str) -> str:
    if style == "json":
        return "\n---\n".join(json.dumps(o, ensure_ascii=False) for o in objs) + "\n"
    if style == "json-ascii":
        return "\n---\n".join(json.dumps(o) for o in objs) + "\n"
    return yaml.safe_dump_all(objs, allow_unicode=True, sort_keys=False)


@pytest.mark.tools
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.filter_too_much])
@given(st.lists(bodies, min_size=1, max_size=8), st.sampled_from(["json", "json-ascii", "yaml"]))
def test_random_resources_print_like_real_kustomize(batch: list[dict[str, Any]], style: str) -> None:
    kustomize = require_real_tool("kustomize")
    objs = [{"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": f"o{i}"}, **body}
            for i, body in enumerate(batch)]
    text = render(objs, style)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "resources.yaml").write_text(text, encoding="utf-8")
        (root / "kustomization.yaml").write_text("resources:\n- resources.yaml\n", encoding="utf-8")
        real = subprocess.run([str(kustomize), "build", str(root)], capture_output=True, text=True, check=False)
    if real.returncode != 0:
        with pytest.raises(UsageError) as caught:
            dump_documents(legacy_sort(load_resource_documents(text, "resources.yaml")))
        assert "\n" not in str(caught.value)
        return
    assert dump_documents(legacy_sort(load_resource_documents(text, "resources.yaml"))) == real.stdout
