"""An incremental build gives exactly the tables a full build gives, on the sample factory.

A four-day, small sample (with correction files for its first day) is landed and built;
then, as in production, more extracts land and the same warehouse is built incrementally:
one more day, a 15-minute micro-batch of MES states and production counts of the day after,
and re-delivered files, which supersede their earlier loads (a day's report and state files
with a row revised and a row left out; the correction files with fewer rows, so a row falls
back to the day file's version). Every staging, intermediate and mart table must then equal, row for
row, a `--full-refresh` build of the same raw data. Build watermarks (`_max_load_id`) are
left out: they say which build last rewrote a row, and differ by design.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from ingest import ingest_inbox
from warehouse.build import build_warehouse, run_dbt

START = date(2026, 9, 28)
END = date(2026, 10, 1)
SCALE = 0.2
SEED = 11
SCHEMAS = ("staging", "intermediate", "marts")
WATERMARKS = {"_max_load_id"}


def _dbt(command: list[str], warehouse: Path):
    outcome = run_dbt(command, warehouse)
    results = outcome.result.results if outcome.result is not None else []
    failed = [
        f"{r.node.unique_id}: {r.status} {(r.message or '').strip()[:300]}"
        for r in results
        if str(r.status) in ("error", "fail", "runtime error")
    ]
    assert outcome.success and not failed, (outcome.exception, failed)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("checkpoint")
    return {r.node.name: r for r in results}


def _tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of the built schemas (views too), rows in a stable order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ? order by all",
            [list(SCHEMAS)],
        ).fetchall()
        out = {}
        for schema, table in names:
            cols = [
                f'"{c}"'
                for (c,) in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if c not in WATERMARKS
            ]
            out[f"{schema}.{table}"] = con.execute(
                f"select {', '.join(cols)} from {schema}.{table} order by all"
            ).fetchall()
        return out


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def _micro_batch(inbox: Path, spare: Path, day: date) -> None:
    """The first 15 minutes of `day`'s MES states and production reports, as files of
    their own (the day's full files come later with the same keys)."""
    start = f"{day} 06:00:00"
    stop = f"{day} 06:15:00"
    written = 0
    for entity, columns in (
        ("equipment_states", ("start_ts", "STATE_START")),  # HP exports its own names
        ("production_reports", ("end_ts",)),
    ):
        for source in sorted((spare / "mes" / entity).glob(f"*{day}.jsonl")):
            rows = [
                r
                for r in _jsonl(source)
                if start <= next(r[c] for c in columns if c in r)[:19] < stop
            ]
            if rows:
                _write_jsonl(inbox / "mes" / entity / f"{source.stem}_0600.jsonl", rows)
                written += len(rows)
    assert written


def _day_files(inbox: Path, day: date) -> list[Path]:
    return [
        inbox / "mes" / "production_reports" / f"production_reports_{day}.jsonl",
        inbox / "mes" / "equipment_states" / f"equipment_states_{day}.jsonl",
    ]


def _send_corrections(inbox: Path, day: date, revised: slice) -> None:
    """A correction file per day file: the rows of `revised` again, quantities or states
    changed. Sent again with fewer rows, it supersedes itself and the rows it no longer
    holds fall back to the day file's version."""
    for path in _day_files(inbox, day):
        rows = _jsonl(path)[revised]
        for row in rows:
            if "good_qty" in row:
                row["good_qty"] -= 1
                row["scrap_qty"] += 1
            else:
                row["reason_text"] = f"corrected {revised.start}"
        _write_jsonl(path.with_name(f"{path.stem}_fix.jsonl"), rows)


def _redeliver(inbox: Path, day: date) -> None:
    """Send `day`'s files again with one row revised and one left out."""
    for path in _day_files(inbox, day):
        rows = _jsonl(path)
        if "good_qty" in rows[0]:
            rows[0]["good_qty"] -= 1
            rows[0]["scrap_qty"] += 1
        else:
            rows[0]["reason_text"] = "re-delivered"
        _write_jsonl(path, rows[:3] + rows[4:])


@pytest.fixture(scope="module")
def parity(tmp_path_factory: pytest.TempPathFactory):
    from ingest.sample import generate_sample

    root = tmp_path_factory.mktemp("parity")
    inbox, spare, work = root / "inbox", root / "spare", root / "work" / "andon.duckdb"
    work.parent.mkdir()
    generate_sample(inbox, seed=SEED, start=START, end=END, scale=SCALE)
    _send_corrections(inbox, START, slice(1, 3))
    ingest_inbox(inbox, work)
    first = build_warehouse(work)  # as `andon build` does: tests restricted to new rows later
    assert first.passed, first.failures or first.error

    # one more day (the generator is prefix-stable), the next day's first 15 minutes, and
    # re-delivered files of an earlier day
    nxt = END + timedelta(days=1)
    generate_sample(
        spare,
        seed=SEED,
        start=START,
        end=nxt + timedelta(days=1),
        scale=SCALE,
    )
    for source in spare.rglob("*"):  # what a run up to `nxt` delivers, day nxt + 1 aside
        if source.is_file() and str(nxt + timedelta(days=1)) not in source.name:
            target = inbox / source.relative_to(spare)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    _micro_batch(inbox, spare, nxt + timedelta(days=1))
    _redeliver(inbox, START + timedelta(days=1))
    _send_corrections(inbox, START, slice(2, 3))  # row 1 falls back to the day file
    report = ingest_inbox(inbox, work)
    assert any("supersedes" in (r.message or "") for r in report.results)
    incremental = build_warehouse(work)
    assert incremental.passed, incremental.failures or incremental.error
    kept = root / "incremental.duckdb"
    shutil.copyfile(incremental.published, kept)
    _dbt(["run", "--full-refresh"], work)
    full = root / "full.duckdb"
    shutil.copyfile(work, full)
    return {"incremental": kept, "full": full, "first": first, "build": incremental}


def test_incremental_build_equals_full_refresh(parity):
    incremental, full = _tables(parity["incremental"]), _tables(parity["full"])
    assert incremental.keys() == full.keys()
    different = [name for name in full if incremental[name] != full[name]]
    assert not different, different


def test_incremental_build_skips_unit_tests_and_old_rows(parity):
    # unit tests read only code, which the first build tested; data tests ran again, but only
    # on what the new loads reach: master data that got no new load is neither rebuilt nor
    # retested (and the tables still equal a full refresh, above)
    assert parity["first"].count("unit_test") > 0
    assert parity["build"].count("unit_test") == 0
    assert 0 < parity["build"].count("test") <= parity["first"].count("test")
    built = {n.name for n in parity["build"].nodes if n.resource_type == "model"}
    assert {"stg_mes__equipment_states", "stg_mes__production_reports"} <= built
    assert "assert_rows_landed_plus_quarantined_equal_rows_read" in {
        n.name for n in parity["build"].nodes
    }
