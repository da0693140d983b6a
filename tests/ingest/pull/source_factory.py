"""The sample factory as its source systems hold it: MES/ERP/WMS tables in a real database.

`load_slice(server, warehouse)` reads the sample's landed rows (`raw.<entity>` of a warehouse
the sample inbox was ingested into: the latest extract of every key, quarantined rows never
landed) and loads them into source-shaped tables with the systems' OWN column names - an MES
`mes.machine_state_log(machine_no, state_begin, …)`, an SAP-like ERP `so_header`/`so_item`,
a WMS `stock_move` - each with a rising `id` and an `updated_at` for watermarks. On
PostgreSQL every system is a schema of one new database; on MariaDB every system is its own
new database (`erp_s1`, `wms_s1`, …). `Slice.sources()` is the matching sources.yaml content.

    from tests.ingest.pull.source_factory import load_slice

    mes = load_slice(postgres_server, warehouse, ["equipment_states", "production_reports"])
    monkeypatch.setenv(mes.password_env, mes.server.password)
    sources = mes.write_sources(tmp_path / "sources.yaml")   # then ingest.sources.load_sources
    mes.insert_rows("equipment_states", 10)                   # then pull again …
    combined_sources(mes, erp_wms)                            # one dict for several slices

Values round-trip exactly: text and dates as they are, decimals as NUMERIC/DECIMAL(18,4)
(the sample has at most 4 places), timestamps as naive plant-local wall-clock time
(`timestamp` / `DATETIME(6)`, microseconds kept) - the SOURCES.md meaning of a timestamp
without offset. The WMS's movement times carry an offset in the sample's files (+08:00 /
+07:00, the plant's own zone); the WMS keeps the same wall-clock time without it, which is
the same instant, so a pulled `movement_ts_utc_offset_min` is NULL where the file's was set.
`mes.production_report.updated_at` is a `timestamptz` (UTC); every other `updated_at` is a
naive timestamp.

Change helpers (for incremental pulls): `insert_rows` (new rows after the newest),
`update_rows` (a value changes and `updated_at` moves on - or back, inside or outside a
look-back), `drop_column`, `rename_column`; `rows()` reads a table back in contract terms.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from ingest.contracts import Contract, load_contracts
from tests.dbservers import MariaDBServer, PostgresServer
from warehouse.connections import connect_read

MASTER_UPDATED_AT = datetime(2026, 9, 1, 6, 0, 0)
UPDATED_MARK = " (upd)"  # appended to a text column by update_rows
DEFAULT_LOOKBACK = "2h"
_TAGS = itertools.count(1)


@dataclass(frozen=True)
class Table:
    """One entity's table at its source system (source column → contract column)."""

    entity: str
    name: str
    columns: tuple[tuple[str, str], ...]
    touch: str  # the source column update_rows changes (text: a mark appended; number: +1)
    unique: str | None = None  # the source column a clone makes unique (default: see _clone)
    watermark: dict[str, Any] | None = None  # None: master data, read whole
    updated_at_type: str = "timestamp"

    def source(self, contract_column: str) -> str:
        return next(s for s, c in self.columns if c == contract_column)

    @property
    def renames(self) -> dict[str, str]:
        return {s: c for s, c in self.columns if s != c}


_UPDATED = {"column": "updated_at"}  # lookback filled in by Slice.sources()

