"""`rosgit export-helm`: write the chart directory (all-or-nothing) and optionally a reproducible .tgz."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from rosgit.catalog.model import Catalog
from rosgit.errors import UsageError
from rosgit.fileset.text import is_generated
from rosgit.helm.chart import chart_files, chart_name


def write_chart(catalog: Catalog, out: Path) -> Path:
    """Write the chart to OUT/<name>: staged in a temp dir beside it, then renamed into place."""
    name = chart_name(catalog)
    files = chart_files(catalog)
    target = out / name
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: not a directory")
    _refuse_foreign(target)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=out))
    try:
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        old = None
        if target.exists():
            old = out / f".{name}-old-{os.getpid()}"
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _refuse_foreign(target: Path) -> None:
    """The chart directory is replaced whole, so it must hold nothing but files an export wrote."""
    if not target.exists():
        return
    if not target.is_dir():
        raise UsageError(f"{target}: exists and is not a chart directory")
    for path in sorted(target.rglob("*")):
        if path.is_dir():
            continue
        try:
            ours = is_generated(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, OSError):
            ours = False
        if not ours:
            rel = path.relative_to(target).as_posix()
            raise UsageError(
                f"{target}: {rel} was not written by rosgit; remove it or export to another --out"
            )


def package_bytes(catalog: Catalog) -> bytes:
    """The chart as `helm package` lays it out (<name>/...), with fixed times and owners: reproducible."""
    name = chart_name(catalog)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, text in chart_files(catalog).items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"{name}/{rel}")
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    compressed = io.BytesIO()
    with gzip.GzipFile(fileobj=compressed, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    return compressed.getvalue()


def package_name(catalog: Catalog) -> str:
    return f"{chart_name(catalog)}-{catalog.chart.version}.tgz"


def write_package(catalog: Catalog, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    target = out / package_name(catalog)
    fd, temp = tempfile.mkstemp(prefix=".rosgit-", dir=out)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(package_bytes(catalog))
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
