"""The vendored CRDs are byte-exact upstream copies, as SOURCES.md records them."""

from __future__ import annotations

import hashlib

from rosgit.k8s.openapi import VENDORED_CRD_DIR, vendored_crd_files


def _git_blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_sources_md_lists_every_file_with_its_hashes() -> None:
    rows = {}
    for line in (VENDORED_CRD_DIR / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 7 and cells[0].endswith(".yaml"):
            rows[cells[0]] = cells
    files = vendored_crd_files()
    assert sorted(rows) == [path.name for path in files]
    for path in files:
        data = path.read_bytes()
        _name, repo, upstream_path, ref, commit, blob, sha256 = rows[path.name]
        assert repo.startswith("https://github.com/") and upstream_path and ref
        assert len(commit) == 40
        assert blob == _git_blob(data), path.name
        assert sha256 == hashlib.sha256(data).hexdigest(), path.name