TABLES: dict[str, Table] = {
    t.entity: t
    for t in [
        # ---- MES ------------------------------------------------------------------------
        Table(
            "plants",
            "plant",
            (
                ("plant_code", "plant_id"),
                ("plant_name", "plant_name"),
                ("tz_name", "timezone"),
                ("country_cd", "country"),
            ),
            touch="plant_name",
        ),
        Table(
            "equipment",
            "equipment_master",
            (
                ("machine_no", "equipment_id"),
                ("machine_name", "equipment_name"),
                ("line_code", "line_id"),
                ("line_name", "line_name"),
                ("area_name", "area"),
                ("plant_code", "plant_id"),
            ),
            touch="machine_name",
        ),
        Table(
            "routings",
            "routing",
            (
                ("product_no", "product_id"),
                ("machine_no", "equipment_id"),
                ("std_cycle_sec", "ideal_cycle_time_s"),
            ),
            touch="std_cycle_sec",
        ),
        Table(
            "shifts",
            "line_shift",
            (
                ("plant_code", "plant_id"),
                ("shift_cd", "shift_code"),
                ("shift_begin", "start_time"),
                ("shift_end", "end_time"),
                ("break_min", "planned_break_min"),
            ),
            touch="break_min",
            unique="shift_cd",
        ),
        Table(
            "work_orders",
            "work_order",
            (
                ("wo_no", "work_order_id"),
                ("product_no", "product_id"),
                ("line_code", "line_id"),
                ("so_no", "sales_order_id"),
                ("so_line", "sales_order_line"),
                ("plan_qty", "planned_qty"),
                ("plan_start", "planned_start"),
                ("plan_end", "planned_end"),
                ("act_start", "actual_start"),
                ("act_end", "actual_end"),
                ("wo_status", "status"),
                ("rev_code", "revision"),
            ),
            touch="plan_qty",
            watermark=_UPDATED,
        ),
        Table(
            "equipment_states",
            "machine_state_log",
            (
                ("machine_no", "equipment_id"),
                ("state_begin", "start_ts"),
                ("state_end", "end_ts"),
                ("state_cd", "state"),
                ("reason_cd", "reason_code"),
                ("reason_desc", "reason_text"),
            ),
            touch="reason_desc",
            watermark=_UPDATED,
        ),
        Table(
            "production_reports",
            "production_report",
            (
                ("report_no", "report_id"),
                ("wo_no", "work_order_id"),
                ("machine_no", "equipment_id"),
                ("product_no", "product_id"),
                ("t_start", "start_ts"),
                ("t_end", "end_ts"),
                ("qty_produced", "produced_qty"),
                ("qty_good", "good_qty"),
                ("qty_scrap", "scrap_qty"),
                ("qty_rework", "rework_qty"),
                ("lot_no", "lot_id"),
            ),
            touch="lot_no",
            watermark=_UPDATED,
            updated_at_type="timestamptz",
        ),
        Table(
            "quality_inspections",
            "quality_inspection",
            (
                ("insp_no", "inspection_id"),
                ("product_no", "product_id"),
                ("insp_time", "inspected_at"),
                ("insp_result", "result"),
                ("lot_no", "lot_id"),
                ("wo_no", "work_order_id"),
                ("machine_no", "equipment_id"),
                ("char_name", "characteristic"),
                ("meas_value", "measured_value"),
                ("lsl", "lsl"),
                ("usl", "usl"),
                ("defect_cd", "defect_code"),
                ("defect_qty", "defect_qty"),
            ),
            touch="char_name",
            watermark=_UPDATED,
        ),
        Table(
            "defect_codes",
            "defect_code",
            (
                ("defect_cd", "defect_code"),
                ("defect_desc", "description"),
                ("defect_desc_zh", "description_zh"),
                ("defect_cat", "category"),
            ),
            touch="defect_desc",
        ),
        # ---- ERP (SAP-like names) -------------------------------------------------------
        Table(
            "materials",
            "material_master",
            (
                ("matnr", "material_id"),
                ("maktx", "description"),
                ("maktx_zh", "description_zh"),
                ("mtart", "material_type"),
                ("meins", "uom"),
                ("stprs", "standard_cost"),
                ("waers", "currency"),
                ("prdha", "product_family"),
            ),
            touch="maktx",
        ),
        Table(
            "customers",
            "customer",
            (
                ("kunnr", "customer_id"),
                ("name1", "customer_name"),
                ("regio", "region"),
                ("segment", "segment"),
            ),
            touch="name1",
        ),
        Table(
            "suppliers",
            "vendor",
            (("lifnr", "supplier_id"), ("name1", "supplier_name"), ("regio", "region")),
            touch="name1",
        ),
        # Order header and items: the entity is read with a query joining the two.
        Table(
            "sales_order_lines",
            "so_item",
            (
                ("vbeln", "order_id"),
                ("posnr", "line_no"),
                ("kunnr", "customer_id"),
                ("matnr", "material_id"),
                ("kwmeng", "order_qty"),
                ("netpr", "unit_price"),
                ("waerk", "currency"),
                ("erdat", "order_date"),
                ("req_dlv_date", "requested_date"),
                ("conf_dlv_date", "promised_date"),
                ("item_status", "status"),
            ),
            touch="kwmeng",
            unique="posnr",
            watermark=_UPDATED,
        ),
        Table(
            "purchase_order_lines",
            "po_item",
            (
                ("ebeln", "po_id"),
                ("ebelp", "line_no"),
                ("lifnr", "supplier_id"),
                ("matnr", "material_id"),
                ("menge", "order_qty"),
                ("netpr", "unit_price"),
                ("waers", "currency"),
                ("bedat", "order_date"),
                ("eindt", "promised_date"),
            ),
            touch="menge",
            watermark=_UPDATED,
        ),
        # ---- WMS ------------------------------------------------------------------------
        Table(
            "warehouses",
            "wh_location",
            (
                ("wh_code", "warehouse_id"),
                ("plant_code", "plant_id"),
                ("wh_name", "warehouse_name"),
            ),
            touch="wh_name",
        ),
        # An append-only movement journal: pulled by its rising id.
        Table(
            "inventory_movements",
            "stock_move",
            (
                ("move_no", "movement_id"),
                ("move_time", "movement_ts"),
                ("wh_code", "warehouse_id"),
                ("item_code", "material_id"),
                ("move_type", "movement_type"),
                ("move_qty", "qty"),
                ("lot_no", "lot_id"),
                ("ref_type", "reference_type"),
                ("ref_no", "reference_id"),
                ("ref_line", "reference_line"),
            ),
            touch="lot_no",
            watermark={"column": "id", "type": "id", "lookback": 0},
        ),
        Table(
            "stock_snapshots",
            "stock_daily",
            (
                ("snap_date", "snapshot_date"),
                ("wh_code", "warehouse_id"),
                ("item_code", "material_id"),
                ("lot_no", "lot_id"),
                ("qty_on_hand", "on_hand_qty"),
            ),
            touch="qty_on_hand",
            watermark=_UPDATED,
        ),
        Table(
            "shipments",
            "shipment_line",
            (
                ("ship_no", "shipment_id"),
                ("so_no", "order_id"),
                ("so_line", "line_no"),
                ("item_code", "material_id"),
                ("ship_qty", "shipped_qty"),
                ("ship_time", "shipped_at"),
                ("wh_code", "warehouse_id"),
            ),
            touch="ship_qty",
            watermark=_UPDATED,
        ),
    ]
}
ENTITIES = tuple(TABLES)
# The sales order header: what so_item's query takes from it (the rest lives on the item).
SO_HEADER = ("vbeln", "kunnr", "waerk", "erdat")
SO_QUERY = (
    "select h.vbeln, i.posnr, h.kunnr, i.matnr, i.kwmeng, i.netpr, h.waerk, h.erdat,"
    " i.req_dlv_date, i.conf_dlv_date, i.item_status,"
    " greatest(h.updated_at, i.updated_at) as updated_at"
    " from {s}so_header h join {s}so_item i on i.vbeln = h.vbeln"
    " where i.item_status <> 'X'"  # 'X': a deleted item, never an Andon status
)

