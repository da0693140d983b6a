"""Database pulls end to end on a real SQLite source (ConnectorX reads it like a server):
watermarks, look-back, snapshots, lineage, contained failures, secrets kept out of messages.

The PostgreSQL and MariaDB servers are in tests/ingest/pull/; these pin the pull's own rules
on the smallest real source. Every expected number is worked out from the rows written here.
"""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import duckdb
import pytest
import yaml

from ingest import pull_status
from ingest.pull import pull_source
from ingest.sources import load_sources

STATES = [
    # id, machine, begin, end, state, updated_at
    (1, "M1", "2026-03-02 06:00:00", "2026-03-02 07:00:00", "RUNNING", "2026-03-02 07:00:00"),
    (2, "M1", "2026-03-02 07:00:00", "2026-03-02 07:30:00", "SETUP", "2026-03-02 07:30:00"),
    (3, "M2", "2026-03-02 06:00:00", "2026-03-02 08:00:00", "RUNNING", "2026-03-02 08:00:00"),
    (4, "M2", "2026-03-02 08:00:00", "2026-03-02 08:10:00", "JAMMED", "2026-03-02 08:10:00"),
]
MACHINES = [
    ("M1", "Press 1", "L1", "SZ"),
    ("M2", "Press 2", "L1", "SZ"),
    ("M3", "Lathe", "L2", "SZ"),
]


