"""Publishing: readers see the last complete build, never one in progress.

Ingest and dbt write the build file (`andon.duckdb`). After a build passes, a checkpointed
copy goes to `published/andon-<build id>.duckdb` and the `published/CURRENT` pointer is
replaced atomically. The app and reports open that copy read-only, so a running or failed
build never disturbs them, and DuckDB's one-writer rule is never in the way.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

KEEP_VERSIONS = 2


def published_dir(build_file: Path) -> Path:
    """The folder of published versions, beside the build file."""
    return build_file.parent / "published"


def current_published(build_file: Path) -> Path | None:
    """The published version readers should open, or None before the first build."""
    pointer = published_dir(build_file) / "CURRENT"
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    target = published_dir(build_file) / name
    return target if name and target.exists() else None


def published_name(build_id: str) -> str:
    """File name of a build's published copy; ids sort by time, so names do too."""
    return f"andon-{build_id}.duckdb"


def publish(
    build_file: Path, build_id: str, *, prepare: Callable[[Path], None] | None = None
) -> Path:
    """Copy the finished build file into service; returns the published path. `prepare`
    may change the copy before readers can see it (a Spark build's mart views)."""
    with duckdb.connect(str(build_file)) as con:
        con.execute("checkpoint")
    folder = published_dir(build_file)
    folder.mkdir(parents=True, exist_ok=True)
    name = published_name(build_id)
    partial = folder / f".{name}.part"
    shutil.copyfile(build_file, partial)
    if prepare is not None:
        prepare(partial)
    os.replace(partial, folder / name)
    pointer_tmp = folder / ".CURRENT.tmp"
    pointer_tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(pointer_tmp, folder / "CURRENT")
    _prune(folder, keep=name)
    return folder / name


def _prune(folder: Path, keep: str) -> None:
    """Drop old versions, keeping the newest few (a reader may still hold the previous one),
    and the mart snapshots of Spark builds no kept version points at."""
    versions = sorted(folder.glob("andon-*.duckdb"), key=lambda p: p.name, reverse=True)
    for old in [p for p in versions if p.name != keep][KEEP_VERSIONS - 1 :]:
        old.unlink(missing_ok=True)
    kept = {p.name.removeprefix("andon-").removesuffix(".duckdb") for p in folder.glob("andon-*")}
    for snapshot in folder.glob("spark-*"):
        if snapshot.name.removeprefix("spark-") not in kept:
            shutil.rmtree(snapshot, ignore_errors=True)