# contract type → (PostgreSQL, MariaDB) column type
_TYPES = {
    "text": ("varchar(255)", "varchar(255)"),
    "integer": ("integer", "int"),
    "decimal": ("numeric(18,4)", "decimal(18,4)"),
    "date": ("date", "date"),
    "timestamp": ("timestamp(6)", "datetime(6)"),
    "time_hhmm": ("varchar(5)", "varchar(5)"),
}
_KEY_TEXT = ("varchar(64)", "varchar(64)")


def _contracts() -> dict[str, Contract]:
    return load_contracts()


def system_of(entity: str) -> str:
    return _contracts()[entity].system


# ---- reading the sample ------------------------------------------------------------------


def latest_rows_sql(entity: str, columns: list[str] | None = None) -> str:
    """DuckDB SELECT of the latest landed row of every key of `raw.<entity>`."""
    contract = _contracts()[entity]
    cols = ", ".join(columns or contract.names)
    return (
        f"select {cols} from raw.{entity} qualify row_number() over ("
        f"partition by {', '.join(contract.key)} order by _load_id desc, _source_row desc) = 1"
    )


def _export_sql(entity: str) -> str:
    """The sample's rows as the source table holds them (source column names, id, updated_at)."""
    table, contract = TABLES[entity], _contracts()[entity]
    parts = []
    for source, target in table.columns:
        kind = contract.column(target).type
        value = f"cast({target} as decimal(18,4))" if kind == "decimal" else target
        parts.append(f"{value} as {source}")
    times = [c.name for c in contract.columns if c.type in ("timestamp", "date")]
    if table.watermark is None or not times:
        updated = f"timestamp '{MASTER_UPDATED_AT:%Y-%m-%d %H:%M:%S}'"
    else:  # written a few minutes after the row's last event
        latest = ", ".join(f"cast({t} as timestamp)" for t in times)
        updated = f"greatest({latest}) + interval 5 minute"
    key = ", ".join(table.source(k) for k in contract.key)
    return (
        f"select row_number() over (order by updated_at, {key}) as id, * from ("
        f"select {', '.join(parts)}, {updated} as updated_at from ({latest_rows_sql(entity)})"
        " latest) s"
    )


