"""A production day's records, and the files they become.

`DayOutput` gathers what the simulation emits for one day; `InboxFiles` writes the master
data, each day's extracts, the leftover bad rows and the manifest, in that order, because
the bad-row injector must see every file in the order a run writes it. Only one day's
records are held at a time, so memory stays flat however large the factory.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from . import states as st
from .badrows import BadRows
from .factory import DAY_S, build_factory
from .production import WorkOrder
from .writers import FORMATS, HP_STATE_COLUMNS, PLM_CHANGE_COLUMNS, InboxWriter

TS_FORMAT = "%Y-%m-%d %H:%M:%S"
MAPPING = """\
# Column names a site's systems export, mapped to Andon's contract names (SOURCES.md).
"""


def _ts(values) -> pl.Series:
    """Local epoch seconds -> 'YYYY-MM-DD HH:MM:SS'; negative values become null."""
    series = pl.Series(np.asarray(values, dtype=np.int64))
    text = pl.from_epoch(series, time_unit="s").dt.strftime(TS_FORMAT)
    return pl.select(pl.when(series >= 0).then(text).otherwise(None)).to_series()


@dataclass
class DayFiles:
    """The records of one day's files (what `InboxFiles.day` needs)."""

    states_std: list[tuple]
    states_hp: list[tuple]
    meters: list[tuple]
    reports: list[dict]
    inspections: list[dict]
    work_orders: dict[str, dict]
    sales: dict[tuple[str, int], dict]
    purchases: list[dict]
    shipments: list[dict]
    changes: list[dict]
    revisions: list[dict]
    versions: list[dict]
    operations: dict[str, np.ndarray]


