"""Publishing swaps in complete builds only, and readers keep what they opened."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.connections import NotPublished, connect_published
from warehouse.publish import current_published, publish


def _build_file(tmp_path: Path, value: int) -> Path:
    path = tmp_path / "andon.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create or replace table answer as select ? as value", [value])
    return path


def test_before_the_first_publish_readers_read_the_warehouse_itself(tmp_path: Path) -> None:
    with pytest.raises(NotPublished, match="andon build"):
        connect_published(tmp_path / "andon.duckdb")
    build_file = _build_file(tmp_path, 1)
    assert current_published(build_file) is None
    with connect_published(build_file) as con:
        assert con.execute("select value from answer").fetchone() == (1,)


def test_publish_puts_a_copy_in_service(tmp_path: Path) -> None:
    build_file = _build_file(tmp_path, 42)
    published = publish(build_file, "20261125T010000000000Z")
    assert published.name == "andon-20261125T010000000000Z.duckdb"
    assert current_published(build_file) == published
    with connect_published(build_file) as con:
        assert con.execute("select value from answer").fetchone() == (42,)
    # The build file stays writable while readers use the copy.
    with duckdb.connect(str(build_file)) as writer:
        writer.execute("update answer set value = 43")
    with connect_published(build_file) as con:
        assert con.execute("select value from answer").fetchone() == (42,)


def test_reader_keeps_its_version_across_a_new_publish(tmp_path: Path) -> None:
    build_file = _build_file(tmp_path, 1)
    publish(build_file, "20261125T010000000000Z")
    reader = connect_published(build_file)
    _build_file(tmp_path, 2)
    publish(build_file, "20261125T020000000000Z")
    assert reader.execute("select value from answer").fetchone() == (1,)
    reader.close()
    with connect_published(build_file) as con:
        assert con.execute("select value from answer").fetchone() == (2,)


def test_old_versions_are_pruned_keeping_the_previous_one(tmp_path: Path) -> None:
    build_file = _build_file(tmp_path, 1)
    for hour in ("01", "02", "03"):
        publish(build_file, f"20261125T{hour}0000000000Z")
    names = sorted(p.name for p in (tmp_path / "published").glob("andon-*.duckdb"))
    assert names == [
        "andon-20261125T020000000000Z.duckdb",
        "andon-20261125T030000000000Z.duckdb",
    ]
    assert not list((tmp_path / "published").glob(".*part"))
