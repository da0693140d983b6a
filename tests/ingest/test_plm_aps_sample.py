"""The sample's PLM and APS extracts: deterministic, prefix-stable, consistent with the MES,
and telling their stories in the ground truth; plus the truth functions worked by hand."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from ingest.sample import generate_sample
from ingest.sample.change_truth import change_durations, eco_by_month, superseded_share
from ingest.sample.order_rules import (
    NERVOUS_PLANT,
    SUPERSEDED_EFFECTIVE_DAY,
    SUPERSEDED_LINE,
    SUPERSEDED_PRODUCT,
)
from ingest.sample.plan_truth import frozen_window_changes, plan_attainment, planned_qty_on_date
from ingest.sample.quality import EXCURSION_DAYS, EXCURSION_LINE

START = date(2026, 9, 28)
END = date(2026, 10, 11)
LONG_START = date(2025, 11, 3)
LONG_DAYS = 280  # past both stories (days 168 and 245)


def _files(root: Path, systems=("plm", "aps")) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for system in systems
        for p in (root / system).rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plmaps") / "inbox"
    generate_sample(out, seed=11, start=START, end=END, scale=0.2)
    return out


@pytest.fixture(scope="module")
def long(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plmaps_long") / "inbox"
    generate_sample(
        out, seed=5, start=LONG_START, end=LONG_START + timedelta(days=LONG_DAYS - 1), scale=0.2
    )
    return out


def _truth(inbox: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(inbox / "_truth" / f"{name}.parquet")


def _day(rel: str) -> date | None:
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return date.fromisoformat(stem[-10:]) if stem[-10:-9].isdigit() else None


def test_layout_and_formats(short: Path) -> None:
    stamp = "2026-10-05"
    for rel in (
        "plm/product_revisions/product_revisions.xlsx",
        f"aps/schedule_versions/schedule_versions_{stamp}.csv",
        f"aps/planned_operations/planned_operations_{stamp}.csv",
    ):
        assert (short / rel).is_file(), rel
    sheet = openpyxl.load_workbook(short / "plm/product_revisions/product_revisions.xlsx")
    rows = sheet.worksheets[0]
    assert rows["A1"].value == "PLM 产品版本 / Product revisions" and rows["A4"].value == (
        "product_id"
    )
    changes = sorted((short / "plm/engineering_changes").glob("*.json"))
    assert changes, "the PLM exports engineering changes as JSON arrays"
    first = json.loads(changes[0].read_text(encoding="utf-8"))[0]
    assert "ChangeNumber" in first and "Workflow.Status" in first
    mapping = (short / "andon_mapping.yaml").read_text(encoding="utf-8")
    assert "plm/engineering_changes/*" in mapping and "ChangeNumber: eco_id" in mapping
    ops = (short / f"aps/planned_operations/planned_operations_{stamp}.csv").read_text()
    assert ops.startswith("plan_version;work_order_id;operation_no;")


def test_same_seed_same_bytes(short: Path, tmp_path: Path) -> None:
    again = generate_sample(tmp_path / "again", seed=11, start=START, end=END, scale=0.2)
    assert _files(short) == _files(again.out)
    other = generate_sample(tmp_path / "other", seed=12, start=START, end=END, scale=0.2)
    rel = "aps/planned_operations/planned_operations_2026-10-05.csv"
    assert (short / rel).read_bytes() != (other.out / rel).read_bytes()


def test_one_more_day_only_adds_files(short: Path, tmp_path: Path) -> None:
    """The APS plans ahead through a look-ahead that never looks at the period's end, so
    every PLM and APS file of end = E is written again byte for byte by end = E + 1; only a
    file dated E that holds a bad row still pending at E may differ."""
    later = generate_sample(
        tmp_path / "later", seed=11, start=START, end=END + timedelta(days=1), scale=0.2
    )
    manifest = json.loads((short / "_manifest/bad_rows.json").read_text(encoding="utf-8"))
    moved = {m["file"] for m in manifest if _day(m["file"]) == END}
    before, after = _files(short), _files(later.out)
    for rel, data in before.items():
        if rel in moved:
            continue
        assert after.get(rel) == data, rel
    assert {_day(rel) for rel in after.keys() - before.keys()} <= {END, END + timedelta(days=1)}


def test_planned_operations_are_the_mes_orders(short: Path) -> None:
    orders = {}
    for path in sorted((short / "mes/work_orders").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            orders[row["work_order_id"]] = row
    ops = []
    for path in sorted((short / "aps/planned_operations").glob("*.csv")):
        ops += list(csv.DictReader(path.read_text().splitlines(), delimiter=";"))
    ops = [op for op in ops if "-9000" not in op["work_order_id"]]  # the manifest's bad rows
    assert len(ops) > 500
    known = [op for op in ops if op["work_order_id"] in orders]
    # Orders a version plans after the last MES day are not released yet; nothing else.
    for op in ops:
        if op["work_order_id"] not in orders:
            assert op["planned_start"] > f"{END} 00:00:00", op
    assert len(known) > 0.9 * len(ops)
    assert all(orders[op["work_order_id"]]["line_id"] == op["line_id"] for op in known)
    calm = [op for op in known if not op["line_id"].startswith(NERVOUS_PLANT)]
    same = [
        op
        for op in calm
        if (op["planned_start"], op["planned_end"])
        == (
            orders[op["work_order_id"]]["planned_start"],
            orders[op["work_order_id"]]["planned_end"],
        )
        and float(op["planned_qty"]) == orders[op["work_order_id"]]["planned_qty"]
    ]
    assert len(same) > 0.9 * len(calm)


def test_shipments_carry_the_lots_produced(long: Path) -> None:
    """Opening stock has no lot; once it is shipped, shipments carry production lots."""
    lots, shipped = set(), []
    for path in (long / "wms/inventory_movements").glob("*.csv"):
        for row in csv.DictReader(path.read_text("utf-8-sig").splitlines()):
            if row["movement_type"] == "PRODUCTION_RECEIPT":
                lots.add(row["lot_id"])
    for path in (long / "wms/shipments").glob("*.csv"):
        shipped += [r["lot_id"] for r in csv.DictReader(path.read_text().splitlines())]
    with_lot = [lot for lot in shipped if lot]
    assert len(with_lot) > 0.8 * len(shipped) and set(with_lot) <= lots


def test_the_excursion_ends_with_its_change(long: Path) -> None:
    effective = LONG_START + timedelta(days=EXCURSION_DAYS[1])
    changes = _truth(long, "engineering_changes")
    fixes = changes.filter(pl.col("effective_date") == effective)
    assert fixes.height >= 1 and set(fixes["status"]) == {"IMPLEMENTED"}
    line = _truth(long, "equipment_day").filter(pl.col("line_id") == EXCURSION_LINE)

    def fpy(lo: date, hi: date) -> float:
        days = line.filter(pl.col("production_date").is_between(lo, hi, closed="left"))
        return days["good_qty"].sum() / days["produced_qty"].sum()

    before = fpy(effective - timedelta(days=28), effective)
    after = fpy(effective, effective + timedelta(days=28))
    assert after - before > 0.02, (before, after)


def test_one_line_keeps_the_superseded_revision(long: Path) -> None:
    effective = LONG_START + timedelta(days=SUPERSEDED_EFFECTIVE_DAY)
    change = _truth(long, "engineering_changes").filter(
        (pl.col("product_id") == SUPERSEDED_PRODUCT) & (pl.col("effective_date") == effective)
    )
    assert change.height == 1
    share = _truth(long, "superseded_line_day")
    old = share.filter(pl.col("superseded_qty") > 0)
    assert set(old["line_id"]) == {SUPERSEDED_LINE}
    days = old["date"].to_list()
    assert min(days) >= effective and max(days) <= effective + timedelta(days=7)
    assert len(days) >= 2


def test_the_nervous_plant_changes_more_and_attains_less(long: Path) -> None:
    versions = _truth(long, "schedule_versions").drop_nulls("window_ops")
    rate = versions.group_by("plant_id").agg(
        (pl.col("changed_ops").sum() / pl.col("window_ops").sum()).alias("rate"), pl.len()
    )
    rates = dict(rate.select("plant_id", "rate").iter_rows())
    counts = dict(rate.select("plant_id", "len").iter_rows())
    calm = [p for p in rates if p != NERVOUS_PLANT]
    assert all(rates[NERVOUS_PLANT] > 3 * rates[p] for p in calm), rates
    assert all(counts[NERVOUS_PLANT] >= 3 * counts[p] for p in calm), counts
    attained = (
        _truth(long, "plan_attainment")
        .group_by("plant_id")
        .agg((pl.col("good_qty").sum() / pl.col("planned_qty").sum()).alias("attainment"))
    )
    attainment = dict(attained.iter_rows())
    assert all(attainment[NERVOUS_PLANT] < attainment[p] - 0.05 for p in calm), attainment
    assert all(0.9 < attainment[p] < 1.1 for p in calm), attainment


def test_the_nervous_plant_misses_its_planned_ends(long: Path) -> None:
    orders = {}
    for path in sorted((long / "mes/work_orders").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            orders[row["work_order_id"]] = row
    done = [o for o in orders.values() if o["status"] == "COMPLETED"]

    def adherence(plant: str) -> float:
        mine = [o for o in done if o["line_id"].startswith(plant)]
        return sum(o["actual_end"] <= o["planned_end"] for o in mine) / len(mine)

    calm = [adherence(p) for p in ("SZ", "HP")]
    assert all(adherence(NERVOUS_PLANT) < a - 0.2 for a in calm)


def test_a_realistic_change_population(long: Path) -> None:
    changes = _truth(long, "engineering_changes")
    assert {"OPEN", "APPROVED", "IMPLEMENTED", "REJECTED", "CANCELLED"} <= set(changes["status"])
    assert set(changes["priority"]) == {"LOW", "MEDIUM", "HIGH"}
    approval = changes["approval_days"].drop_nulls()
    assert 1 < approval.mean() < 20 and approval.min() > 0
    months = _truth(long, "eco_month")
    assert months["open_ecos"].max() > 0 and months["eco_effect_days"].drop_nulls().min() >= 3


# -- the truth functions, worked by hand ------------------------------------------------------
H = 3600


def test_frozen_window_changes_by_hand() -> None:
    # Window [0, 48 h). Previous version: A at 1 h (qty 100), B at 10 h, C at 20 h, E at 60 h.
    # Current: A moved 30 min (not a change), B moved 2 h (change), C re-quantified (change),
    # D new at 5 h (change), E gone but outside both windows (not counted), F at 47 h in both
    # unchanged. Keys in either window: A B C D F = 5; changed: B C D = 3.
    previous = {
        ("A", 10): (1 * H, 100.0),
        ("B", 10): (10 * H, 50.0),
        ("C", 10): (20 * H, 80.0),
        ("E", 10): (60 * H, 10.0),
        ("F", 10): (47 * H, 5.0),
    }
    current = {
        ("A", 10): (1 * H + 1800, 100.0),
        ("B", 10): (12 * H, 50.0),
        ("C", 10): (20 * H, 90.0),
        ("D", 10): (5 * H, 40.0),
        ("F", 10): (47 * H, 5.0),
    }
    assert frozen_window_changes(previous, current, 0) == (3, 5)
    # An operation that left the window for a start 3 h later (48 h -> 51 h) still counts.
    assert frozen_window_changes({("G", 10): (46 * H, 1.0)}, {("G", 10): (49 * H, 1.0)}, 0) == (
        1,
        1,
    )


def test_planned_qty_on_date_by_hand() -> None:
    # Day 1 = [24 h, 48 h). Op 1: 18:00 day 0 -> 06:00 day 1, 120 units: half its time (6 of
    # 12 h) inside day 1 -> 60. Op 2 wholly inside, 40 units -> 40. Op 3 has no duration and
    # starts in day 1 -> all 7. Op 4 on day 2 -> nothing.
    ops = [
        ("L1", "P1", 18 * H, 30 * H, 120.0),
        ("L1", "P1", 30 * H, 34 * H, 40.0),
        ("L1", "P2", 40 * H, 40 * H, 7.0),
        ("L1", "P1", 50 * H, 52 * H, 9.0),
    ]
    assert planned_qty_on_date(ops, 1) == {("L1", "P1"): 100.0, ("L1", "P2"): 7.0}


def test_plan_attainment_by_hand() -> None:
    # L1 planned 100 + 60 on day d, made 150 -> 150 / 160 = 0.9375; L2 made 20 with no
    # plan -> null.
    d = date(2026, 3, 2)
    planned = pl.DataFrame(
        {
            "plant_id": ["SZ", "SZ"],
            "line_id": ["L1", "L1"],
            "date": [d, d],
            "planned_qty": [100.0, 60.0],
        }
    )
    good = pl.DataFrame(
        {"plant_id": ["SZ", "SZ"], "line_id": ["L1", "L2"], "date": [d, d], "good_qty": [150, 20]}
    )
    out = plan_attainment(planned, good)
    assert out.select("line_id", "plan_attainment").rows() == [("L1", 0.9375), ("L2", None)]


def _change(eco, status, created, approved=None, effective=None, closed=None, to="C"):
    return {
        "eco_id": eco,
        "product_id": "P1",
        "from_revision": "B",
        "to_revision": to,
        "priority": "HIGH",
        "status": status,
        "created_at": created,
        "approved_at": approved,
        "effective_date": effective,
        "closed_at": closed,
    }


def test_change_days_and_open_ecos_by_hand() -> None:
    # E1: created 1 Mar 08:00, approved 3 Mar 20:00 -> 2.5 days; effective 10 Mar -> from
    # 3 Mar 20:00 to 10 Mar 00:00 = 6 1/6 days; closed 20 Apr (open at the end of March).
    # E2: created 25 Mar, rejected 2 Apr: REJECTED, so never counted open.
    # E3: created 31 Mar 23:00, still open -> open at the end of March and of April.
    # March: approved 1 (2.5 days), effective 1 (6.1667 days), open E1 + E3 = 2.
    # April: nothing approved or effective; open E3 = 1 (E1 closed on 20 Apr).
    changes = [
        _change(
            "E1",
            "IMPLEMENTED",
            "2026-03-01T08:00:00+08:00",
            "2026-03-03T20:00:00+08:00",
            "2026-03-10",
            "2026-04-20T16:00:00+08:00",
        ),
        _change("E2", "REJECTED", "2026-03-25T09:00:00+08:00", closed="2026-04-02T09:00:00+08:00"),
        _change("E3", "OPEN", "2026-03-31T23:00:00+08:00", to="D"),
    ]
    durations = change_durations(changes)
    e1 = durations.filter(pl.col("eco_id") == "E1").to_dicts()[0]
    assert e1["approval_days"] == 2.5 and e1["effect_days"] == pytest.approx(37 / 6)
    months = eco_by_month(durations, date(2026, 3, 1), date(2026, 4, 30)).to_dicts()
    assert [(m["approved"], m["effective"], m["open_ecos"]) for m in months] == [
        (1, 1, 2),
        (0, 0, 1),
    ]
    assert months[0]["eco_approval_days"] == 2.5 and months[1]["eco_approval_days"] is None


def test_superseded_share_by_hand() -> None:
    # P1 B -> C effective 10 Mar. Line L1 on 10 Mar: WO1 (rev B) made 30 ending 10 Mar,
    # WO2 (rev C) made 70 -> 30 / 100 = 0.3. On 9 Mar WO1 made 50 ending 9 Mar: B is current
    # then -> 0. A report of production date 9 Mar ending after midnight (10 Mar) on WO1:
    # 20 superseded of 20 on L2.
    d9, d10 = date(2026, 3, 9), date(2026, 3, 10)
    changes = [_change("E1", "IMPLEMENTED", "2026-03-01T08:00:00+08:00", effective="2026-03-10")]
    changes[0]["approved_at"] = "2026-03-02T08:00:00+08:00"
    output = [
        ("SZ", "L1", d10, "WO1", d10, 30),
        ("SZ", "L1", d10, "WO2", d10, 70),
        ("SZ", "L1", d9, "WO1", d9, 50),
        ("SZ", "L2", d9, "WO3", d10, 20),
    ]
    orders = {"WO1": ("P1", "B"), "WO2": ("P1", "C"), "WO3": ("P1", "B")}
    out = superseded_share(output, orders, changes)
    got = {(r["line_id"], r["date"]): r["superseded_revision_share"] for r in out.to_dicts()}
    assert got == {("L1", d9): 0.0, ("L1", d10): 0.3, ("L2", d9): 1.0}


def test_product_revisions_follow_the_changes(long: Path) -> None:
    # The final state of every revision named by an implemented change: its to_revision is
    # RELEASED and its from_revision OBSOLETE.
    latest: dict[tuple[str, str], str] = {}
    for path in sorted((long / "plm/product_revisions").glob("*.xlsx")):
        sheet = openpyxl.load_workbook(path).worksheets[0]
        for row in sheet.iter_rows(min_row=5, values_only=True):
            if row[0] and row[2] in ("IN_WORK", "RELEASED", "OBSOLETE"):
                latest[(row[0], row[1])] = row[2]
    implemented = _truth(long, "engineering_changes").filter(
        (pl.col("status") == "IMPLEMENTED")
        & (
            pl.col("closed_at")
            < datetime.combine(LONG_START, datetime.min.time()) + timedelta(days=LONG_DAYS - 30)
        )
    )
    assert implemented.height > 5
    for product, old, new in implemented.select(
        "product_id", "from_revision", "to_revision"
    ).iter_rows():
        assert latest[(product, new)] in ("RELEASED", "OBSOLETE")
        assert latest[(product, old)] == "OBSOLETE"
