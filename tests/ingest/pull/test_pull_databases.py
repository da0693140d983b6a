"""Pulls from real PostgreSQL and MariaDB servers holding the sample factory in MES/ERP/WMS
shapes with their own column names (source_factory.py).

The numbers expected here come from what each test changes at the source: n rows inserted
and m updated land n + m rows; a stopped server, a wrong password or a dropped column lands
nothing and keeps every earlier row; the first pull of everything builds the same KPIs as the
file ingest of the same factory.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from polars.testing import assert_frame_equal

import metrics
from ingest import ingest_inbox, pull_status
from ingest.contracts import load_contracts
from ingest.pull import pull_source
from ingest.sources import load_sources
from metrics.registry import load_registry
from metrics.scope import Scope
from tests.ingest.pull.source_factory import combined_sources, load_slice, system_of
from warehouse.build import build_warehouse

ROOT = Path(__file__).resolve().parents[3]
MES = [e for e, c in load_contracts().items() if c.system == "mes"]
ERP_WMS = [e for e, c in load_contracts().items() if c.system in ("erp", "wms")]


def _sources(tmp_path: Path, monkeypatch, *slices, **options):  # noqa: ANN001, ANN002, ANN003
    """Write sources.yaml for the slices, set their passwords; the loaded SourcesFile."""
    import yaml

    for one in slices:
        monkeypatch.setenv(one.password_env, one.server.password)
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(combined_sources(*slices, **options)), encoding="utf-8")
    return load_sources(path)


def _pull(config, warehouse: Path, name: str, **options):  # noqa: ANN001, ANN003, ANN202
    return {r.entity: r for r in pull_source(config.get(name), warehouse, **options).results}


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _count(warehouse: Path, entity: str) -> int:
    return _rows(warehouse, f"select count(*) from raw.{entity}")[0][0]


@pytest.mark.slow
def test_first_pull_builds_the_same_kpis_as_the_file_ingest(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_server,  # noqa: ANN001
    mariadb_server,  # noqa: ANN001
    sample_warehouse: Path,
    sample_inbox: Path,
    built_warehouse: Path,
) -> None:
    mes = load_slice(postgres_server, sample_warehouse, MES)
    erp = load_slice(mariadb_server, sample_warehouse, ERP_WMS)
    config = _sources(tmp_path, monkeypatch, mes, erp)
    warehouse = tmp_path / "pulled" / "andon.duckdb"
    for source in config.databases:
        report = pull_source(source, warehouse)
        assert not report.failed, [r.message for r in report.failed]
        for result in report.results:
            assert result.rows_quarantined == 0, result
            assert (
                result.rows_read
                == result.rows_landed
                == mes.counts.get(result.entity, erp.counts.get(result.entity))
            )
    # SCADA, PLM and APS arrive as files here; the PLM export needs the site mapping.
    files = tmp_path / "file_inbox"
    for system in ("scada", "plm", "aps"):
        shutil.copytree(sample_inbox / system, files / system)
    shutil.copy(sample_inbox / "andon_mapping.yaml", files / "andon_mapping.yaml")
    assert not ingest_inbox(files, warehouse).rejected
    built = build_warehouse(warehouse)
    assert built.passed, [f.message for f in built.failures] or built.error

    registry = load_registry()
    everyone = Scope.all()
    requests: dict[tuple[str, ...], list[str]] = {}
    for name, metric in sorted(registry.metrics.items()):
        for base in ((), ("plant",)):
            by = tuple(dict.fromkeys((*base, *metric.required_dimensions)))
            if set(by) <= set(metric.dimensions):
                requests.setdefault(by, []).append(name)
    assert len({n for names in requests.values() for n in names}) == len(registry.metrics)
    for by, chosen in requests.items():
        for grain in ("month", "day"):
            asked = {"by": list(by), "grain": grain, "scope": everyone}
            pulled = metrics.query(chosen, warehouse=warehouse, **asked)
            filed = metrics.query(chosen, warehouse=built_warehouse, **asked)
            assert pulled.height == filed.height > 0, (by, grain)
            assert_frame_equal(pulled, filed, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)


def test_incremental_pull_lands_only_the_inserts_and_updates(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_server,  # noqa: ANN001
    mariadb_server,  # noqa: ANN001
    sample_warehouse: Path,
) -> None:
    mes = load_slice(postgres_server, sample_warehouse, ["equipment_states", "equipment"])
    wms = load_slice(mariadb_server, sample_warehouse, ["inventory_movements"])
    config = _sources(tmp_path, monkeypatch, mes, wms)
    warehouse = tmp_path / "andon.duckdb"
    first = _pull(config, warehouse, "mes_db")
    moves_first = _pull(config, warehouse, "wms_db")["inventory_movements"]
    assert first["equipment_states"].rows_landed == mes.counts["equipment_states"]
    states_before = _count(warehouse, "equipment_states")

    mes.insert_rows("equipment_states", 7)
    changed = mes.update_rows("equipment_states", 4)  # updated_at: newest + 1 min
    second = _pull(config, warehouse, "mes_db")
    states = second["equipment_states"]
    assert states.rows_landed == 7 + 4
    assert states.rows_quarantined == 0
    # Rows read again inside the 2 h look-back that did not change land nothing.
    assert states.rows_read == states.rows_landed + states.rows_unchanged
    assert _count(warehouse, "equipment_states") == states_before + 11
    assert second["equipment"].rows_landed == 0  # master data unchanged: nothing lands
    latest = dict(
        _rows(
            warehouse,
            "select equipment_id || '@' || strftime(start_ts, '%Y-%m-%d %H:%M:%S'), reason_text"
            " from raw.equipment_states qualify row_number() over (partition by equipment_id,"
            " start_ts order by _load_id desc, _source_row desc) = 1",
        )
    )
    for machine, start in changed:
        assert latest[f"{machine}@{start:%Y-%m-%d %H:%M:%S}"].endswith("(upd)")

    # An id watermark (lookback 0) on MariaDB: only ids past the last one are read.
    wms.insert_rows("inventory_movements", 5)
    moves = _pull(config, warehouse, "wms_db")["inventory_movements"]
    assert int(moves.watermark_low) == int(moves_first.watermark_high)
    assert (moves.rows_read, moves.rows_landed, moves.rows_unchanged) == (5, 5, 0)
    assert int(moves.watermark_high) == int(moves_first.watermark_high) + 5


def test_late_update_inside_the_look_back_is_caught_and_one_outside_is_not(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_server,  # noqa: ANN001
    sample_warehouse: Path,
) -> None:
    mes = load_slice(postgres_server, sample_warehouse, ["production_reports"])
    config = _sources(tmp_path, monkeypatch, mes, lookback="2h")
    warehouse = tmp_path / "andon.duckdb"
    _pull(config, warehouse, "mes_db")
    inside = mes.update_rows("production_reports", 2, age=timedelta(minutes=90))
    outside = mes.update_rows("production_reports", 1, age=timedelta(hours=3), newest=True)
    late = _pull(config, warehouse, "mes_db")["production_reports"]
    assert late.rows_landed == 2
    landed = {
        r[0]
        for r in _rows(
            warehouse,
            "select report_id from raw.production_reports"
            " where _load_id = (select max(_load_id) from raw.production_reports)",
        )
    }
    assert landed == {key for (key,) in inside}
    assert outside[0][0] not in landed
    # A full reload on demand catches what the look-back missed, and replaces earlier pulls.
    full = _pull(config, warehouse, "mes_db", full=True)["production_reports"]
    assert full.status == "landed" and full.watermark_low is None
    assert _count(warehouse, "production_reports") == mes.counts["production_reports"]
    assert _rows(
        warehouse,
        f"select count(*) from raw.production_reports where report_id = '{outside[0][0]}'",
    ) == [(1,)]


def test_dropped_column_fails_that_entity_with_its_name_and_keeps_the_data(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mariadb_server,  # noqa: ANN001
    sample_warehouse: Path,
) -> None:
    erp = load_slice(mariadb_server, sample_warehouse, ["customers", "materials"])
    config = _sources(tmp_path, monkeypatch, erp)
    warehouse = tmp_path / "andon.duckdb"
    _pull(config, warehouse, "erp_db")
    before = _count(warehouse, "customers")
    dropped = erp.drop_column("customers", "customer_name")
    erp.update_rows("materials", 1)
    pulled = _pull(config, warehouse, "erp_db")
    failed = pulled["customers"]
    assert failed.status == "failed"
    assert "missing required column(s) customer_name for erp/customers" in failed.message
    assert f"sources.yaml maps {dropped}" in failed.message
    # Master data is read whole: one changed row makes the new snapshot replace the old one.
    materials = pulled["materials"]
    assert materials.status == "landed" and materials.rows_landed == erp.counts["materials"]
    assert materials.message.endswith(": 1 key new or changed")
    assert _count(warehouse, "customers") == before
    row = pull_status(warehouse).filter(entity="customers").row(0, named=True)
    assert (row["last_status"], row["last_message"]) == ("FAILED", failed.message)


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_stopped_server_and_wrong_password_fail_clearly_and_lose_nothing(
    kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    db_server,  # noqa: ANN001
    sample_warehouse: Path,
) -> None:
    server = db_server(kind)
    entity = "equipment_states" if kind == "postgresql" else "shipments"
    one = load_slice(server, sample_warehouse, [entity])
    config = _sources(tmp_path, monkeypatch, one)
    name = f"{system_of(entity)}_db"
    warehouse = tmp_path / "andon.duckdb"
    _pull(config, warehouse, name)
    landed = _count(warehouse, entity)

    server.stop()
    started = time.perf_counter()
    down = _pull(config, warehouse, name)[entity]
    assert time.perf_counter() - started < 20  # named at once, not after a pool time-out
    assert down.status == "failed"
    assert down.message.startswith(f"cannot reach {kind} andon@127.0.0.1:{server.port}/")
    assert _count(warehouse, entity) == landed

    server.start()
    one.insert_rows(entity, 3)
    monkeypatch.setenv(one.password_env, "not-the-password")
    refused = _pull(config, warehouse, name)[entity]
    assert refused.status == "failed"
    assert refused.message.startswith(f"cannot sign in to {kind} andon@127.0.0.1:")
    assert _count(warehouse, entity) == landed
    logged = _rows(
        warehouse,
        "select coalesce(message, '') || inbox || coalesce(query, '') from ingest.load_log",
    )
    assert not any(server.password in text or "not-the-password" in text for (text,) in logged)

    monkeypatch.setenv(one.password_env, server.password)
    back = _pull(config, warehouse, name)[entity]
    assert back.status == "landed" and back.rows_landed == 3
    assert _count(warehouse, entity) == landed + 3


KILLER = """
import sys
from pathlib import Path
from ingest.pull import pull_source
from ingest.sources import load_sources
print("pulling", flush=True)
pull_source(load_sources(Path(sys.argv[1])).get("mes_db"), Path(sys.argv[2]))
print("finished", flush=True)
"""


def test_sigkill_mid_pull_leaves_no_partial_rows(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_server,  # noqa: ANN001
    sample_warehouse: Path,
) -> None:
    mes = load_slice(postgres_server, sample_warehouse, ["equipment_states"])
    table = mes.qualified("equipment_states")
    rows = 800_000
    # Enough rows that the pull is still reading or landing when it is killed.
    mes.execute(
        "equipment_states",
        f"insert into {table} (machine_no, state_begin, state_end, state_cd, reason_cd,"
        f" reason_desc, updated_at) select 'BIG-' || (i % 50), timestamp '2020-01-01'"
        f" + i * interval '1 minute', null, 'RUNNING', null, null, timestamp '2020-01-01'"
        f" from generate_series(1, {rows}) as i",
    )
    total = mes.count("equipment_states")
    config = _sources(tmp_path, monkeypatch, mes)
    warehouse = tmp_path / "andon.duckdb"
    env = {**os.environ, mes.password_env: mes.server.password}
    for delay in (0.3, 1.2, 2.4):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLER, str(config.path), str(warehouse)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "pulling"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if not warehouse.exists() or not _rows(
            warehouse,
            "select 1 from information_schema.tables"
            " where table_schema = 'ingest' and table_name = 'load_log'",
        ):
            continue  # killed before the warehouse had its tables: nothing landed
        landed = _rows(
            warehouse,
            "select coalesce(sum(rows_landed), 0) from ingest.load_log where status = 'LANDED'",
        )[0][0]
        assert _count(warehouse, "equipment_states") == landed  # all of a pull or none of it
        assert landed in (0, total)
    result = _pull(config, warehouse, "mes_db")["equipment_states"]
    assert result.status == "landed"
    assert _count(warehouse, "equipment_states") == total
    assert _rows(
        warehouse,
        "select count(*) from (select distinct equipment_id, start_ts from raw.equipment_states)",
    ) == [(total,)]


def test_a_select_that_would_write_is_refused_by_the_read_only_session(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_server,  # noqa: ANN001
    sample_warehouse: Path,
) -> None:
    mes = load_slice(postgres_server, sample_warehouse, ["defect_codes"])
    table = mes.qualified("defect_codes")
    mes.execute(
        "defect_codes",
        "create function mes.wipe() returns bigint language sql as"
        f" $$ delete from {table} returning 1; select 0::bigint $$",
    )
    config = _sources(tmp_path, monkeypatch, mes)
    import yaml

    edited = yaml.safe_load(config.path.read_text(encoding="utf-8"))
    spec = edited["sources"]["mes_db"]["entities"]["defect_codes"]
    spec.pop("table")
    spec["query"] = f"select d.*, mes.wipe() as wiped from {table} as d"
    config.path.write_text(yaml.safe_dump(edited), encoding="utf-8")
    failed = _pull(load_sources(config.path), tmp_path / "andon.duckdb", "mes_db")["defect_codes"]
    assert failed.status == "failed"
    assert "read-only transaction" in failed.message
    assert mes.count("defect_codes") == mes.counts["defect_codes"]  # nothing was deleted
