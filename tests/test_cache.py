"""The result caches (rosgit.cache): every kind of input change invalidates them, and a cached result is
the result an uncached run computes."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from rosgit import build, cache
from rosgit.check import pipeline
from rosgit.tools import find_tool
from tests.conftest import REPO_ROOT, run_rosgit


def _aged(path: Path) -> None:
    """Files written by a test are seconds old at most: the caches do not store what was read that close to
    a write (cache.RACY_NS), so the test dates them back."""
    past = time.time() - 60
    os.utime(path, (past, past), follow_symlinks=False)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _aged(path)


@pytest.fixture
def caching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The caches on, in a directory of this test's own; tools.txt a copy the test may edit."""
    monkeypatch.delenv("ROSGIT_NO_CACHE", raising=False)
    monkeypatch.setenv("ROSGIT_CACHE_DIR", str(tmp_path / "cache"))
    pins = tmp_path / "tools.txt"
    shutil.copy(cache.PINS, pins)
    monkeypatch.setattr(cache, "PINS", pins)
    cache.source_digest.cache_clear()
    yield pins
    cache.source_digest.cache_clear()


def _engine_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, a build that reaches the engine fails: what comes back came from the cache."""
    import rosgit.kustomize

    def refuse(path: Path) -> object:
        raise AssertionError(f"the engine ran for {path}")

    monkeypatch.setattr(rosgit.kustomize, "build_text_and_reads", refuse)


def _kustomization_tree(root: Path) -> Path:
    _write(root / "base" / "kustomization.yaml", "resources:\n- cm.yaml\n")
    _write(root / "base" / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: one\n")
    _write(
        root / "overlay" / "kustomization.yaml",
        "resources:\n- ../base\npatches:\n- path: patch.yaml\n",
    )
    _write(
        root / "overlay" / "patch.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  p: patched\n",
    )
    for directory in (root / "base", root / "overlay"):
        _aged(directory)
    return root / "overlay"


def _uncached(overlay: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as m:
        m.setenv("ROSGIT_NO_CACHE", "1")
        return build.builtin_build(overlay)


def test_a_build_is_answered_from_the_cache_only_while_nothing_it_read_changed(
    tmp_path: Path, caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = _kustomization_tree(tmp_path / "tree")
    first = build.builtin_build(overlay)
    assert "p: patched" in first and "k: one" in first
    with monkeypatch.context() as m:
        _engine_untouched(m)
        assert build.builtin_build(overlay) == first  # a hit: the engine did not run

    changes = {
        "a base file": (tmp_path / "tree/base/cm.yaml", "k: one", "k: two"),
        "a hand-written patch": (tmp_path / "tree/overlay/patch.yaml", "p: patched", "p: repatched"),
        "a kustomization": (tmp_path / "tree/overlay/kustomization.yaml", "- ../base\n", "- ../base\nnamePrefix: x-\n"),
    }
    previous = first
    for what, (path, old, new) in changes.items():
        _write(path, path.read_text(encoding="utf-8").replace(old, new))
        rebuilt = build.builtin_build(overlay)
        assert rebuilt != previous, what
        assert rebuilt == _uncached(overlay, monkeypatch), what
        previous = rebuilt

    # rosgit itself (its pins, its code) is an input too: a different rosgit recomputes
    _write(caching, caching.read_text(encoding="utf-8") + "# another pin list\n")
    cache.source_digest.cache_clear()
    with monkeypatch.context() as m:
        _engine_untouched(m)
        with pytest.raises(AssertionError, match="the engine ran"):
            build.builtin_build(overlay)


def test_a_build_read_while_its_files_were_being_written_is_not_stored(
    tmp_path: Path, caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = _kustomization_tree(tmp_path / "tree")
    (tmp_path / "tree/base/cm.yaml").touch()  # modified just now: within the racy window
    build.builtin_build(overlay)
    with monkeypatch.context() as m:
        _engine_untouched(m)
        with pytest.raises(AssertionError, match="the engine ran"):
            build.builtin_build(overlay)


def test_the_catalog_is_parsed_again_when_its_bytes_change(tmp_path: Path, caching: Path) -> None:
    from rosgit.catalog import load_catalog

    catalog = tmp_path / "rosgit.yaml"
    _write(catalog, (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8"))
    first = load_catalog(catalog)
    assert first == load_catalog(catalog)  # the second from the cache
    released = f"version: {first.chart.version}\n"
    _write(catalog, catalog.read_text(encoding="utf-8").replace(released, "version: 99.0.1\n", 1))
    assert load_catalog(catalog).chart.version == "99.0.1"


def test_a_catalog_written_just_now_is_remembered_by_the_bytes_it_was_parsed_from(
    tmp_path: Path, caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog's parse reads the very bytes its stamp names, so it is kept however fresh the file is (a
    user edits, then runs `rosgit generate` at once); bytes written while it parsed are never answered with it."""
    from rosgit.catalog import loader

    catalog = tmp_path / "rosgit.yaml"
    text = (REPO_ROOT / "rosgit.yaml").read_text(encoding="utf-8")
    catalog.write_text(text, encoding="utf-8")  # not aged: within RACY_NS
    first = loader.load_catalog(catalog)
    with monkeypatch.context() as m:
        m.setattr(loader, "_load_catalog", lambda *args: pytest.fail("parsed again"))
        assert loader.load_catalog(catalog) == first

    released = f"version: {first.chart.version}\n"
    edited = text.replace(released, "version: 99.0.2\n", 1)
    real = loader._load_catalog  # noqa: SLF001 (the parse itself is wrapped)

    def parse_then_edit(path: Path, data: bytes) -> object:
        parsed = real(path, data)
        path.write_text(edited, encoding="utf-8")  # the file changes while its old bytes are parsed
        return parsed

    catalog.write_text(text.replace(released, "version: 99.0.1\n", 1), encoding="utf-8")
    with monkeypatch.context() as m:
        m.setattr(loader, "_load_catalog", parse_then_edit)
        assert loader.load_catalog(catalog).chart.version == "99.0.1"
    assert loader.load_catalog(catalog).chart.version == "99.0.2"


