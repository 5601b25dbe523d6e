"""The depth limit's cheap bound: texts that cannot nest past it are not scanned event by event (a Helm
render's one long JSON line used to cost a full scan of every render); texts that can are still refused."""

from __future__ import annotations

import pytest
import yaml

from rosgit import userfiles
from rosgit.errors import UsageError
from rosgit.userfiles import MAX_DEPTH, check_yaml_depth

SCAN_FROM = userfiles._SCAN_FROM  # noqa: SLF001 (the threshold under test)


def _indented(levels: int) -> str:
    return "".join(f"{'  ' * level}- \n" for level in range(levels)) + "  " * levels + "- leaf\n"


def _inline(levels: int) -> str:
    return "items:\n" + "- " * levels + "leaf\n"


def _flow(levels: int) -> str:
    return "spec: " + "[" * levels + "]" * levels + "\n"


def _mappings(levels: int) -> str:
    return "".join(f"{' ' * level}k{level}:\n" for level in range(levels)) + " " * levels + "leaf: 1\n"


SHALLOW_LONG_LINES = {
    "helm's toJson": 'data: {"envoy.yaml": "' + "x" * 20_000 + '"}\n',
    "a long plain scalar": "key: " + "word " * 5_000 + "\n",
    "a long block scalar line": "script: |\n  " + "echo && " * 3_000 + "\n",
}


@pytest.mark.parametrize("text", SHALLOW_LONG_LINES.values(), ids=SHALLOW_LONG_LINES.keys())
def test_a_shallow_text_with_long_lines_is_not_scanned(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(text) > 5_000
    monkeypatch.setattr(yaml, "parse", lambda *args, **kwargs: pytest.fail("scanned"))
    check_yaml_depth(text, location="x.yaml")


# deep enough to be scanned (SCAN_FROM levels: far below libyaml's crash, far above any real document)
DEEP = {
    "indentation": _indented(SCAN_FROM // 4 + 1),
    "inline sequences": _inline(SCAN_FROM),
    "flow brackets after a long line": "a: " + "x" * 20_000 + "\n" + _flow(SCAN_FROM),
    "nested mappings": _mappings(SCAN_FROM // 2 + 1),
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_a_text_nesting_past_the_limit_is_still_refused(text: str) -> None:
    with pytest.raises(UsageError, match=f"nests over {MAX_DEPTH} levels deep"):
        check_yaml_depth(text, location="x.yaml")


@pytest.mark.parametrize("levels", [10, 60, MAX_DEPTH - 2])
@pytest.mark.parametrize("shape", [_indented, _inline, _flow, _mappings])
def test_the_bound_is_never_below_the_depth_libyaml_composes(levels: int, shape: object) -> None:
    text = shape(levels)  # type: ignore[operator]
    depth = deepest = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    assert userfiles._nesting_bound(text + "#" * SCAN_FROM) >= deepest >= levels  # noqa: SLF001
