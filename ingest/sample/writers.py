"""One writer per file format, each the way the real source system exports it.

Every writer turns a frame into physical rows first, lets the bad-row injector slip its
extra rows in, then writes the bytes, so the manifest's row numbers are the file's own.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter


@dataclass(frozen=True)
class FileFormat:
    system: str
    ext: str
    kind: str  # jsonl, json, csv, xlsx, parquet
    columns: tuple[str, ...]
    separator: str = ","
    encoding: str = "utf-8"
    bom: bool = False
    title: str = ""  # xlsx: the title row above the header
    sheet: str = ""  # xlsx: the sheet name


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FORMATS = {
    "plants": FileFormat("mes", "json", "json", _cols("plant_id plant_name timezone country")),
    "equipment": FileFormat(
        "mes",
        "jsonl",
        "jsonl",
        _cols("equipment_id equipment_name line_id line_name area plant_id"),
    ),
    "routings": FileFormat(
        "mes", "jsonl", "jsonl", _cols("product_id equipment_id ideal_cycle_time_s")
    ),
    "shifts": FileFormat(
        "mes",
        "csv",
        "csv",
        _cols("plant_id shift_code start_time end_time planned_break_min"),
        separator=";",
    ),
    "defect_codes": FileFormat(
        "mes", "csv", "csv", _cols("defect_code description description_zh category"), bom=True
    ),
    "equipment_states": FileFormat(
        "mes", "jsonl", "jsonl", _cols("equipment_id start_ts end_ts state reason_code reason_text")
    ),
    "production_reports": FileFormat(
        "mes",
        "jsonl",
        "jsonl",
        _cols(
            "report_id work_order_id equipment_id product_id start_ts end_ts produced_qty good_qty "
            "scrap_qty rework_qty lot_id"
        ),
    ),
    "quality_inspections": FileFormat(
        "mes",
        "jsonl",
        "jsonl",
        _cols(
            "inspection_id product_id inspected_at result lot_id work_order_id equipment_id "
            "characteristic measured_value lsl usl defect_code defect_qty"
        ),
    ),
    "work_orders": FileFormat(
        "mes",
        "jsonl",
        "jsonl",
        _cols(
            "work_order_id product_id line_id sales_order_id sales_order_line planned_qty "
            "planned_start planned_end actual_start actual_end status revision"
        ),
    ),
    "materials": FileFormat(
        "erp",
        "csv",
        "csv",
        _cols(
            "material_id description description_zh material_type uom standard_cost currency "
            "product_family"
        ),
        encoding="gb18030",
    ),
    "customers": FileFormat(
        "erp", "csv", "csv", _cols("customer_id customer_name region segment"), encoding="gb18030"
    ),
    "suppliers": FileFormat(
        "erp", "csv", "csv", _cols("supplier_id supplier_name region"), encoding="gb18030"
    ),
    "sales_order_lines": FileFormat(
        "erp",
        "csv",
        "csv",
        _cols(
            "order_id line_no customer_id material_id order_qty unit_price currency order_date "
            "requested_date promised_date status"
        ),
        encoding="gb18030",
    ),
    "purchase_order_lines": FileFormat(
        "erp",
        "csv",
        "csv",
        _cols(
            "po_id line_no supplier_id material_id order_qty unit_price currency order_date "
            "promised_date"
        ),
        separator="\t",
        encoding="gb18030",
    ),
    "warehouses": FileFormat(
        "wms",
        "xlsx",
        "xlsx",
        _cols("warehouse_id plant_id warehouse_name"),
        title="WMS 仓库主数据 / Warehouse master data",
        sheet="Warehouses",
    ),
    "inventory_movements": FileFormat(
        "wms",
        "csv",
        "csv",
        _cols(
            "movement_id movement_ts warehouse_id material_id movement_type qty lot_id "
            "reference_type reference_id reference_line"
        ),
        bom=True,
    ),
    "stock_snapshots": FileFormat(
        "wms",
        "csv",
        "csv",
        _cols("snapshot_date warehouse_id material_id lot_id on_hand_qty"),
        separator=";",
    ),
    "shipments": FileFormat(
        "wms",
        "csv",
        "csv",
        _cols(
            "shipment_id order_id line_no material_id shipped_qty shipped_at warehouse_id lot_id"
        ),
    ),
    "meter_readings": FileFormat(
        "scada",
        "parquet",
        "parquet",
        _cols("equipment_id interval_start interval_minutes energy_kwh"),
    ),
    "product_revisions": FileFormat(
        "plm",
        "xlsx",
        "xlsx",
        _cols("product_id revision status released_at description"),
        title="PLM 产品版本 / Product revisions",
        sheet="Revisions",
    ),
    "engineering_changes": FileFormat(
        "plm",
        "json",
        "json",
        _cols(
            "ChangeNumber AffectedItem.ItemNumber AffectedItem.OldRevision "
            "AffectedItem.NewRevision Reason.Code Reason.Description Priority Dates.Originated "
            "Dates.Approved AffectedItem.EffectiveDate Dates.Closed Workflow.Status"
        ),
    ),
    "schedule_versions": FileFormat(
        "aps",
        "csv",
        "csv",
        _cols("plan_version plant_id published_at horizon_start horizon_end"),
    ),
    "planned_operations": FileFormat(
        "aps",
        "csv",
        "csv",
        _cols(
            "plan_version work_order_id operation_no line_id equipment_id planned_start "
            "planned_end planned_qty"
        ),
        separator=";",
    ),
}
HP_STATE_COLUMNS = {"equipment_id": "EQUIP_NO", "start_ts": "STATE_START", "end_ts": "STATE_END"}
# The PLM's XML-ish export names (engineering_changes) → contract names; the sample's
# andon_mapping.yaml maps them back.
PLM_CHANGE_COLUMNS = dict(
    zip(
        _cols(
            "eco_id product_id from_revision to_revision reason_code reason_text priority "
            "created_at approved_at effective_date closed_at status"
        ),
        FORMATS["engineering_changes"].columns,
        strict=True,
    )
)
XLSX_HEADER_ROW = 4  # Excel row of the header; data starts on the next row


class InboxWriter:
    """Writes files under the inbox and counts them; `inject` adds the planned bad rows."""

    def __init__(self, out: Path, inject):
        self.out = out
        self.inject = inject
        self.files = 0

    def path(self, entity: str, name: str) -> tuple[Path, str]:
        fmt = FORMATS[entity]
        rel = f"{fmt.system}/{entity}/{name}.{fmt.ext}"
        return self.out / rel, rel

    def write(
        self,
        entity: str,
        name: str,
        frame: pl.DataFrame,
        *,
        columns: tuple[str, ...] | None = None,
        exported: datetime | None = None,
    ) -> None:
        fmt = FORMATS[entity]
        path, rel = self.path(entity, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        columns = columns or fmt.columns
        if fmt.kind == "jsonl":
            text = frame.select(columns).write_ndjson() if frame.height else ""
            lines = text.splitlines()
            lines = self.inject(rel, entity, lines, columns, _json_line)
            path.write_bytes("".join(line + "\n" for line in lines).encode("utf-8"))
        elif fmt.kind == "json":
            rows = frame.select(columns).to_dicts() if frame.height else []
            rows = self.inject(
                rel, entity, rows, columns, lambda row, cols: {c: row.get(c) for c in cols}
            )
            path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        elif fmt.kind == "csv":
            text = frame.select(columns).write_csv(separator=fmt.separator)
            header, *lines = text.splitlines()
            lines = self.inject(rel, entity, lines, columns, _csv_line(fmt.separator))
            data = "".join(line + "\n" for line in [header, *lines]).encode(fmt.encoding)
            path.write_bytes((b"\xef\xbb\xbf" if fmt.bom else b"") + data)
        elif fmt.kind == "xlsx":
            rows = [list(r) for r in frame.select(columns).iter_rows()]
            rows = self.inject(
                rel, entity, rows, columns, lambda row, cols: [row.get(c) for c in cols]
            )
            _write_xlsx(path, fmt, columns, rows, exported or datetime(2026, 1, 1))
        elif fmt.kind == "parquet":
            slots = self.inject(rel, entity, [None] * frame.height, columns, lambda row, cols: row)
            extra = [(i, row) for i, row in enumerate(slots) if row is not None]
            if extra:
                frame = _insert_rows(frame, extra)
            table = (
                frame.select(columns)
                .to_arrow()
                .cast(
                    pa.schema(
                        [
                            ("equipment_id", pa.string()),
                            ("interval_start", pa.timestamp("us", tz="UTC")),
                            ("interval_minutes", pa.int32()),
                            ("energy_kwh", pa.float64()),
                        ]
                    )
                )
            )
            pq.write_table(table, path, compression="zstd")
        self.files += 1


def _json_line(row: dict, columns: tuple[str, ...]) -> str:
    return json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False)


def _csv_line(separator: str):
    def render(row: dict, columns: tuple[str, ...]) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=separator, lineterminator="")
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
        return buffer.getvalue()

    return render


def _insert_rows(frame: pl.DataFrame, rows: list[tuple[int, dict]]) -> pl.DataFrame:
    """Insert (final 0-based position, row) pairs into a frame, lowest position first."""
    for position, row in sorted(rows, key=lambda item: item[0]):
        extra = pl.DataFrame([row], schema=frame.schema)
        frame = pl.concat([frame.slice(0, position), extra, frame.slice(position)])
    return frame


def _write_xlsx(path: Path, fmt: FileFormat, columns, rows, exported: datetime) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    workbook.set_properties({"created": exported, "author": fmt.system.upper()})
    sheet = workbook.add_worksheet(fmt.sheet)
    bold = workbook.add_format({"bold": True})
    sheet.write(0, 0, fmt.title, bold)
    sheet.write(1, 0, f"Exported {exported:%Y-%m-%d %H:%M}")
    for c, name in enumerate(columns):
        sheet.write(XLSX_HEADER_ROW - 1, c, name, bold)
    for r, row in enumerate(rows, start=XLSX_HEADER_ROW):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    sheet.set_column(0, len(columns) - 1, 24)
    workbook.close()
