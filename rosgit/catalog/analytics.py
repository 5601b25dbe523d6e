"""Checks of the analytics modes (docs/analytics.md): what `analytics: trino` needs before anything is generated.

Each is a user error Trino or Koku would only report at run time, in a pod log: a missing bucket, a JVM heap that
cannot hold the query memory Trino is told it may use, a catalog file Koku's SQL never names.
"""

from __future__ import annotations

import re

from rosgit.catalog.model import Catalog, Component
from rosgit.catalog.profiles import ResolvedProfile, resolve_profile
from rosgit.catalog.schema import Reader
from rosgit.quantity import parse_quantity

# `${var}` in config files, as the generator substitutes them (rosgit.generate.workloads.render_config_file)
_VAR = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")
# Koku's SQL names exactly these catalogs: 238 `hive.` and 116 `postgres.` references, no other
# (project-koku/koku@d8055ac2 koku/masu/database/trino_sql/**; runtime-facts.md 1.11)
KOKU_TRINO_CATALOGS = ("hive", "postgres")
TRINO_IMAGE = "trino"
# Trino reserves this share of the heap for what queries do not account for when memory.heap-headroom-per-node
# is unset, and refuses to start when query.max-memory-per-node plus that headroom exceed the heap
# (trinodb/trino core/trino-main/src/main/java/io/trino/memory/NodeMemoryConfig.java, LocalMemoryManager.java)
DEFAULT_HEADROOM_SHARE = 0.3
_JVM_SIZE = re.compile(r"^([0-9]+)([kKmMgGtT]?)$")
_DATA_SIZE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(B|kB|MB|GB|TB|PB)$")
_JVM_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
# Trino's DataSize units are binary (io.airlift.units.DataSize.Unit: kB = 1024 bytes)
_DATA_UNITS = {"B": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4, "PB": 1024**5}
_CATALOG_FILE = re.compile(r"^catalog/([^/]+)\.properties$")


def check_analytics(catalog: Catalog, reader: Reader) -> None:
    """Raises UsageError(FILE:LINE) for the first analytics setting Trino or Koku would refuse."""
    trino_profiles = []
    for name in catalog.profiles:
        profile = resolve_profile(catalog, name, reader)
        if profile.analytics == "trino":
            trino_profiles.append(profile)
    if not trino_profiles:
        return
    first = trino_profiles[0]
    profile_line = reader.line_at(f"catalog.profiles.{first.name}.analytics") or reader.line_of(
        catalog.profiles[first.name]
    )
    if not catalog.trino.bucket:
        raise reader.fail(
            profile_line,
            f"profile {first.name!r}: analytics trino needs trino.bucket, the bucket Koku writes its Parquet files to "
            "and the Hive metastore's warehouse",
        )
    _check_bucket_env(catalog, reader)
    _check_warehouse(catalog, reader)
    for component in catalog.components:
        if component.image != TRINO_IMAGE or component.config is None or "trino" not in component.analytics:
            continue
        _check_catalog_files(component, reader)
        for profile in trino_profiles:
            _check_memory(catalog, component, profile, reader)


def _check_bucket_env(catalog: Catalog, reader: Reader) -> None:
    """Koku's REQUESTED_BUCKET is where its Parquet files go; the metastore's warehouse must be the same bucket."""
    for component in catalog.components:
        for var in component.env:
            if var.name == "REQUESTED_BUCKET" and var.value is not None and var.value != catalog.trino.bucket:
                raise reader.fail(
                    reader.line_of(var) or reader.line_of(component),
                    f"component {component.name!r}: env REQUESTED_BUCKET {var.value!r} is not trino.bucket "
                    f"{catalog.trino.bucket!r}: Koku's Parquet files and the metastore's warehouse must share a bucket",
                )


_WAREHOUSE = re.compile(r"<name>metastore\.warehouse\.dir</name>\s*<value>([^<]*)</value>")


def _check_warehouse(catalog: Catalog, reader: Reader) -> None:
    """The metastore's warehouse is where Koku's managed tables and CREATE SCHEMA locations go: Koku's bucket."""
    wanted = f"s3a://{catalog.trino.bucket}/{catalog.trino.warehouse_path.strip('/')}/"
    for component in catalog.components:
        if component.config is None or "trino" not in component.analytics:
            continue
        for path, text in component.config.files.items():
            for found in _WAREHOUSE.findall(text):
                if found.strip() != wanted:
                    raise reader.fail(
                        reader.line_of(component.config) or reader.line_of(component),
                        f"component {component.name!r}: config file {path!r}: metastore.warehouse.dir "
                        f"{found.strip()!r} is not {wanted!r} (trino.bucket, trino.warehousePath)",
                    )


