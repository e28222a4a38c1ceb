"""The file of an export: the writers' output, a CSV export zipped with its dictionary and a
README, and a cap on the numerical libraries' threads while the worker builds it."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from tandem.research.dataset.spec import Dataset
from tandem.research.dataset.writers import ExportFormat, write_dataset

EXTENSIONS = {"csv": "zip", "sav": "sav", "parquet": "parquet"}
BLAS_THREADS = 1
_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


@dataclass(frozen=True)
class BuiltFile:
    """What is stored: the file's bytes, and the data file's hash and rows (for a zip, the hash
    of ``data.csv`` inside it, which is the data set's own hash)."""

    content: bytes
    sha256: str
    row_count: int


@contextmanager
def limit_blas_threads(limit: int = BLAS_THREADS) -> Iterator[None]:
    """Keep BLAS and OpenMP pools to ``limit`` threads: a worker shares its cores with the web
    processes, and one export must not take them all.

    threadpoolctl (when installed) resizes pools already loaded; otherwise the environment
    variables cap the pools that start inside the block (those already running keep theirs).
    """
    try:
        from threadpoolctl import (  # type: ignore[import-untyped]  # no stubs published
            threadpool_limits,
        )
    except ImportError:
        saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
        os.environ.update(dict.fromkeys(_THREAD_VARIABLES, str(limit)))
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        return
    with threadpool_limits(limits=limit):
        yield


def _readme(
    *, study_title: str, built_at: datetime, rows: int, sha256: str, data_version: int
) -> bytes:
    lines = [
        f"Study: {study_title}",
        f"Built: {built_at.isoformat(timespec='seconds')}",
        f"Rows: {rows}",
        f"SHA-256 of data.csv: {sha256}",
        f"Data version: {data_version}",
        "",
        "data.csv: one row per enrolled person and wave, de-identified.",
        "dictionary.csv: each column's name, label, kind and value labels.",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def export_bytes(
    dataset: Dataset,
    export_format: str,
    *,
    study_title: str,
    study_slug: str,
    data_version: int,
    built_at: datetime,
) -> BuiltFile:
    """The stored file of ``dataset`` in ``export_format`` ("csv" gives a zip)."""
    if export_format not in EXTENSIONS:
        raise ValueError(f"export_format must be csv, sav or parquet, got {export_format!r}")
    fmt: ExportFormat = export_format  # type: ignore[assignment]  # checked just above
    rows = len(dataset.frame)
    files = write_dataset(dataset, fmt, stem=study_slug)
    if export_format != "csv":
        return BuiltFile(files[0].content, files[0].sha256, rows)
    data, dictionary = files
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry("data.csv", built_at), data.content)
        archive.writestr(_entry("dictionary.csv", built_at), dictionary.content)
        archive.writestr(
            _entry("README.txt", built_at),
            _readme(
                study_title=study_title,
                built_at=built_at,
                rows=rows,
                sha256=data.sha256,
                data_version=data_version,
            ),
        )
    return BuiltFile(buffer.getvalue(), data.sha256, rows)


def _entry(name: str, built_at: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=built_at.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