def physical_columns(entity: str, table: str | None = None) -> list[str]:
    """The source columns of one of the entity's tables (so_header / so_item split the
    sales order lines; every other entity has one table), without id and updated_at."""
    names = [s for s, _ in TABLES[entity].columns]
    if entity != "sales_order_lines":
        return names
    if table == "so_header":
        return list(SO_HEADER)
    return [n for n in names if n not in SO_HEADER[1:]]


# ---- the loaded slice ---------------------------------------------------------------------


@dataclass
class Slice:
    """A set of entities loaded into one server, and how to pull them back."""

    server: PostgresServer | MariaDBServer
    entities: list[str]
    databases: dict[str, str]  # system → database (PostgreSQL: the same for every system)
    counts: dict[str, int] = field(default_factory=dict)  # entity → rows loaded
    seconds: float = 0.0
    password_env: str = ""

    @property
    def kind(self) -> str:
        return self.server.kind

    @property
    def postgres(self) -> bool:
        return isinstance(self.server, PostgresServer)

    def qualified(self, entity: str, table: str | None = None) -> str:
        """The table's name for a connection to its own database (PostgreSQL: schema.table)."""
        name = table or TABLES[entity].name
        return f"{system_of(entity)}.{name}" if self.postgres else name

    def select_sql(self, entity: str) -> str:
        """What the entity's pull reads: its table, or for sales_order_lines the join."""
        if entity == "sales_order_lines":
            return SO_QUERY.format(s=f"{system_of(entity)}." if self.postgres else "")
        return f"select * from {self.qualified(entity)}"

    def connect(self, entity_or_system: str, autocommit: bool = True):  # noqa: ANN201
        system = entity_or_system
        if system not in self.databases:
            system = system_of(entity_or_system)
        return self.server.connect(database=self.databases[system], autocommit=autocommit)

    def execute(self, entity_or_system: str, sql: str, params: Any = None) -> list:
        """One statement in the database of an entity (or system); its rows, if any."""
        system = entity_or_system
        if system not in self.databases:
            system = system_of(entity_or_system)
        return self.server.execute(sql, params, database=self.databases[system])

    # -- sources.yaml ----------------------------------------------------------------------

    def source_name(self, system: str) -> str:
        return f"{system}_db"

    def sources(
        self,
        *,
        lookback: str | int = DEFAULT_LOOKBACK,
        entities: list[str] | None = None,
        schedule: str | None = None,
    ) -> dict[str, Any]:
        """The sources.yaml content (a dict): one source per system of the slice."""
        found: dict[str, Any] = {}
        for entity in entities or self.entities:
            table, system = TABLES[entity], system_of(entity)
            source = found.setdefault(
                self.source_name(system),
                {
                    "kind": self.kind,
                    "description": f"sample factory {system.upper()} in {self.kind} (test)",
                    "connection": {
                        **self.server.connection(self.databases[system]),
                        "password_env": self.password_env,
                    },
                    "entities": {},
                },
            )
            if schedule:
                source["schedule"] = schedule
            pull: dict[str, Any] = (
                {"query": self.select_sql(entity)}
                if entity == "sales_order_lines"
                else {"table": self.qualified(entity)}
            )
            if table.renames:
                pull["columns"] = table.renames
            if table.watermark:
                mark = dict(table.watermark)
                mark.setdefault("lookback", lookback)
                pull["watermark"] = mark
            source["entities"][entity] = pull
        return {"sources": found}

    def sources_yaml(self, **options: Any) -> str:
        return yaml.safe_dump(self.sources(**options), sort_keys=False, allow_unicode=True)

    def write_sources(self, path: Path, **options: Any) -> Path:
        """Write sources.yaml (see `sources`); returns the path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.sources_yaml(**options), encoding="utf-8")
        return path

    # -- reading back ---------------------------------------------------------------------

    def count(self, entity: str) -> int:
        return self.execute(entity, f"select count(*) from ({self.select_sql(entity)}) q")[0][0]

    def rows(self, entity: str) -> list[tuple]:
        """The entity's rows at the source in contract column order, ordered by key."""
        table, contract = TABLES[entity], _contracts()[entity]
        names = [table.source(c) for c in contract.names]
        order = ", ".join(table.source(k) for k in contract.key)
        return self.execute(
            entity, f"select {', '.join(names)} from ({self.select_sql(entity)}) q order by {order}"
        )

    def max_updated_at(self, entity: str) -> datetime:
        """The newest `updated_at` of the entity's (item) table."""
        return self._one(entity, "max(updated_at)")

    def max_id(self, entity: str) -> int:
        return self._one(entity, "max(id)")

    def _one(self, entity: str, expression: str) -> Any:
        return self.execute(entity, f"select {expression} from {self.qualified(entity)}")[0][0]

    # -- changes ----------------------------------------------------------------------------

    def insert_rows(self, entity: str, n: int, *, updated_at: datetime | None = None) -> int:
        """Copy the `n` newest rows as new rows (new ids, unique keys, times moved past the
        newest; `updated_at` = the newest + 1 min unless given). Returns rows inserted."""
        table, contract = TABLES[entity], _contracts()[entity]
        targets = dict(table.columns)
        types = {s: contract.column(targets[s]).type for s in physical_columns(entity)}
        key = [table.source(k) for k in contract.key]
        timed = [s for s in key if types[s] in ("timestamp", "date")]
        unique = table.unique or (None if timed else key[0])
        times = [s for s, t in types.items() if t in ("timestamp", "date")]
        days = 0
        if times:
            ref = (timed or times)[0]
            low, high = self._one(entity, f"min({ref})"), self._one(entity, f"max({ref})")
            days = (_as_date(high) - _as_date(low)).days + 1 if low is not None else 1
        stamp = updated_at or self.max_updated_at(entity) + timedelta(minutes=1)
        offset = self._one(entity, f"max({unique})") if unique and types[unique] == "integer" else 0
        exprs = []
        for source in types:
            if source == unique and types[source] == "integer":
                exprs.append(f"{source} + {int(offset)}")
            elif source == unique:
                exprs.append(f"concat({source}, '-c', id)")
            elif source in times:
                exprs.append(f"{source} + interval '{days}' day")
            else:
                exprs.append(source)
        name = self.qualified(entity)
        sql = (
            f"insert into {name} ({', '.join(types)}, updated_at)"
            f" select {', '.join(exprs)}, %s from"
            f" (select * from {name} order by id desc limit {int(n)}) newest"
        )
        con = self.connect(entity)
        try:
            cur = con.cursor()
            cur.execute(sql, (stamp,))
            inserted = cur.rowcount
            cur.close()
        finally:
            con.close()
        return inserted

    def update_rows(
        self,
        entity: str,
        m: int,
        *,
        age: timedelta | None = None,
        updated_at: datetime | None = None,
        newest: bool = False,
    ) -> list[tuple]:
        """Change `m` rows (the oldest ids, or the newest): the table's `touch` column gets
        UPDATED_MARK appended (text) or +1 (number), and `updated_at` becomes `updated_at`,
        else the newest `updated_at` less `age` (a late update inside or outside a look-back),
        else the newest + 1 min. Returns the changed rows' contract keys."""
        table, contract = TABLES[entity], _contracts()[entity]
        name = self.qualified(entity)
        top = self.max_updated_at(entity)
        stamp = updated_at or (top - age if age is not None else top + timedelta(minutes=1))
        ids = [
            r[0]
            for r in self.execute(
                entity,
                f"select id from {name} order by id {'desc' if newest else ''} limit {int(m)}",
            )
        ]
        if not ids:
            return []
        touch_type = contract.column(dict(table.columns)[table.touch]).type
        change = (
            f"concat(coalesce({table.touch}, ''), '{UPDATED_MARK}')"
            if touch_type == "text"
            else f"{table.touch} + 1"
        )
        marks = ", ".join(["%s"] * len(ids))
        self.execute(
            entity,
            f"update {name} set {table.touch} = {change}, updated_at = %s where id in ({marks})",
            (stamp, *ids),
        )
        key = ", ".join(table.source(k) for k in contract.key)
        return self.execute(
            entity, f"select {key} from {name} where id in ({marks}) order by id", tuple(ids)
        )

    def drop_column(self, entity: str, contract_column: str) -> str:
        """Drop the source column behind a contract column; returns its source name."""
        source = self._column_of(entity, contract_column)
        table = self._table_of(entity, source)
        self.execute(entity, f"alter table {self.qualified(entity, table)} drop column {source}")
        return source

    def rename_column(self, entity: str, contract_column: str, new_name: str) -> str:
        """Rename the source column behind a contract column; returns its old source name."""
        source = self._column_of(entity, contract_column)
        table = self._table_of(entity, source)
        self.execute(
            entity,
            f"alter table {self.qualified(entity, table)} rename column {source} to {new_name}",
        )
        return source

    def _column_of(self, entity: str, contract_column: str) -> str:
        return TABLES[entity].source(contract_column)

    def _table_of(self, entity: str, source_column: str | None = None) -> str:
        if entity == "sales_order_lines" and source_column in SO_HEADER[1:]:
            return "so_header"
        return TABLES[entity].name