def _check_catalog_files(component: Component, reader: Reader) -> None:
    assert component.config is not None
    names = set()
    for path in component.config.files:
        match = _CATALOG_FILE.match(path)
        if match is None:
            continue
        names.add(match.group(1))
        if match.group(1) not in KOKU_TRINO_CATALOGS:
            raise reader.fail(
                reader.line_of(component.config) or reader.line_of(component),
                f"component {component.name!r}: config file {path!r}: Koku's SQL uses only the Trino catalogs "
                f"{', '.join(KOKU_TRINO_CATALOGS)}, not {match.group(1)!r}",
            )
    missing = [name for name in KOKU_TRINO_CATALOGS if name not in names]
    if missing:
        raise reader.fail(
            reader.line_of(component.config) or reader.line_of(component),
            f"component {component.name!r}: no config file catalog/{missing[0]}.properties: Koku's SQL reads and "
            f"writes through the Trino catalog {missing[0]!r}",
        )


def _properties(text: str) -> dict[str, str]:
    pairs = {}
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", "!")) and "=" in line:
            key, value = line.split("=", 1)
            pairs[key.strip()] = value.strip()
    return pairs


def _substituted(text: str, profile: ResolvedProfile) -> str:
    return _VAR.sub(lambda m: profile.vars.get(m.group(1), m.group(0)), text)


def _jvm_bytes(text: str) -> int | None:
    match = _JVM_SIZE.match(text)
    return int(match.group(1)) * _JVM_UNITS[match.group(2).lower()] if match else None


def _data_bytes(text: str) -> int | None:
    match = _DATA_SIZE.match(text)
    return int(float(match.group(1)) * _DATA_UNITS[match.group(2)]) if match else None


def _check_memory(catalog: Catalog, component: Component, profile: ResolvedProfile, reader: Reader) -> None:
    """query.max-memory-per-node + heap headroom <= -Xmx <= the container's memory limit."""
    assert component.config is not None
    jvm = _substituted(component.config.files.get("jvm.config", ""), profile)
    heaps = [line.strip()[4:] for line in jvm.splitlines() if line.strip().startswith("-Xmx")]
    config = _properties(_substituted(component.config.files.get("config.properties", ""), profile))
    where = f"profile {profile.name!r}: component {component.name!r}"
    line = reader.line_at(f"catalog.profiles.{profile.name}.vars") or reader.line_of(catalog.profiles[profile.name])
    if not heaps:
        return
    heap = _jvm_bytes(heaps[-1])
    if heap is None:
        raise reader.fail(line, f"{where}: jvm.config -Xmx{heaps[-1]} is not a JVM size (such as 4G or 512m)")
    size = profile.sizes.get(component.size)
    if size is not None and heap > parse_quantity(size.limits.memory):
        raise reader.fail(
            line,
            f"{where}: jvm.config -Xmx{heaps[-1]} is above the container's memory limit {size.limits.memory} "
            f"(sizes.{component.size}): the kernel kills the JVM before it reaches its heap",
        )
    per_node_text = config.get("query.max-memory-per-node")
    if per_node_text is None:
        return
    per_node = _data_bytes(per_node_text)
    if per_node is None:
        raise reader.fail(line, f"{where}: query.max-memory-per-node {per_node_text!r} is not a Trino data size")
    headroom_text = config.get("memory.heap-headroom-per-node")
    headroom = _data_bytes(headroom_text) if headroom_text else int(heap * DEFAULT_HEADROOM_SHARE)
    if headroom is None:
        raise reader.fail(line, f"{where}: memory.heap-headroom-per-node {headroom_text!r} is not a Trino data size")
    if per_node + headroom > heap:
        raise reader.fail(
            line,
            f"{where}: query.max-memory-per-node {per_node_text} plus the heap headroom "
            f"{headroom_text or f'{headroom} bytes (30% of the heap)'} is above jvm.config -Xmx{heaps[-1]}: "
            "Trino refuses to start",
        )
