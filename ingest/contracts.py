"""Source contracts as data: `contracts.yaml` loaded into small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlglot
import yaml
from sqlglot import exp

from ingest.errors import ContractError

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CONTRACTS_PATH = Path(__file__).with_name("contracts.yaml")
SYSTEMS = ("mes", "erp", "wms", "scada", "plm", "aps")
TYPES = ("text", "integer", "decimal", "date", "timestamp", "time_hhmm")
SQL_TYPES = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "time_hhmm": "VARCHAR",
}
_COLUMN_FIELDS = {"type", "required", "enum", "min"}
_ENTITY_FIELDS = {"key", "event_time", "columns", "checks"}
_BOOLEAN_NODES = (exp.Predicate, exp.Connector, exp.Not, exp.Boolean)
_BOOLEAN_FUNCTIONS = {"REGEXP_FULL_MATCH", "REGEXP_MATCHES", "STARTS_WITH", "ENDS_WITH", "CONTAINS"}


@dataclass(frozen=True)
class Column:
    """One contract column: its type and the rules a value must meet."""

    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] = ()
    min: float | None = None

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Check:
    """A row rule: a SQL boolean expression over typed columns and the message when false."""

    sql: str
    message: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    """What one entity's extracts must contain."""

    system: str
    entity: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    event_time: str | None
    checks: tuple[Check, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def table(self) -> str:
        return f"raw.{self.entity}"

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _is_boolean(node: exp.Expression) -> bool:
    if isinstance(node, exp.Paren):
        return _is_boolean(node.this)
    if isinstance(node, _BOOLEAN_NODES):
        return True
    if isinstance(node, exp.Anonymous):
        return node.name.upper() in _BOOLEAN_FUNCTIONS
    return isinstance(node, exp.RegexpLike)


def parse_check(sql: str, columns: tuple[str, ...], where: str) -> tuple[str, ...]:
    """Parse a check; return the columns it uses or raise ContractError."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as err:
        raise ContractError(f"{where}: check {sql!r} is not valid SQL: {err}") from None
    if tree.find(exp.Select, exp.Subquery, exp.Query) is not None:
        raise ContractError(f"{where}: check {sql!r} must not contain a query")
    if not _is_boolean(tree):
        raise ContractError(f"{where}: check {sql!r} is not a boolean expression")
    used = []
    for col in tree.find_all(exp.Column):
        if col.table or col.name not in columns:
            raise ContractError(
                f"{where}: check {sql!r} uses {col.sql()!r}, which is not a column of the"
                f" contract (columns: {', '.join(columns)})"
            )
        if col.name not in used:
            used.append(col.name)
    if not used:
        raise ContractError(f"{where}: check {sql!r} uses no column")
    return tuple(used)


def _column(name: str, spec: object, where: str) -> Column:
    if not isinstance(spec, dict):
        raise ContractError(f"{where}.{name}: expected a mapping like {{type: text}}")
    unknown = set(spec) - _COLUMN_FIELDS
    if unknown:
        raise ContractError(f"{where}.{name}: unknown field(s) {sorted(unknown)}")
    ctype = spec.get("type")
    if ctype not in TYPES:
        raise ContractError(f"{where}.{name}: type {ctype!r} is not one of {', '.join(TYPES)}")
    enum = tuple(str(v) for v in spec.get("enum") or ())
    minimum = spec.get("min")
    if minimum is not None and ctype not in ("integer", "decimal"):
        raise ContractError(f"{where}.{name}: min only applies to integer and decimal columns")
    return Column(
        name,
        ctype,
        bool(spec.get("required", False)),
        enum,
        None if minimum is None else float(minimum),
    )


def _contract(system: str, entity: str, spec: object) -> Contract:
    where = f"{system}.{entity}"
    if not isinstance(spec, dict) or not isinstance(spec.get("columns"), dict):
        raise ContractError(f"{where}: expected a mapping with 'columns'")
    unknown = set(spec) - _ENTITY_FIELDS
    if unknown:
        raise ContractError(f"{where}: unknown field(s) {sorted(unknown)}")
    columns = tuple(_column(str(n), s, where) for n, s in spec["columns"].items())
    names = tuple(c.name for c in columns)
    key = tuple(spec.get("key") or ())
    if not key or any(k not in names for k in key):
        raise ContractError(f"{where}: key {list(key)} must name columns of the contract")
    event_time = spec.get("event_time")
    if event_time is not None and event_time not in names:
        raise ContractError(f"{where}: event_time {event_time!r} is not a column")
    checks = []
    for item in spec.get("checks") or ():
        if not isinstance(item, dict) or not item.get("sql") or not item.get("message"):
            raise ContractError(f"{where}: each check needs 'sql' and 'message'")
        used = parse_check(str(item["sql"]), names, where)
        checks.append(Check(str(item["sql"]), str(item["message"]), used))
    return Contract(system, entity, columns, key, event_time, tuple(checks))


def parse_contracts(data: object) -> dict[str, Contract]:
    """Validate parsed YAML into contracts keyed by entity name."""
    if not isinstance(data, dict):
        raise ContractError("contracts: expected a mapping of system → entity → contract")
    contracts: dict[str, Contract] = {}
    for system, entities in data.items():
        if system not in SYSTEMS:
            raise ContractError(f"contracts: unknown system {system!r} (use {', '.join(SYSTEMS)})")
        if not isinstance(entities, dict):
            raise ContractError(f"contracts: {system}: expected a mapping of entities")
        for entity, spec in entities.items():
            if entity in contracts:
                raise ContractError(f"contracts: entity {entity!r} is defined twice")
            contracts[entity] = _contract(system, str(entity), spec)
    return contracts


@cache
def _load(path: Path) -> dict[str, Contract]:
    try:
        # The C loader where PyYAML has it: the same safe subset, several times faster.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, yaml.YAMLError) as err:
        raise ContractError(f"cannot read contracts {path}: {err}") from None
    return parse_contracts(data)


def load_contracts(path: Path | None = None) -> dict[str, Contract]:
    """All contracts, keyed by entity name (entity names are unique across systems)."""
    return dict(_load((path or CONTRACTS_PATH).resolve()))