class Factory:
    """A SQLite 'MES' with its own column names, its sources.yaml and a warehouse file."""

    def __init__(self, root: Path, lookback: str = "30m") -> None:
        self.db = root / "mes.sqlite"
        self.warehouse = root / "andon.duckdb"
        con = sqlite3.connect(self.db)
        con.execute(
            "create table machine (machine_no text primary key, machine_name text, line text,"
            " plant text)"
        )
        con.executemany("insert into machine values (?, ?, ?, ?)", MACHINES)
        con.execute(
            "create table state_log (id integer primary key, machine_no text, t_begin text,"
            " t_end text, state_cd text, updated_at text)"
        )
        con.executemany("insert into state_log values (?, ?, ?, ?, ?, ?)", STATES)
        con.commit()
        con.close()
        self.config = {
            "sources": {
                "mes_db": {
                    "kind": "sqlite",
                    "connection": {"database": str(self.db)},
                    "schedule": "*/15 * * * *",
                    "entities": {
                        "equipment": {
                            "table": "machine",
                            "columns": {
                                "machine_no": "equipment_id",
                                "machine_name": "equipment_name",
                                "line": "line_id",
                                "plant": "plant_id",
                            },
                        },
                        "equipment_states": {
                            "query": "select * from state_log where machine_no <> 'TEST'",
                            "columns": {
                                "machine_no": "equipment_id",
                                "t_begin": "start_ts",
                                "t_end": "end_ts",
                                "state_cd": "state",
                            },
                            "watermark": {"column": "updated_at", "lookback": lookback},
                        },
                    },
                }
            }
        }
        self.path = root / "sources.yaml"
        self.write()

    def write(self) -> None:
        self.path.write_text(yaml.safe_dump(self.config), encoding="utf-8")

    def source(self, name: str = "mes_db"):  # noqa: ANN201
        return load_sources(self.path).get(name)

    def sql(self, statement: str, params: tuple = ()) -> None:
        con = sqlite3.connect(self.db)
        con.execute(statement, params)
        con.commit()
        con.close()

    def pull(self, **options):  # noqa: ANN003, ANN201
        report = pull_source(self.source(), self.warehouse, **options)
        return {r.entity: r for r in report.results}

    def rows(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def latest_states(self) -> dict[tuple[str, str], str]:
        """(machine, start) → state of the latest extract of each key (dbt's rule)."""
        found = self.rows(
            "select equipment_id, strftime(start_ts, '%H:%M'), state from raw.equipment_states"
            " qualify row_number() over (partition by equipment_id, start_ts"
            " order by _load_id desc, _source_row desc) = 1"
        )
        return {(m, t): s for m, t, s in found}


@pytest.fixture
def factory(tmp_path: Path) -> Factory:
    return Factory(tmp_path)


def test_first_pull_lands_every_row_with_lineage_and_quarantines_the_bad_one(factory) -> None:
    pulled = factory.pull()
    states = pulled["equipment_states"]
    assert states.status == "landed"
    # 4 rows read: 3 land, the JAMMED one is quarantined (not a contract state).
    assert (states.rows_read, states.rows_landed, states.rows_quarantined) == (4, 3, 1)
    assert states.watermark_high == "2026-03-02 08:10:00"
    assert states.watermark_low is None  # a first pull reads everything
    assert pulled["equipment"].rows_landed == 3
    log = factory.rows(
        "select origin, system, entity, file, rows_read, rows_landed, rows_quarantined,"
        " watermark_column, watermark_high, query from ingest.load_log"
        " where entity = 'equipment_states'"
    )
    assert len(log) == 1
    origin, system, entity, file, read, landed, quarantined, column, high, query = log[0]
    assert (origin, system, entity) == ("mes_db", "mes", "equipment_states")
    assert file.startswith("mes_db:mes/equipment_states@")
    assert read == landed + quarantined
    assert (column, high) == ("updated_at", "2026-03-02 08:10:00")
    assert "state_log" in query and '"t_begin" AS "start_ts"' in query
    bad = factory.rows('select file, source_row, "column", reason from ingest.quarantine')
    assert len(bad) == 1 and bad[0][0] == file and bad[0][2] == "state"
    assert "JAMMED" in bad[0][3]
    lineage = factory.rows("select distinct _source_file from raw.equipment_states")
    assert lineage == [(file,)]


def test_incremental_pull_lands_only_inserts_and_updates(factory) -> None:
    factory.pull()
    factory.sql(
        "insert into state_log values (5, 'M1', '2026-03-02 07:30:00', '2026-03-02 09:00:00',"
        " 'RUNNING', '2026-03-02 09:00:00')"
    )
    factory.sql(
        "update state_log set state_cd = 'UNPLANNED_STOP', updated_at = '2026-03-02 09:05:00'"
        " where id = 2"
    )
    states = factory.pull()["equipment_states"]
    # Read: rows past 08:10 - 30 min = 07:40 → ids 3 (08:00), 4 (08:10), 5, 2 → 4 rows; id 3 is
    # unchanged, id 4 is quarantined again, ids 5 and 2 land.
    assert states.watermark_low == "2026-03-02 07:40:00"
    assert states.watermark_high == "2026-03-02 09:05:00"
    assert (states.rows_read, states.rows_landed, states.rows_quarantined) == (4, 2, 1)
    assert states.rows_unchanged == 1
    assert factory.latest_states() == {
        ("M1", "06:00"): "RUNNING",
        ("M1", "07:00"): "UNPLANNED_STOP",
        ("M1", "07:30"): "RUNNING",
        ("M2", "06:00"): "RUNNING",
    }
    # Nothing new: only the look-back is read again and nothing lands.
    again = factory.pull()["equipment_states"]
    assert again.rows_landed == 0 and again.watermark_high == "2026-03-02 09:05:00"
    assert factory.rows("select count(*) from raw.equipment_states") == [(5,)]


def test_late_update_inside_the_look_back_is_caught_outside_it_only_by_a_full_reload(
    factory,
) -> None:
    factory.pull()  # high mark 08:10, so the next pull reads past 07:40
    factory.sql(
        "update state_log set state_cd = 'STARVED', updated_at = '2026-03-02 07:50:00' where id = 1"
    )
    factory.sql(
        "update state_log set state_cd = 'BLOCKED', updated_at = '2026-03-02 07:10:00' where id = 3"
    )
    late = factory.pull()["equipment_states"]
    assert late.rows_landed == 1  # id 1 (07:50 is inside the look-back)
    assert factory.latest_states()[("M1", "06:00")] == "STARVED"
    assert factory.latest_states()[("M2", "06:00")] == "RUNNING"  # 07:10: before the look-back
    full = factory.pull(full=True)["equipment_states"]
    assert full.watermark_low is None
    assert factory.latest_states()[("M2", "06:00")] == "BLOCKED"
    # The full reload replaced the earlier pulls: each key once in raw.
    assert factory.rows("select count(*) from raw.equipment_states") == [(3,)]
    assert factory.rows(
        "select count(*) from ingest.load_log where entity = 'equipment_states'"
        " and status = 'SUPERSEDED'"
    ) == [(2,)]


def test_master_data_snapshot_lands_nothing_when_unchanged_and_drops_deleted_rows(factory) -> None:
    factory.pull()
    same = factory.pull()["equipment"]
    assert (same.rows_read, same.rows_landed, same.rows_unchanged) == (3, 0, 3)
    factory.sql("delete from machine where machine_no = 'M3'")
    gone = factory.pull()["equipment"]
    assert gone.rows_landed == 2 and "1 gone" in gone.message
    assert factory.rows("select equipment_id from raw.equipment order by 1") == [("M1",), ("M2",)]


def test_dropped_column_fails_that_entity_only_and_keeps_the_last_good_data(factory) -> None:
    factory.pull()
    factory.sql("alter table state_log rename column state_cd to status_code")
    factory.sql("update machine set machine_name = 'Press 1 (new)' where machine_no = 'M1'")
    pulled = factory.pull()
    failed = pulled["equipment_states"]
    assert failed.status == "failed"
    assert "missing required column(s) state" in failed.message
    assert "sources.yaml maps state_cd" in failed.message
    assert "status_code" in failed.message  # the columns found, so the fix is plain
    assert pulled["equipment"].status == "landed"  # the other entity is not blocked
    assert factory.rows("select count(*) from raw.equipment_states") == [(3,)]
    status = pull_status(factory.warehouse).filter(entity="equipment_states").row(0, named=True)
    assert status["last_status"] == "FAILED" and status["failures_since_success"] == 1
    assert status["watermark_high"] == "2026-03-02 08:10:00"  # the mark stays
    assert status["last_message"] == failed.message


def test_a_query_that_is_not_a_select_is_refused(factory) -> None:
    factory.config["sources"]["mes_db"]["entities"]["equipment"] = {
        "query": "delete from machine",
        "columns": {"machine_no": "equipment_id"},
    }
    factory.write()
    failed = factory.pull(entities=["equipment"])["equipment"]
    assert failed.status == "failed" and failed.message == "query must be a single SELECT"
    con = sqlite3.connect(factory.db)
    assert con.execute("select count(*) from machine").fetchone() == (3,)
    con.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_fails_clearly_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "S3cret-pa55word"
    monkeypatch.setenv("ANDON_TEST_PW", secret)
    port = _closed_port()
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "sources": {
                    "erp_db": {
                        "kind": "postgresql",
                        "connection": {
                            "host": "127.0.0.1",
                            "port": port,
                            "database": "erp",
                            "user": "andon",
                            "password_env": "ANDON_TEST_PW",
                        },
                        "entities": {"customers": {"table": "erp.customer"}},
                    }
                }
            }
        )
    )
    report = pull_source(load_sources(path).get("erp_db"), tmp_path / "w.duckdb")
    (result,) = report.results
    assert result.status == "failed"
    assert result.message.startswith(f"cannot reach postgresql andon@127.0.0.1:{port}/erp")
    logged = (
        duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
        .execute("select status, message, inbox from ingest.load_log")
        .fetchall()
    )
    assert logged == [("FAILED", result.message, f"postgresql andon@127.0.0.1:{port}/erp")]
    assert secret not in repr(report.to_dict()) and secret not in repr(logged)


def test_missing_password_variable_is_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("ANDON_UNSET_PW", raising=False)
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "sources": {
                    "wms_db": {
                        "kind": "mariadb",
                        "connection": {
                            "database": "wms",
                            "user": "andon",
                            "password_env": "ANDON_UNSET_PW",
                        },
                        "entities": {"warehouses": {"table": "wh"}},
                    }
                }
            }
        )
    )
    (result,) = pull_source(load_sources(path).get("wms_db"), tmp_path / "w.duckdb").results
    assert result.status == "failed"
    assert "environment variable ANDON_UNSET_PW is not set" in result.message