def combined_sources(*slices: Slice, **options: Any) -> dict[str, Any]:
    """One sources.yaml dict for several slices (e.g. MES in PostgreSQL, ERP/WMS in MariaDB);
    `options` as for `Slice.sources`. Each slice keeps its own `password_env`."""
    merged: dict[str, Any] = {}
    for one in slices:
        for name, source in one.sources(**options)["sources"].items():
            if name in merged:
                raise ValueError(f"two slices hold system source {name!r}")
            merged[name] = source
    return {"sources": merged}


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


# ---- loading ------------------------------------------------------------------------------


def load_slice(
    server: PostgresServer | MariaDBServer,
    warehouse: Path,
    entities: list[str] | tuple[str, ...] | None = None,
    *,
    tag: str | None = None,
    password_env: str | None = None,
) -> Slice:
    """Create the entities' source tables in fresh database(s) of `server` and load the
    sample's rows from `warehouse` (a DuckDB file the sample inbox was ingested into).

    PostgreSQL: one new database `factory_<tag>`, a schema per system. MariaDB: a new
    database `<system>_<tag>` per system. `tag` defaults to a per-process counter (s1, s2 …)
    so every call gets its own copy. Returns the `Slice` (row counts per entity)."""
    started = time.perf_counter()
    chosen = list(entities or ENTITIES)
    unknown = [e for e in chosen if e not in TABLES]
    if unknown:
        raise ValueError(f"no source table for {unknown}; entities are {', '.join(ENTITIES)}")
    tag = tag or f"s{next(_TAGS)}"
    systems = sorted({system_of(e) for e in chosen})
    if isinstance(server, PostgresServer):
        database = server.create_database(f"factory_{tag}")
        databases = dict.fromkeys(systems, database)
    else:
        databases = {s: server.create_database(f"{s}_{tag}") for s in systems}
    found = Slice(
        server,
        chosen,
        databases,
        password_env=password_env or f"ANDON_TEST_{server.kind.upper()}_PASSWORD",
    )
    with tempfile.TemporaryDirectory(prefix="andon-slice-") as scratch:
        con = connect_read(warehouse)
        try:
            for entity in chosen:
                files = _export(con, entity, Path(scratch))
                found.counts[entity] = _load(found, entity, files)
        finally:
            con.close()
    found.seconds = time.perf_counter() - started
    return found


