"""The sample factory: deterministic, in the contract's formats, and true to its ground truth."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest

from ingest.sample import generate_sample
from ingest.sample.states import TRUTH_STATES
from ingest.sample.writers import PLM_CHANGE_COLUMNS

START = date(2026, 9, 28)  # a Monday; the fortnight holds HP weekends and the Oct 1-3 holiday
END = date(2026, 10, 11)
SCALE = 0.2
ENCODINGS = {"erp": "gb18030"}
HP_NAMES = {"EQUIP_NO": "equipment_id", "STATE_START": "start_ts", "STATE_END": "end_ts"}
PLM_NAMES = {v: k for k, v in PLM_CHANGE_COLUMNS.items()}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "inbox"
    seen: list[tuple[str, int, int]] = []
    result = generate_sample(
        out,
        seed=11,
        start=START,
        end=END,
        scale=SCALE,
        progress=lambda label, done, total: seen.append((label, done, total)),
    )
    assert result.files > 0 and result.bad_rows >= 15
    assert ("Simulating days", 14, 14) in seen
    return out


@pytest.fixture(scope="module")
def manifest(inbox: Path) -> list[dict]:
    return json.loads((inbox / "_manifest" / "bad_rows.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def truth(inbox: Path) -> pl.DataFrame:
    return pl.read_parquet(inbox / "_truth" / "equipment_day.parquet")


def _bad_rows(manifest: list[dict], prefix: str) -> set[tuple[str, int]]:
    return {(m["file"], m["row"]) for m in manifest if m["file"].startswith(prefix)}


def _jsonl(inbox: Path, entity: str, manifest: list[dict], pattern: str = "*") -> pl.DataFrame:
    """All good rows of a JSONL entity, with HP column names mapped to the contract."""
    bad = _bad_rows(manifest, f"mes/{entity}/")
    rows = []
    for path in sorted((inbox / "mes" / entity).glob(f"{pattern}.jsonl")):
        rel = path.relative_to(inbox).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            row = json.loads(line)
            if (rel, number) in bad:
                continue
            rows.append({HP_NAMES.get(k, k): v for k, v in row.items()})
    return pl.DataFrame(rows, infer_schema_length=None)


def _csv(
    inbox: Path,
    system: str,
    entity: str,
    manifest: list[dict],
    sep: str = ",",
    encoding: str = "utf-8",
) -> pl.DataFrame:
    bad = _bad_rows(manifest, f"{system}/{entity}/")
    frames = []
    for path in sorted((inbox / system / entity).glob("*.csv")):
        rel = path.relative_to(inbox).as_posix()
        text = path.read_bytes().decode(encoding).lstrip("\ufeff")
        lines = [
            line
            for number, line in enumerate(text.splitlines(), start=1)
            if (rel, number) not in bad
        ]
        frames.append(
            pl.read_csv(io.StringIO("\n".join(lines)), separator=sep, infer_schema_length=0)
        )
    return pl.concat(frames)


def test_same_seed_same_bytes_other_seed_differs(inbox: Path, tmp_path: Path) -> None:
    again = generate_sample(tmp_path / "again", seed=11, start=START, end=END, scale=SCALE)
    files = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(again.out).as_posix() for p in again.out.rglob("*") if p.is_file()
    )
    for rel in (
        "mes/equipment_states/equipment_states_2026-10-05.jsonl",
        "erp/sales_order_lines/sales_order_lines_2026-10-05.csv",
        "wms/warehouses/warehouses.xlsx",
        "scada/meter_readings/meter_readings_2026-10-05.parquet",
        "_manifest/bad_rows.json",
    ):
        assert (inbox / rel).read_bytes() == (again.out / rel).read_bytes(), rel
    other = generate_sample(tmp_path / "other", seed=12, start=START, end=END, scale=SCALE)
    rel = "mes/equipment_states/equipment_states_2026-10-05.jsonl"
    assert (inbox / rel).read_bytes() != (other.out / rel).read_bytes()


def _file_day(rel: str) -> date | None:
    """The date a daily extract's name ends with (None for master data)."""
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return date.fromisoformat(stem[-10:]) if stem[-10:-9].isdigit() else None