@dataclass
class DayOutput:
    """Everything one production day emits, gathered before the files are written."""

    states_std: list[tuple] = field(default_factory=list)
    states_hp: list[tuple] = field(default_factory=list)
    meters: list[tuple] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    inspections: list[dict] = field(default_factory=list)
    work_orders: dict[str, dict] = field(default_factory=dict)
    sales: dict[tuple[str, int], dict] = field(default_factory=dict)
    purchases: list[dict] = field(default_factory=list)
    shipments: list[dict] = field(default_factory=list)
    production: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    report_seq: list[int] = field(default_factory=lambda: [0])
    # produced quantity per (line, work order, plant-local epoch day of the report's end)
    order_output: dict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    changes: list[dict] = field(default_factory=list)
    revisions: list[dict] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)
    operations: dict[str, np.ndarray] = field(default_factory=dict)

    def states(self, plant, eq_ids, start, end, code) -> None:
        target = self.states_hp if plant == "HP" else self.states_std
        target.append((eq_ids, start, end, code))

    def meter(self, eq_ids, utc_start, kwh) -> None:
        self.meters.append((eq_ids, utc_start, kwh))

    def work_order(self, wo: WorkOrder) -> None:
        self.work_orders[wo.work_order_id] = {
            "work_order_id": wo.work_order_id,
            "product_id": wo.product_id,
            "line_id": wo.line_id,
            "sales_order_id": None,
            "sales_order_line": None,
            "planned_qty": wo.planned_qty,
            "planned_start": wo.planned_start,
            "planned_end": wo.planned_end,
            "actual_start": wo.actual_start,
            "actual_end": wo.actual_end,
            "status": wo.status,
            "revision": wo.revision,
        }

    def report(self, wo, equipment_id, start, end, produced, good, scrap, rework, lot) -> None:
        self.report_seq[0] += 1
        self.order_output[(wo.line_id, wo.work_order_id, end // DAY_S)] += produced
        self.reports.append(
            {
                "report_id": f"PR-{self.report_seq[0]:09d}",
                "work_order_id": wo.work_order_id,
                "equipment_id": equipment_id,
                "product_id": wo.product_id,
                "start_ts": start,
                "end_ts": end,
                "produced_qty": produced,
                "good_qty": good,
                "scrap_qty": scrap,
                "rework_qty": rework,
                "lot_id": lot,
            }
        )

    def inspection(self, row: dict) -> None:
        self.inspections.append(row)

    def produced(self, plant: str, product: str, good: int) -> None:
        self.production[(plant, product)] += good

    def sales_line(self, row: dict) -> None:
        self.sales[(row["order_id"], row["line_no"])] = row

    def purchase_line(self, row: dict) -> None:
        self.purchases.append(row)

    def shipment(self, row: dict) -> None:
        self.shipments.append(row)

    def files(self) -> DayFiles:
        return DayFiles(
            self.states_std,
            self.states_hp,
            self.meters,
            self.reports,
            self.inspections,
            self.work_orders,
            self.sales,
            self.purchases,
            self.shipments,
            self.changes,
            self.revisions,
            self.versions,
            self.operations,
        )


@dataclass
class Written:
    """What the files of a run add up to."""

    files: int
    rows: dict[str, int]
    bad_rows: int


class InboxFiles:
    """Writes a run's files in order: master data, one call per day, then `finish`."""

    def __init__(self, out: Path, seed: int, start: date, end: date, scale: float):
        self.out, self.start, self.end = out, start, end
        self.factory = build_factory(scale)
        self.bad = BadRows(seed, start, end)
        self.writer = InboxWriter(out, self.bad)
        self.rows: dict[str, int] = defaultdict(int)
        self.offsets = {p.plant_id: p.offset_text for p in self.factory.plants}

    def write(self, entity: str, name: str, frame: pl.DataFrame, **kwargs) -> None:
        if frame.height == 0 and not any(s.entity == entity for s in self.bad.leftovers()):
            return
        self.writer.write(entity, name, frame, **kwargs)
        self.rows[entity] += frame.height

    def master_data(self, revisions: list[dict]) -> None:
        f = self.factory
        self.write(
            "plants",
            "plants",
            pl.DataFrame(
                [
                    {
                        "plant_id": p.plant_id,
                        "plant_name": p.plant_name,
                        "timezone": p.timezone,
                        "country": p.country,
                    }
                    for p in f.plants
                ]
            ),
        )
        self.write(
            "equipment",
            "equipment",
            pl.DataFrame(
                [
                    {
                        "equipment_id": e.equipment_id,
                        "equipment_name": e.equipment_name,
                        "line_id": line.line_id,
                        "line_name": line.line_name,
                        "area": e.area,
                        "plant_id": e.plant_id,
                    }
                    for line in f.lines
                    for e in line.equipment
                ]
            ),
        )
        self.write(
            "routings",
            "routings",
            pl.DataFrame(
                [
                    {"product_id": p, "equipment_id": e, "ideal_cycle_time_s": c}
                    for (p, e), c in f.routings.items()
                ]
            ),
        )
        self.write(
            "shifts",
            "shifts",
            pl.DataFrame(
                [
                    {
                        "plant_id": s.plant_id,
                        "shift_code": s.shift_code,
                        "start_time": s.start_time,
                        "end_time": s.end_time,
                        "planned_break_min": s.planned_break_min,
                    }
                    for s in f.shifts
                ]
            ),
        )
        self.write(
            "defect_codes",
            "defect_codes",
            pl.DataFrame(
                f.defect_codes, schema=list(FORMATS["defect_codes"].columns), orient="row"
            ),
        )
        self.write(
            "materials",
            "materials",
            pl.DataFrame(
                [
                    {
                        "material_id": m.material_id,
                        "description": m.description,
                        "description_zh": m.description_zh,
                        "material_type": m.material_type,
                        "uom": m.uom,
                        "standard_cost": m.standard_cost,
                        "currency": "CNY",
                        "product_family": m.product_family or None,
                    }
                    for m in f.materials
                ]
            ),
        )
        self.write("customers", "customers", pl.DataFrame([vars(c) for c in f.customers]))
        self.write(
            "suppliers",
            "suppliers",
            pl.DataFrame(
                [
                    {
                        "supplier_id": s.supplier_id,
                        "supplier_name": s.supplier_name,
                        "region": s.region,
                    }
                    for s in f.suppliers
                ]
            ),
        )
        # Exported when the period opens: a later end must not rewrite the master data.
        exported = datetime.combine(self.start, datetime.min.time()).replace(hour=6)
        self.write(
            "warehouses",
            "warehouses",
            pl.DataFrame(
                [
                    {
                        "warehouse_id": w.warehouse_id,
                        "plant_id": w.plant_id,
                        "warehouse_name": w.warehouse_name,
                    }
                    for w in f.warehouses
                ]
            ),
            exported=exported,
        )
        self.write(
            "product_revisions", "product_revisions", pl.DataFrame(revisions), exported=exported
        )
        mapping = MAPPING + yaml.safe_dump(
            {
                "sites": [
                    {
                        "site": "HP",
                        "description": "Haiphong MES exports its own column names",
                        "files": "mes/equipment_states/HP_*",
                        "columns": {v: k for k, v in HP_STATE_COLUMNS.items()},
                    },
                    {
                        "site": "PLM",
                        "description": "The PLM exports engineering changes with XML-ish names",
                        "files": "plm/engineering_changes/*",
                        "columns": {v: k for k, v in PLM_CHANGE_COLUMNS.items()},
                    },
                ]
            },
            sort_keys=False,
            allow_unicode=True,
        )
        (self.out / "andon_mapping.yaml").write_text(mapping, encoding="utf-8")

    # -- daily files ---------------------------------------------------------------------
    def day(self, day: date, out: DayFiles, movements: dict, snapshot: dict) -> None:
        stamp = f"{day:%Y-%m-%d}"
        for parts, prefix, columns in (
            (out.states_std, "", None),
            (out.states_hp, "HP_", HP_STATE_COLUMNS),
        ):
            if parts:
                frame = _states_frame(parts)
                if columns:
                    frame = frame.rename(columns)
                self.write(
                    "equipment_states",
                    f"{prefix}equipment_states_{stamp}",
                    frame,
                    columns=tuple(frame.columns),
                )
        if out.reports:
            self.write(
                "production_reports",
                f"production_reports_{stamp}",
                _frame(out.reports, ("start_ts", "end_ts")),
            )
        if out.inspections:
            self.write(
                "quality_inspections",
                f"quality_inspections_{stamp}",
                _frame(out.inspections, ("inspected_at",)),
            )
        if out.work_orders:
            self.write(
                "work_orders",
                f"work_orders_{stamp}",
                _frame(
                    list(out.work_orders.values()),
                    ("planned_start", "planned_end", "actual_start", "actual_end"),
                ),
            )
        if out.sales:
            self.write(
                "sales_order_lines",
                f"sales_order_lines_{stamp}",
                _dates(pl.DataFrame(list(out.sales.values()))),
            )
        if out.purchases:
            self.write(
                "purchase_order_lines",
                f"purchase_order_lines_{stamp}",
                _dates(pl.DataFrame(out.purchases)),
            )
        if out.shipments:
            self.write("shipments", f"shipments_{stamp}", _frame(out.shipments, ("shipped_at",)))
        self.write_movements(day, movements)
        self._plm_aps(day, stamp, out)
        if snapshot["warehouse_id"]:
            frame = pl.DataFrame(snapshot).with_columns(
                snapshot_date=pl.lit(stamp), lot_id=pl.lit(None, dtype=pl.String)
            )
            self.write("stock_snapshots", f"stock_snapshots_{stamp}", frame)
        if out.meters:
            frame = pl.DataFrame(
                {
                    "equipment_id": np.concatenate([m[0] for m in out.meters]).astype(str),
                    "interval_start": pl.from_epoch(
                        pl.Series(np.concatenate([m[1] for m in out.meters])), time_unit="s"
                    )
                    .dt.cast_time_unit("us")
                    .dt.replace_time_zone("UTC"),
                    "interval_minutes": np.full(sum(len(m[0]) for m in out.meters), 15, np.int32),
                    "energy_kwh": np.concatenate([m[2] for m in out.meters]),
                }
            )
            self.write("meter_readings", f"meter_readings_{stamp}", frame)

    def _plm_aps(self, day: date, stamp: str, out: DayFiles) -> None:
        exported = datetime.combine(day, datetime.min.time()).replace(hour=23)
        if out.revisions:
            self.write(
                "product_revisions",
                f"product_revisions_{stamp}",
                pl.DataFrame(out.revisions),
                exported=exported,
            )
        if out.changes:
            frame = pl.DataFrame(out.changes, infer_schema_length=None).rename(PLM_CHANGE_COLUMNS)
            self.write("engineering_changes", f"engineering_changes_{stamp}", frame)
        if out.versions:
            self.write(
                "schedule_versions", f"schedule_versions_{stamp}", pl.DataFrame(out.versions)
            )
        if out.operations:
            ops = out.operations
            frame = pl.DataFrame(
                {
                    "plan_version": ops["plan_version"].astype(str),
                    "work_order_id": ops["work_order_id"].astype(str),
                    "operation_no": ops["operation_no"],
                    "line_id": ops["line_id"].astype(str),
                    "equipment_id": ops["equipment_id"].astype(str),
                    "planned_start": _ts(ops["planned_start"]),
                    "planned_end": _ts(ops["planned_end"]),
                    "planned_qty": ops["planned_qty"].astype(np.float64),
                }
            )
            self.write("planned_operations", f"planned_operations_{stamp}", frame)

    def write_movements(self, day: date, cols: dict) -> None:
        if not cols["movement_id"]:
            return
        frame = pl.DataFrame(cols, schema_overrides={"reference_line": pl.Int64}).with_columns(
            movement_ts=pl.concat_str(
                pl.from_epoch(pl.col("ts"), time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S"),
                pl.col("plant").replace_strict(self.offsets),
            )
        )
        self.write("inventory_movements", f"inventory_movements_{day:%Y-%m-%d}", frame)

    def write_leftovers(self) -> None:
        for spec in self.bad.leftovers():
            if spec.done:
                continue
            fmt = FORMATS[spec.entity]
            prefix = "HP_" if spec.variant else ""
            columns = fmt.columns
            if spec.variant:
                columns = tuple(HP_STATE_COLUMNS.get(c, c) for c in columns)
            empty = pl.DataFrame(schema={c: pl.String for c in columns})
            self.write(
                spec.entity, f"{prefix}{spec.entity}_{self.end:%Y-%m-%d}", empty, columns=columns
            )

    def finish(self) -> Written:
        """The bad rows still pending (a file dated `end`), then the manifest."""
        self.write_leftovers()
        self.bad.write_manifest(self.out)
        rows = {k: v for k, v in sorted(self.rows.items())}
        return Written(self.writer.files, rows, len(self.bad.manifest))


def _states_frame(parts: list[tuple]) -> pl.DataFrame:
    code = np.concatenate([p[3] for p in parts]).astype(np.int64)
    frame = pl.DataFrame(
        {
            "equipment_id": np.concatenate([p[0] for p in parts]).astype(str),
            "start_ts": _ts(np.concatenate([p[1] for p in parts])),
            "end_ts": _ts(np.concatenate([p[2] for p in parts])),
            "state": st.STATE_NAMES[code].astype(str),
            "reason_code": pl.Series(st.REASON_CODES[code].tolist(), dtype=pl.String),
            "reason_text": pl.Series(st.REASON_TEXTS[code].tolist(), dtype=pl.String),
        }
    )
    return frame.sort("equipment_id", "start_ts", maintain_order=True)


def _frame(rows: list[dict], ts_columns: tuple[str, ...]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, infer_schema_length=None)
    return frame.with_columns(_ts(frame[c].fill_null(-1).to_numpy()).alias(c) for c in ts_columns)


def _dates(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