def _export(con, entity: str, scratch: Path) -> dict[str, Path]:  # noqa: ANN001
    """The entity's source table(s) as headerless CSV files (every value quoted, NULL bare)."""
    name = TABLES[entity].name
    base = _export_sql(entity)
    selects = {
        name: f"select id, {', '.join(physical_columns(entity))}, updated_at from ({base}) t"
    }
    if entity == "sales_order_lines":  # the header: one row per order, ids in order of time
        head = ", ".join(SO_HEADER)
        selects = {
            "so_header": f"select row_number() over (order by min(updated_at), vbeln) as id,"
            f" {head}, min(updated_at) as updated_at from ({base}) t group by {head}",
            **selects,
        }
    files = {}
    for table, select in selects.items():
        path = scratch / f"{entity}.{table}.csv"
        con.execute(
            f"copy ({select} order by id) to '{path}' (header false, force_quote *, nullstr 'NULL')"
        )
        files[table] = path
    return files


def _ddl(found: Slice, entity: str, name: str) -> tuple[str, list[str]]:
    """CREATE TABLE for one source table, and its columns in file order."""
    table, contract = TABLES[entity], _contracts()[entity]
    pg = found.postgres
    targets = dict(table.columns)
    cols = []
    for source in physical_columns(entity, name):
        column = contract.column(targets[source])
        keyed = column.type == "text" and column.name in contract.key
        types = _KEY_TEXT if keyed else _TYPES[column.type]
        null = " not null" if column.required else ""
        cols.append(f"{source} {types[0] if pg else types[1]}{null}")
    if pg:
        ident = "id bigserial primary key"
        stamp = "timestamptz" if table.updated_at_type == "timestamptz" else "timestamp(6)"
        extra = ""
    else:
        ident = "id bigint not null auto_increment primary key"
        stamp = "datetime(6)"
        extra = " engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci"
    body = ",\n  ".join([ident, *cols, f"updated_at {stamp} not null"])
    ddl = f"create table {found.qualified(entity, name)} (\n  {body}\n){extra}"
    return ddl, ["id", *physical_columns(entity, name), "updated_at"]