def test_one_more_day_leaves_earlier_files_untouched(inbox: Path, tmp_path: Path) -> None:
    """end = E + 1 writes the files of end = E byte for byte, plus the new day's files.

    Only the tail may differ: files dated E (the open last state record, the cut-off
    window) and E + 1 (movements after midnight), and the whole-period _truth/ summaries.
    """
    later = generate_sample(
        tmp_path / "later", seed=11, start=START, end=END + timedelta(days=1), scale=SCALE
    )

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and not p.relative_to(root).as_posix().startswith("_truth/")
        }

    before, after = files(inbox), files(later.out)
    stable = {rel for rel in before if (_file_day(rel) or START) < END}
    assert len(stable) > 100 and any(_file_day(rel) == END - timedelta(days=1) for rel in stable)
    for rel in sorted(stable):
        assert rel in after, f"{rel} is missing after one more day"
        assert before[rel] == after[rel], f"{rel} changed after one more day"
    changed = {rel for rel in before.keys() & after.keys() if before[rel] != after[rel]}
    changed |= before.keys() ^ after.keys()
    assert {_file_day(rel) for rel in changed} <= {
        END,
        END + timedelta(days=1),
        END + timedelta(days=2),
    }
    new_day = {rel for rel in after.keys() - before.keys() if _file_day(rel) == later.end}
    assert {rel.split("/")[1] for rel in new_day} >= {
        "equipment_states",
        "production_reports",
        "work_orders",
        "meter_readings",
        "stock_snapshots",
    }


