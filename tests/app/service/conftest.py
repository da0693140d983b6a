"""The pipeline service's tests: copies of the session's warehouses (never written in place),
a real SQLite 'MES' database, a sources.yaml of the test's own and an empty reports folder."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

MACHINES = [
    ("SZ-EXTRA-M01", "Extra press / 备用冲床", "SZ-SMT1", "SZ"),
    ("SZ-EXTRA-M02", "Extra lathe / 备用车床", "SZ-SMT1", "SZ"),
]
EQUIPMENT_PULL = {
    "table": "machine",
    "columns": {
        "machine_no": "equipment_id",
        "machine_name": "equipment_name",
        "line": "line_id",
        "plant": "plant_id",
    },
}


def copy_warehouse(build_file: Path, target_dir: Path) -> Path:
    """The build file and its published copies, copied to `target_dir`."""
    target_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):
        found = build_file.with_name(build_file.name + suffix)
        if found.exists():
            shutil.copy2(found, target_dir / found.name)
    published = build_file.parent / "published"
    if published.is_dir():
        shutil.copytree(published, target_dir / "published")
    return target_dir / build_file.name


@pytest.fixture(autouse=True)
def own_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """The state store beside each test's own warehouse copy."""
    monkeypatch.delenv("ANDON_STATE", raising=False)
    monkeypatch.delenv("ANDON_SOURCES", raising=False)


@pytest.fixture
def built_copy(built_warehouse: Path, tmp_path: Path) -> Path:
    """The built and published sample warehouse, copied: up to date, nothing to build."""
    return copy_warehouse(built_warehouse, tmp_path / "wh")


@pytest.fixture
def landed_copy(landed_warehouse, tmp_path: Path) -> Path:  # noqa: ANN001
    """The landed (never built) sample warehouse, copied."""
    return copy_warehouse(landed_warehouse[0], tmp_path / "wh")


@pytest.fixture
def mes_sqlite(tmp_path: Path) -> Path:
    """A SQLite 'MES' with its own column names: a `machine` table (the equipment entity)."""
    path = tmp_path / "mes.sqlite"
    con = sqlite3.connect(path)
    con.execute(
        "create table machine (machine_no text primary key, machine_name text, line text,"
        " plant text)"
    )
    con.executemany("insert into machine values (?, ?, ?, ?)", MACHINES)
    con.commit()
    con.close()
    return path


@pytest.fixture
def reports_dir(tmp_path: Path) -> Path:
    """No report definitions, alert rules or contacts: the report step runs and does nothing."""
    folder = tmp_path / "reports"
    folder.mkdir()
    return folder


@pytest.fixture
def write_sources(tmp_path: Path) -> Callable[..., Path]:
    """write_sources(name={...}, …) -> the path of a sources.yaml holding those sources."""
    path = tmp_path / "sources.yaml"

    def write(**sources: dict) -> Path:
        path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), "utf-8")
        return path

    return write


def sqlite_source(database: Path, schedule: str | None = "*/15 * * * *", **extra) -> dict:  # noqa: ANN003
    source = {
        "kind": "sqlite",
        "connection": {"database": str(database)},
        "entities": {"equipment": EQUIPMENT_PULL},
        **extra,
    }
    if schedule:
        source["schedule"] = schedule
    return source


class Clock:
    """A clock the test moves: now() as the service reads it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.at = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture
def log_lines() -> list[str]:
    return []
