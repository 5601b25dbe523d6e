"""The one adjustment table: mount paths move under the sandbox wherever the config names them, nothing else;
docs/conformance.md shows the same table."""

from __future__ import annotations

from pathlib import Path

from rosgit.conformance import adjust
from rosgit.conformance.adjust import Relocation
from tests.conftest import REPO_ROOT


def test_a_mount_path_moves_where_it_is_a_whole_path_or_a_prefix() -> None:
    moved = Relocation(Path("/s/kafka"), ("/data", "/var/lib/kafka/data"))
    assert moved.text("/data") == "/s/kafka/data"
    assert moved.text("--dir /data") == "--dir /s/kafka/data"
    assert moved.text("/var/lib/kafka/data/logs") == "/s/kafka/var/lib/kafka/data/logs"
    assert moved.text("/datastore /my/data x/data") == "/datastore /my/data x/data"
    assert moved.text("/opt/kafka/bin/kafka-topics.sh --create") == "kafka-topics.sh --create"
    assert moved.text("PLAINTEXT://kafka:9092") == "PLAINTEXT://kafka:9092"


def test_the_docs_show_the_code_s_table() -> None:
    docs = (REPO_ROOT / "docs/conformance.md").read_text(encoding="utf-8")
    table = [line for line in (adjust.__doc__ or "").splitlines() if line.startswith("|")]
    assert table and all(line in docs for line in table)