def test_layout_and_formats(inbox: Path) -> None:
    for rel in (
        "mes/plants/plants.json",
        "mes/equipment/equipment.jsonl",
        "mes/routings/routings.jsonl",
        "mes/shifts/shifts.csv",
        "mes/defect_codes/defect_codes.csv",
        "erp/materials/materials.csv",
        "erp/customers/customers.csv",
        "erp/suppliers/suppliers.csv",
        "wms/warehouses/warehouses.xlsx",
        "andon_mapping.yaml",
        "mes/equipment_states/HP_equipment_states_2026-10-05.jsonl",
        "mes/work_orders/work_orders_2026-10-05.jsonl",
    ):
        assert (inbox / rel).is_file(), rel
    raw = (inbox / "erp/customers/customers.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "上海华东电气有限公司" in raw.decode("gb18030")
    assert (inbox / "mes/defect_codes/defect_codes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (inbox / "mes/shifts/shifts.csv").read_text().startswith("plant_id;shift_code;")
    po = next((inbox / "erp/purchase_order_lines").glob("*.csv")).read_bytes().decode("gb18030")
    assert po.startswith("po_id\tline_no\tsupplier_id")
    movement = next((inbox / "wms/inventory_movements").glob("*.csv")).read_text("utf-8-sig")
    assert "+08:00," in movement and "+07:00," in movement
    plants = json.loads((inbox / "mes/plants/plants.json").read_text(encoding="utf-8"))
    assert [p["plant_id"] for p in plants] == ["SZ", "DG", "HP"]
    sheet = openpyxl.load_workbook(inbox / "wms/warehouses/warehouses.xlsx").worksheets[0]
    assert sheet["A1"].value == "WMS 仓库主数据 / Warehouse master data"
    assert str(sheet["A2"].value).startswith("Exported 2026-")
    assert sheet["A3"].value is None and sheet["A4"].value == "warehouse_id"
    schema = pq.read_schema(inbox / "scada/meter_readings/meter_readings_2026-10-05.parquet")
    assert str(schema.field("interval_start").type) == "timestamp[us, tz=UTC]"
    assert str(schema.field("energy_kwh").type) == "double"


def _value_is_bad(kind: str, column: str, row: dict, inbox: Path) -> bool:
    value = row.get(column)
    if kind == "missing_required":
        return value in (None, "")
    if kind == "bad_enum":
        return value not in {
            "RUNNING",
            "SETUP",
            "UNPLANNED_STOP",
            "MINOR_STOP",
            "STARVED",
            "BLOCKED",
            "PLANNED_STOP",
            "NOT_SCHEDULED",
            "PASS",
            "FAIL",
            "RELEASED",
            "IN_PROGRESS",
            "COMPLETED",
            "CANCELLED",
            "GOODS_RECEIPT",
            "ADJUSTMENT",
            "SHIPMENT",
        }
    if kind in ("bad_number", "bad_timestamp"):
        parse = float if kind == "bad_number" else datetime.fromisoformat
        try:
            parse(str(value))
        except ValueError:
            return True
        return False
    if kind == "negative_quantity":
        return float(value) < 0
    if kind == "quantity_mismatch":
        return float(row["produced_qty"]) != sum(
            float(row[c]) for c in ("good_qty", "scrap_qty", "rework_qty")
        )
    if kind == "end_before_start":
        return str(row["end_ts"]) < str(row["start_ts"])
    if kind == "unknown_reference":
        known = (inbox / "mes/equipment/equipment.jsonl").read_text(encoding="utf-8")
        known += (inbox / "erp/materials/materials.csv").read_bytes().decode("gb18030")
        return f'"{value}"' not in known and f"{value}," not in known
    raise AssertionError(kind)


def test_every_manifest_row_is_where_it_says(inbox: Path, manifest: list[dict]) -> None:
    kinds = {m["kind"] for m in manifest}
    assert kinds == {
        "missing_required",
        "bad_number",
        "bad_timestamp",
        "bad_enum",
        "quantity_mismatch",
        "end_before_start",
        "negative_quantity",
        "unknown_reference",
    }
    assert 15 <= len(manifest) <= 30 and any(m["lands"] for m in manifest)
    assert len({(m["file"], m["row"]) for m in manifest}) == len(manifest)
    for m in manifest:
        path = inbox / m["file"]
        suffix = path.suffix
        if suffix == ".jsonl":
            row = json.loads(path.read_text(encoding="utf-8").splitlines()[m["row"] - 1])
            row = {HP_NAMES.get(k, k): v for k, v in row.items()}
        elif suffix == ".csv":
            encoding = ENCODINGS.get(m["file"].split("/")[0], "utf-8-sig")
            text = path.read_bytes().decode(encoding).lstrip("\ufeff")
            lines = text.splitlines()
            sep = "\t" if "\t" in lines[0] else ";" if ";" in lines[0] else ","
            header = next(csv.reader([lines[0]], delimiter=sep))
            values = next(csv.reader([lines[m["row"] - 1]], delimiter=sep))
            row = dict(zip(header, values, strict=True))
        elif suffix == ".json":
            row = json.loads(path.read_text(encoding="utf-8"))[m["row"] - 1]
            row = {PLM_NAMES.get(k, k): v for k, v in row.items()}
        elif suffix == ".xlsx":
            sheet = openpyxl.load_workbook(path).worksheets[0]
            header = [c.value for c in sheet[4]]
            row = dict(zip(header, [c.value for c in sheet[m["row"]]], strict=True))
        else:
            row = pq.read_table(path).slice(m["row"] - 1, 1).to_pylist()[0]
        assert _value_is_bad(m["kind"], m["column"], row, inbox), m


def test_truth_state_seconds_sum_to_shift_seconds(truth: pl.DataFrame) -> None:
    total = truth.select(pl.sum_horizontal(TRUTH_STATES)).to_series()
    assert (total == truth["shift_seconds"]).all()
    assert truth["production_date"].min() == START and truth["production_date"].max() == END
    assert truth["unknown_s"].sum() > 0, "the sample should contain data gaps"
    assert truth["unplanned_stop_events"].sum() > 0 and truth["setup_s"].sum() > 0


def test_hand_worked_shift_seconds(truth: pl.DataFrame) -> None:
    def day(plant: str, when: date) -> pl.DataFrame:
        return truth.filter((pl.col("plant_id") == plant) & (pl.col("production_date") == when))

    sz = day("SZ", date(2026, 9, 29))
    assert (sz["shift_seconds"] == 3 * 8 * 3600).all()
    assert sz["planned_stop_s"].max() >= 3 * 30 * 60 and sz["running_s"].min() > 0
    holiday = day("SZ", date(2026, 10, 1))
    assert (holiday["not_scheduled_s"] == 86_400).all()
    hp = day("HP", date(2026, 9, 29))  # a Tuesday: A 07:00-15:30 + B 15:30-24:00
    assert (hp["shift_seconds"] == 61_200).all() and hp["running_s"].min() > 0
    # The shift table has no weekdays: a Saturday is shift time the MES marks NOT_SCHEDULED.
    saturday = day("HP", date(2026, 10, 3))
    assert (saturday["not_scheduled_s"] == saturday["shift_seconds"]).all()
    assert (saturday["produced_qty"] == 0).all()


def test_state_records_are_contiguous(
    inbox: Path, manifest: list[dict], truth: pl.DataFrame
) -> None:
    states = _jsonl(inbox, "equipment_states", manifest)
    equipment = {
        json.loads(line)["equipment_id"]
        for line in (inbox / "mes/equipment/equipment.jsonl").read_text("utf-8").splitlines()
    }
    states = states.filter(pl.col("equipment_id").is_in(list(equipment)))
    states = states.sort("equipment_id", "start_ts").with_columns(
        next_start=pl.col("start_ts").shift(-1).over("equipment_id")
    )
    closed = states.filter(pl.col("next_start").is_not_null())
    assert (closed["end_ts"] <= closed["next_start"]).all(), "overlapping state records"
    gaps = closed.filter(pl.col("end_ts") != pl.col("next_start")).with_columns(
        seconds=(
            pl.col("next_start").str.to_datetime() - pl.col("end_ts").str.to_datetime()
        ).dt.total_seconds()
    )
    assert gaps["seconds"].sum() == truth["unknown_s"].sum()
    last = states.filter(pl.col("next_start").is_null())
    assert last.height == len(equipment)
    assert last["end_ts"].is_null().all() and (last["state"] == "NOT_SCHEDULED").all()
    assert states["end_ts"].null_count() == len(equipment)
    first = (
        states.group_by("equipment_id")
        .agg(pl.col("start_ts").min())
        .with_columns(plant=pl.col("equipment_id").str.slice(0, 2))
    )
    expected = {
        "SZ": "2026-09-28 06:00:00",
        "DG": "2026-09-28 08:00:00",
        "HP": "2026-09-28 07:00:00",
    }
    assert all(expected[p] == s for p, s in first.select("plant", "start_ts").iter_rows())
    ends = {
        p: s
        for p, s in last.with_columns(plant=pl.col("equipment_id").str.slice(0, 2))
        .select("plant", "start_ts")
        .unique()
        .iter_rows()
    }
    assert ends == {
        "SZ": "2026-10-12 06:00:00",
        "DG": "2026-10-12 08:00:00",
        "HP": "2026-10-12 00:00:00",
    }


def test_truth_recomputed_from_the_files(
    inbox: Path, manifest: list[dict], truth: pl.DataFrame
) -> None:
    states = _jsonl(inbox, "equipment_states", manifest)  # noqa: F841 (used by duckdb)
    reports = _jsonl(inbox, "production_reports", manifest)  # noqa: F841
    equipment = pl.read_ndjson(inbox / "mes/equipment/equipment.jsonl")  # noqa: F841
    shifts = pl.read_csv(inbox / "mes/shifts/shifts.csv", separator=";")  # noqa: F841
    days = pl.DataFrame({"production_date": [START + timedelta(days=k) for k in range(-1, 15)]})
    sql = """
    with s as (select equipment_id, start_ts::timestamp as a,
                      coalesce(end_ts, start_ts)::timestamp as b, state from states),
    w as (select e.equipment_id, d.production_date,
                 d.production_date + sh.start_time::time as ws,
                 d.production_date + sh.end_time::time
                   + case when sh.end_time::time <= sh.start_time::time
                          then interval 1 day else interval 0 day end as we
          from equipment e join shifts sh using (plant_id) cross join days d),
    cov as (select equipment_id, min(a) as lo, max(b) as hi from s group by all),
    c as (select w.equipment_id, production_date, greatest(ws, lo) as ws, least(we, hi) as we
          from w join cov using (equipment_id) where least(we, hi) > greatest(ws, lo))
    select c.equipment_id, c.production_date, s.state,
           sum(epoch(least(c.we, s.b) - greatest(c.ws, s.a)))::bigint as seconds
    from c join s on s.equipment_id = c.equipment_id and s.a < c.we and s.b > c.ws
    group by all
    """
    con = duckdb.connect()
    for name, frame in (
        ("states", states),
        ("equipment", equipment),
        ("shifts", shifts),
        ("days", days),
        ("reports", reports),
    ):
        con.register(name, frame.to_arrow())
    got = con.sql(sql).pl()
    names = {
        "RUNNING": "running_s",
        "SETUP": "setup_s",
        "UNPLANNED_STOP": "unplanned_stop_s",
        "MINOR_STOP": "minor_stop_s",
        "STARVED": "starved_s",
        "BLOCKED": "blocked_s",
        "PLANNED_STOP": "planned_stop_s",
        "NOT_SCHEDULED": "not_scheduled_s",
    }
    long = truth.unpivot(
        index=["equipment_id", "production_date"],
        on=list(names.values()),
        variable_name="column",
        value_name="seconds",
    ).filter(pl.col("seconds") > 0)
    got = got.with_columns(column=pl.col("state").replace_strict(names)).filter(
        pl.col("production_date").is_between(START, END)
    )
    joined = long.join(
        got, on=["equipment_id", "production_date", "column"], how="full", coalesce=True
    )
    assert joined.filter(pl.col("seconds") != pl.col("seconds_right")).is_empty()
    assert joined["seconds"].null_count() == 0 and joined["seconds_right"].null_count() == 0

    qty = con.sql(
        """
        with w as (
            select e.equipment_id, d.production_date,
                   d.production_date + sh.start_time::time as ws,
                   d.production_date + sh.end_time::time
                     + case when sh.end_time::time <= sh.start_time::time
                            then interval 1 day else interval 0 day end as we
            from equipment e join shifts sh using (plant_id) cross join days d)
        select r.equipment_id, w.production_date, sum(produced_qty)::bigint as produced_qty,
               sum(good_qty)::bigint as good_qty, sum(scrap_qty)::bigint as scrap_qty,
               sum(rework_qty)::bigint as rework_qty
        from reports r join w on w.equipment_id = r.equipment_id
            and r.end_ts::timestamp > w.ws and r.end_ts::timestamp <= w.we
        where w.production_date between $start and $end
        group by all
    """.replace("$start", f"date '{START}'").replace("$end", f"date '{END}'")
    ).pl()
    columns = ["produced_qty", "good_qty", "scrap_qty", "rework_qty"]
    expected = truth.filter(pl.col("produced_qty") > 0).select(
        "equipment_id", "production_date", *columns
    )
    joined = expected.join(qty, on=["equipment_id", "production_date"], how="full", coalesce=True)
    assert joined.height == expected.height == qty.height
    for column in columns:
        assert (joined[column] == joined[f"{column}_right"]).all(), column


def test_production_reports_add_up(inbox: Path, manifest: list[dict]) -> None:
    reports = _jsonl(inbox, "production_reports", manifest)
    assert reports.height > 100
    assert (
        reports["produced_qty"]
        == reports["good_qty"] + reports["scrap_qty"] + reports["rework_qty"]
    ).all()
    assert (reports["start_ts"] < reports["end_ts"]).all()
    assert (reports["produced_qty"] >= 0).all()


def test_snapshots_equal_cumulative_movements(inbox: Path, manifest: list[dict]) -> None:
    moves = _csv(inbox, "wms", "inventory_movements", manifest).with_columns(
        day=pl.col("movement_ts").str.slice(0, 10), qty=pl.col("qty").cast(pl.Float64)
    )
    snaps = _csv(inbox, "wms", "stock_snapshots", manifest, sep=";").with_columns(
        on_hand_qty=pl.col("on_hand_qty").cast(pl.Float64)
    )
    assert snaps.height > 0 and (snaps["on_hand_qty"] >= 0).all()
    daily = moves.group_by("warehouse_id", "material_id", "day").agg(pl.col("qty").sum())
    for (wh, mat), group in snaps.group_by("warehouse_id", "material_id"):
        flows = daily.filter((pl.col("warehouse_id") == wh) & (pl.col("material_id") == mat))
        for snap_day, on_hand in group.select("snapshot_date", "on_hand_qty").iter_rows():
            cumulative = flows.filter(pl.col("day") <= snap_day)["qty"].sum()
            assert abs(cumulative - on_hand) < 1e-6, (wh, mat, snap_day)
    types = set(moves["movement_type"])
    assert {
        "ADJUSTMENT",
        "PRODUCTION_RECEIPT",
        "ISSUE_TO_PRODUCTION",
        "SHIPMENT",
        "GOODS_RECEIPT",
        "TRANSFER_IN",
        "TRANSFER_OUT",
    } <= types
    shipments = _csv(inbox, "wms", "shipments", manifest)
    shipped = shipments["shipped_qty"].cast(pl.Float64).sum()
    assert shipped == -moves.filter(pl.col("movement_type") == "SHIPMENT")["qty"].sum()