def test_the_drift_check_after_generate_renders_nothing_until_the_catalog_changes(
    tmp_path: Path, caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rosgit generate` keeps the tree it rendered by the catalog's bytes: the pre-commit hook's drift check
    that follows compares it with the files and renders nothing; another catalog renders again, and the
    drift it reports is the uncached one."""
    import rosgit.repo.tree
    from rosgit.catalog import load_catalog
    from rosgit.check.stages import drift_findings
    from rosgit.repo.command import run_generate

    root = _tree_copy(tmp_path)
    catalog = root / "rosgit.yaml"
    text = catalog.read_text(encoding="utf-8")
    edited = text.replace("value: ros-processor}", "value: ros-processor-b1}", 1)
    assert edited != text
    catalog.write_text(edited, encoding="utf-8")  # edited just now, as a user does before generating
    assert run_generate(catalog, check=False) == 0
    rendered: list[str] = []
    real = rosgit.repo.tree.render_tree
    monkeypatch.setattr(rosgit.repo.tree, "render_tree", lambda c: rendered.append("tree") or real(c))
    assert drift_findings(root, load_catalog(catalog), "rosgit.yaml") == []
    assert rendered == []

    catalog.write_text(text, encoding="utf-8")
    cached = drift_findings(root, load_catalog(catalog), "rosgit.yaml")
    assert rendered == ["tree"]
    assert {f.object for f in cached} >= {"base/rosocp-processor/deployment.yaml"}
    monkeypatch.setenv("ROSGIT_NO_CACHE", "1")
    assert drift_findings(root, load_catalog(catalog), "rosgit.yaml") == cached


def _tree_copy(tmp_path: Path) -> Path:
    files = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    copy = tmp_path / "repo"
    for name in files:
        if (REPO_ROOT / name).is_file() and not name.startswith(("tests/", "docs/")):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, copy / name)
    return copy


def test_the_check_report_is_keyed_on_every_kind_of_input(
    tmp_path: Path, caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree_copy(tmp_path)
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("kustomize", "kubeconform", "helm", "helm3", "kubeseal"):
        real = find_tool(name)
        if real is not None:
            (tools / name).symlink_to(real)
    monkeypatch.setenv("ROSGIT_TOOLS_BIN", str(tools))
    keys = [pipeline.report_inputs(root)]
    assert pipeline.report_inputs(root) == keys[0]  # deterministic

    def changed(what: str) -> None:
        key = pipeline.report_inputs(root)
        assert key not in keys, f"{what} does not change the check's cache key"
        keys.append(key)

    catalog = root / "rosgit.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("namespace: ros-ocp}", "namespace: ros-o}"))
    changed("the catalog")
    base_file = sorted((root / "base").rglob("*.yaml"))[0]
    base_file.write_text(base_file.read_text(encoding="utf-8") + "# edited\n")
    changed("a base file")
    (root / "overlays" / "dev" / "site-patch.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    changed("a hand-written patch")
    contracts = tmp_path / "contracts"
    shutil.copytree(REPO_ROOT / "rosgit" / "contracts" / "data", contracts)
    monkeypatch.setenv("ROSGIT_CONTRACTS_DIR", str(contracts))
    changed("contracts from ROSGIT_CONTRACTS_DIR")
    first = sorted(contracts.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "# edited\n")
    changed("a contract in ROSGIT_CONTRACTS_DIR")
    caching.write_text(caching.read_text(encoding="utf-8").replace("v5.8.1", "v5.8.2"))
    cache.source_digest.cache_clear()
    changed("a pinned version in tools.txt")
    kustomize = tools / "kustomize"
    kustomize.unlink(missing_ok=True)  # the link to the real one: never write through it
    kustomize.write_bytes(b"#!/bin/sh\necho another kustomize\n")
    kustomize.chmod(0o755)
    changed("the installed kustomize binary")
    assert not kustomize.is_symlink()
    kustomize.write_bytes(b"#!/bin/sh\necho yet another kustomize build\n")
    changed("the kustomize binary replaced in place")


def test_a_cached_check_reports_what_an_uncached_one_computes(
    tmp_path: Path, caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree_copy(tmp_path)
    catalog = root / "rosgit.yaml"
    skip = {"kustomize", "validate", "lint", "argocd", "secrets", "helm"}

    def run() -> pipeline.CheckReport:
        return pipeline.run_pipeline(catalog, overlays=["minimal"], skip=skip)

    def uncached() -> pipeline.CheckReport:
        with monkeypatch.context() as m:
            m.setenv("ROSGIT_NO_CACHE", "1")
            return run()

    def same(a: pipeline.CheckReport, b: pipeline.CheckReport) -> bool:
        """Equal but for the time each stage took."""
        untimed = [[replace(r, seconds=0.0) for r in report.results] for report in (a, b)]
        return a.overlays == b.overlays and untimed[0] == untimed[1]

    clean = run()
    assert clean.ok and same(clean, run()) and same(clean, uncached())
    hits: list[int] = []
    real_run = pipeline.compute_report
    monkeypatch.setattr(pipeline, "compute_report", lambda *a, **k: hits.append(1) or real_run(*a, **k))
    run()
    assert not hits  # answered from the cache

    for generated in sorted((root / "base").rglob("deployment.yaml"))[:1]:
        generated.write_text(generated.read_text(encoding="utf-8").replace("replicas: 1", "replicas: 7", 1))
    drifted = run()
    assert hits and not drifted.ok  # recomputed: the base file no longer matches the catalog
    assert same(drifted, uncached())


def test_rosgit_check_prints_the_same_cached_and_uncached(tmp_path: Path) -> None:
    """The whole command, as a user runs it: an uncached run, the run that fills the cache, the cached one."""
    env = {"ROSGIT_CACHE_DIR": str(tmp_path / "cache")}
    args = ("check", "--overlay", "minimal", "--skip", "helm,argocd,secrets")
    runs = [
        run_rosgit(*args, env={**env, "ROSGIT_NO_CACHE": "1"}),
        run_rosgit(*args, env={**env, "ROSGIT_NO_CACHE": ""}),
        run_rosgit(*args, env={**env, "ROSGIT_NO_CACHE": ""}),
    ]
    assert (tmp_path / "cache" / "results" / "check").is_dir()

    def without_timing(text: str) -> str:
        return "\n".join(line.rsplit(" in ", 1)[0] for line in text.splitlines())

    assert {run.returncode for run in runs} == {0}
    assert len({without_timing(run.stdout) for run in runs}) == 1


def test_a_build_taking_a_value_from_the_environment_is_never_cached(
    tmp_path: Path, caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generator's bare key reads the environment: an input no file holds, perhaps a secret."""
    overlay = tmp_path / "tree"
    _write(
        overlay / "kustomization.yaml",
        "configMapGenerator:\n- name: from-env\n  envs: [vars.env]\ngeneratorOptions:\n  disableNameSuffixHash: true\n",
    )
    _write(overlay / "vars.env", "ROSGIT_TEST_VALUE\n")
    _aged(overlay)
    monkeypatch.setenv("ROSGIT_TEST_VALUE", "first")
    assert "ROSGIT_TEST_VALUE: first" in build.builtin_build(overlay)
    monkeypatch.setenv("ROSGIT_TEST_VALUE", "second")
    assert "ROSGIT_TEST_VALUE: second" in build.builtin_build(overlay)
    assert not (tmp_path / "cache" / "results" / "build").exists()


def test_derived_data_is_named_by_the_bytes_it_comes_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The derived-data cache stays on under ROSGIT_NO_CACHE (the suite's setting): it must never answer for
    other bytes, and a damaged entry is computed again."""
    monkeypatch.setenv("ROSGIT_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[bytes] = []

    def parse(data: bytes) -> list[str]:
        calls.append(data)
        return data.decode().split()

    assert cache.derived("words", [b"a b"], lambda: parse(b"a b")) == ["a", "b"]
    assert cache.derived("words", [b"a b"], lambda: parse(b"a b")) == ["a", "b"]
    assert calls == [b"a b"]
    assert cache.derived("words", [b"a c"], lambda: parse(b"a c")) == ["a", "c"]
    assert calls == [b"a b", b"a c"]
    for entry in (tmp_path / "cache" / "derived" / "words").iterdir():
        entry.write_bytes(b"not a pickle")
    assert cache.derived("words", [b"a b"], lambda: parse(b"a b")) == ["a", "b"]
    assert calls == [b"a b", b"a c", b"a b"]


def test_vendored_crd_schemas_from_the_cache_equal_a_fresh_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rosgit.k8s import openapi

    monkeypatch.setenv("ROSGIT_CACHE_DIR", str(tmp_path / "cache"))
    for path in openapi.vendored_crd_files():
        fresh = openapi.crd_schemas_of(path.read_text(encoding="utf-8"))
        openapi.file_schemas.cache_clear()
        assert openapi.file_schemas(path) == fresh  # computed and stored
        openapi.file_schemas.cache_clear()
        monkeypatch.setattr(openapi, "crd_schemas_of", lambda text: pytest.fail("parsed again"))
        assert openapi.file_schemas(path) == fresh  # from the stored entry
        monkeypatch.undo()
        monkeypatch.setenv("ROSGIT_CACHE_DIR", str(tmp_path / "cache"))
    openapi.file_schemas.cache_clear()


def _record(
    monkeypatch: pytest.MonkeyPatch, log: Path, owner: object, name: str, what: Callable[..., str]
) -> None:
    """Log `what(*args)` of every call of owner.NAME to a file, so calls in forked children are counted too."""
    original = getattr(owner, name)

    def logged(*args: object, **kwargs: object) -> object:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{name} {what(*args)}\n")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, logged)


def _untimed(report: pipeline.CheckReport) -> list[object]:
    return [replace(r, seconds=0.0) for r in report.results]


@pytest.mark.tools
def test_a_change_recomputes_only_the_stages_and_overlays_it_reaches(
    tmp_path: Path, caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per overlay, each stage's result is remembered by its own inputs (rosgit.check.memo, the Helm renders):
    an edit of one overlay reruns that overlay's comparisons, validation and lint, and no Helm render; an edit
    of the catalog's bytes alone re-renders the tree and relints; one of what the Helm comparison reads of it
    compares again where it reaches; a new pin reruns every tool. Each time the report is the one an
    uncached run computes."""
    import rosgit.repo.tree
    from rosgit.check import stages
    from rosgit.helm import equivalence
    from tests.conftest import require_real_tool

    for tool in ("kustomize", "kubeconform", "helm"):
        require_real_tool(tool)
    root = _tree_copy(tmp_path)
    catalog = root / "rosgit.yaml"
    names = [o.name for o in pipeline.load_catalog(catalog).overlays]
    log = tmp_path / "calls.log"

    def check(*, compare: bool = False) -> list[str]:
        """What this check recomputed; `compare`: its report is asserted equal to an uncached run's."""
        log.unlink(missing_ok=True)
        report = pipeline.compute_report(catalog, overlays=[], skip=set())
        recomputed = sorted(log.read_text(encoding="utf-8").splitlines()) if log.exists() else []
        if compare:
            with monkeypatch.context() as m:
                m.setenv("ROSGIT_NO_CACHE", "1")
                assert _untimed(report) == _untimed(pipeline.compute_report(catalog, overlays=[], skip=set()))
        return recomputed

    check()  # remembers every stage of every overlay
    _record(monkeypatch, log, stages, "lint_findings", lambda objects, context: context.source)
    _record(monkeypatch, log, stages, "validate_batch", lambda objects, *rest: ",".join(sorted(objects)))
    _record(monkeypatch, log, pipeline, "start_kustomize", lambda path: path.name)
    _record(monkeypatch, log, rosgit.repo.tree, "render_tree", lambda catalog: "tree")
    _record(monkeypatch, log, equivalence, "_render", lambda chart, catalog, overlay, helm: overlay.name)
    _record(monkeypatch, log, equivalence, "check_overlay", lambda root, catalog, overlay, *rest: overlay.name)
    assert check() == []  # nothing changed: nothing recomputed, the same report

    kustomization = root / "overlays" / "minimal" / "kustomization.yaml"
    _write(
        kustomization,
        kustomization.read_text(encoding="utf-8").replace("namespace: ros-ocp\n", "namespace: x\n"),
    )
    assert check(compare=True) == [
        "check_overlay minimal",
        "lint_findings overlays/minimal",
        "start_kustomize minimal",
        "validate_batch overlays/minimal",
    ]

    relint = [f"lint_findings overlays/{name}" for name in names]
    _write(catalog, catalog.read_text(encoding="utf-8") + "# edited\n")
    assert check(compare=True) == sorted(["render_tree tree", *relint])

    # what the Helm comparison reads of the catalog (helm.equivalence.ComparisonInputs): an overlay's
    # namespace (no generate run: only the chart's side changes) and a Secret's declared keys (every stub)
    text = catalog.read_text(encoding="utf-8")
    _write(catalog, text.replace("name: dev, profile: dev, platform: kubernetes, namespace: ros-ocp-dev}",
                                 "name: dev, profile: dev, platform: kubernetes, namespace: ros-ocp-d2}"))
    assert check(compare=True) == sorted(["render_tree tree", "check_overlay dev", "_render dev", *relint])
    text = catalog.read_text(encoding="utf-8")
    key = "      ros-password: {generate: password, length: 32}\n"
    _write(catalog, text.replace(key, key + "      other: {generate: password}\n"))
    recompared = [line for line in check(compare=True) if line.startswith("check_overlay")]
    assert recompared == [f"check_overlay {name}" for name in sorted(names)]

    caching.write_text(caching.read_text(encoding="utf-8").replace("v5.8.1", "v5.8.2"))
    cache.source_digest.cache_clear()
    recomputed = check()
    assert [line for line in recomputed if line.startswith("start_kustomize")] == sorted(
        f"start_kustomize {name}" for name in names
    )
    assert len([line for line in recomputed if line.startswith("_render")]) == len(names)


def test_stage_results_are_not_kept_when_an_input_was_written_during_the_run(
    tmp_path: Path, caching: Path
) -> None:
    from rosgit.check.memo import StageMemos

    tree = tmp_path / "tree"
    _write(tree / "a.yaml", "a: 1\n")
    overlay = tree / "overlay"
    memos = StageMemos([tree])
    memos.keep("lint", overlay, ("stamp",), ["finding"])
    (tree / "a.yaml").write_text("a: 2\n", encoding="utf-8")  # written now: within RACY_NS of the start
    assert memos.commit() == 0 and memos.recall("lint", overlay, ("stamp",)) is None
    _aged(tree / "a.yaml")
    memos = StageMemos([tree])
    memos.keep("lint", overlay, ("stamp",), ["finding"])
    assert memos.commit() == 1
    assert memos.recall("lint", overlay, ("stamp",)) == ["finding"]
    assert memos.recall("lint", overlay, ("another stamp",)) is None


def test_a_build_text_is_parsed_again_only_when_it_changes(
    tmp_path: Path, caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = tmp_path / "overlay"
    built = build.builtin_build(REPO_ROOT / "overlays" / "minimal")
    fresh = build.load_objects(built)
    assert build.parsed_build(overlay, built) == fresh  # parsed, and kept
    with monkeypatch.context() as m:
        m.setattr(build, "load_objects", lambda text: pytest.fail("parsed again"))
        assert build.parsed_build(overlay, built) == fresh
    edited = built.replace("namespace: ros-ocp\n", "namespace: other\n", 1)
    assert edited != built
    assert build.parsed_build(overlay, edited) == build.load_objects(edited) != fresh


def test_a_changed_build_text_parses_only_its_changed_documents_with_the_same_rosgit(
    tmp_path: Path, caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rosgit.k8s import objects

    overlay = tmp_path / "overlay"
    built = build.builtin_build(REPO_ROOT / "overlays" / "minimal")
    build.parsed_build(overlay, built)
    edited = built.replace("app.kubernetes.io/part-of:", "app.kubernetes.io/part-of-x:", 1)
    again = edited.replace("app.kubernetes.io/part-of:", "app.kubernetes.io/part-of-y:", 1)
    expected = {text: build.load_objects(text) for text in (edited, again)}
    parsed: list[str] = []
    real = objects.load_objects
    monkeypatch.setattr(objects, "load_objects", lambda text, **kw: parsed.append(text) or real(text, **kw))

    assert build.parsed_build(overlay, edited) == expected[edited]
    assert len(parsed) == 1 and "part-of-x" in parsed[0]
    parsed.clear()
    with monkeypatch.context() as m:
        m.setattr(cache, "source_digest", lambda: "another rosgit")
        assert build.parsed_build(overlay, again) == expected[again]
    assert len(parsed) == len(objects.document_texts(again))  # nothing of another rosgit's reused


def test_a_keyed_value_is_reused_only_for_the_same_stamp_and_kept_only_when_asked(
    caching: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cache.keyed, which the parse of a build, the Helm renders and comparisons and file_memo share."""
    calls: list[str] = []

    def compute(value: object) -> Callable[[], object]:
        return lambda: calls.append(repr(value)) or value

    assert cache.keyed("k", ("a",), ("s1",), compute(1)) == 1
    assert cache.keyed("k", ("a",), ("s1",), compute(2)) == 1  # the same stamp: remembered
    assert cache.keyed("k", ("b",), ("s1",), compute(3)) == 3  # another identity
    assert cache.keyed("k", ("a",), ("s2",), compute(4)) == 4  # another stamp: computed, and replaces it
    assert cache.keyed("k", ("a",), ("s1",), compute(5)) == 5
    assert cache.keyed("k", ("a",), ("s1",), compute("six"), accept=lambda v: isinstance(v, str)) == "six"
    assert cache.keyed("k", ("a",), ("s3",), compute(7), keep=lambda: False) == 7  # not stored: "six" stays
    assert cache.keyed("k", ("a",), ("s1",), compute(8)) == "six"
    monkeypatch.setenv("ROSGIT_NO_CACHE", "1")
    assert cache.keyed("k", ("a",), ("s1",), compute(9)) == 9
    assert calls == ["1", "3", "4", "5", "'six'", "7", "9"]


def _dated(path: Path, days: float) -> None:
    past = time.time() - days * 86400
    os.utime(path, (past, past))


def test_entries_no_run_used_for_a_month_are_deleted_once_a_day(
    caching: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache entry is a file per identity, and most identities name rosgit's source: without pruning, every
    rosgit ever installed would leave its entries behind. One unused for cache.UNUSED_DAYS goes; one read
    within them stays, since a read marks it used."""
    monkeypatch.setattr(cache, "_PRUNED", set())
    root = tmp_path / "cache"
    cache.store("old", ("unused",), ("s", 1))
    cache.store("old", ("read",), ("s", 2))
    derived = cache.derived("words", [b"a b"], lambda: ["a", "b"])
    entries = {path.parent.name + "/" + path.name: path for path in root.glob("*/*/*")}
    assert len(entries) == 3 and derived == ["a", "b"]
    for path in entries.values():
        _dated(path, cache.UNUSED_DAYS + 1)
    assert cache.load("old", ("read",)) == ("s", 2)  # read: used now
    _dated(root / ".pruned", 2)

    monkeypatch.setattr(cache, "_PRUNED", set())  # a new run
    cache.store("new", ("x",), ("s", 3))
    left = sorted(path.parent.name for path in root.glob("*/*/*"))
    assert left == ["new", "old"]
    assert cache.load("old", ("read",)) == ("s", 2)
    assert cache.load("old", ("unused",)) is None

    # the marker is fresh now: a run later today does not look
    cache.store("another", ("y",), ("s", 4))
    for path in root.glob("*/*/*"):
        _dated(path, cache.UNUSED_DAYS + 1)
    monkeypatch.setattr(cache, "_PRUNED", set())
    cache.store("new", ("z",), ("s", 5))
    assert len(list(root.glob("*/*/*"))) == 4