def _load(found: Slice, entity: str, files: dict[str, Path]) -> int:
    """Create and fill the entity's table(s) in its database; returns the entity's rows."""
    system = system_of(entity)
    con = found.connect(system, autocommit=False)
    try:
        cur = con.cursor()
        if found.postgres:
            cur.execute(f"create schema if not exists {system}")
        for name, path in files.items():
            ddl, columns = _ddl(found, entity, name)
            qualified = found.qualified(entity, name)
            cur.execute(ddl)
            if found.postgres:
                with (
                    cur.copy(
                        f"copy {qualified} ({', '.join(columns)}) from stdin"
                        " (format csv, null 'NULL')"
                    ) as copy,
                    open(path, "rb") as data,
                ):
                    while chunk := data.read(1 << 20):
                        copy.write(chunk)
                cur.execute(
                    f"select setval(pg_get_serial_sequence('{qualified}', 'id'),"
                    f" coalesce((select max(id) from {qualified}), 0) + 1, false)"
                )
            else:
                cur.execute(
                    f"load data local infile '{path}' into table {qualified}"
                    " character set utf8mb4 fields terminated by ',' optionally enclosed by '\"'"
                    f" escaped by '' lines terminated by '\\n' ({', '.join(columns)})"
                )
                cur.execute("show warnings")
                warnings = cur.fetchall()
                if warnings:
                    raise RuntimeError(f"loading {qualified}: {warnings[:5]}")
            cur.execute(f"create index {name}_updated_at on {qualified} (updated_at)")
        con.commit()
        cur.close()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.close()
    return found.count(entity)
