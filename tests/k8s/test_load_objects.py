"""`load_objects` takes its fast path only where no alias expands: the answer is the checked path's."""

from __future__ import annotations

import pytest

from rosgit.errors import UsageError
from rosgit.k8s import objects
from rosgit.k8s.objects import load_objects

SCRIPT = """apiVersion: v1
kind: ConfigMap
metadata: {name: script}
data:
  run.sh: |
    cd /tmp && rm -f *.tmp && ls * && echo done
"""


def _bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "kind: ConfigMap\n" + "\n".join(lines) + "\n"


def test_shell_text_with_ampersands_and_stars_loads_as_the_checked_path_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[str] = []
    real = objects.check_node_graph
    monkeypatch.setattr(objects, "check_node_graph", lambda *a, **k: checked.append("x") or real(*a, **k))
    docs = load_objects(SCRIPT + "---\n" + SCRIPT)
    assert not checked  # no alias: the fast path
    assert docs[0]["data"]["run.sh"].startswith("cd /tmp && rm -f *.tmp")
    assert docs[0] is not docs[1] and docs[0] == docs[1]


def test_a_real_alias_is_measured_and_a_bomb_refused() -> None:
    shared = load_objects("kind: A\nx: &x {a: 1}\ny: *x\n")
    assert shared == [{"kind": "A", "x": {"a": 1}, "y": {"a": 1}}]
    with pytest.raises(UsageError, match="alias"):
        load_objects(_bomb(9))


def test_a_merge_key_is_never_taken_on_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = objects.check_node_graph
    monkeypatch.setattr(objects, "check_node_graph", lambda *a, **k: checked.append("x") or real(*a, **k))
    assert load_objects("kind: A\nbase: &b {a: 1}\nother:\n  <<: *b\n  c: 2\n")[0]["other"] == {"a": 1, "c": 2}
    assert checked
