"""Pulling from source databases: a SELECT per entity → a Parquet extract → the same landing
as a file (validation, quarantine, lineage, load log), one transaction per entity.

Per entity of a `sources.yaml` source:

1. the last landed high mark of its watermark is read from `ingest.load_log`;
2. the source is probed (`where 1 = 0`) for its columns, so a dropped or renamed column is
   named in a clear message before any data moves;
3. the rows past the mark less the look-back are streamed by ConnectorX as Arrow batches into
   a Parquet extract, written by an in-memory DuckDB (no Python loop per row, memory bounded,
   no warehouse lock held while the source is read); the new high mark is taken from it;
4. the file lands through `ingest.loader.land_extract`: the high mark is written with the load
   in the same transaction, so a pull killed at any point lands all of it or nothing, and the
   next pull starts from the last mark that landed.

Anything that goes wrong (unreachable server, timeout, permission, wrong password, changed
schema) fails that entity only, logged FAILED with a message that never holds a secret; the
warehouse keeps the last good data and the other entities and sources go on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

import duckdb
import sqlglot
from sqlglot import exp

from ingest.contracts import Contract, load_contracts
from ingest.loader import Candidate, Pulled, land_extract, log_failure
from ingest.mapping import normalize
from ingest.readers import clean_scratch, scratch_dir
from ingest.schema import ensure_schema
from ingest.sources import EntityPull, Source
from ingest.sqlparts import ident, lit
from warehouse.config import ConfigError
from warehouse.connections import connect_write

BATCH_ROWS = 100_000  # ConnectorX's Arrow batch
WATERMARK = "__andon_watermark"
ARROW = "__andon_arrow"
SPOOL_MEMORY = "256MB"  # the in-memory DuckDB that writes a pull's Parquet extract
SOURCE_ALIAS = "andon_src"
CONNECT_TIMEOUT_S = 15


@dataclass(frozen=True)
class PullResult:
    """What one entity's pull did."""

    source: str
    system: str
    entity: str
    status: Literal["landed", "failed"]
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    rows_unchanged: int = 0
    message: str = ""
    watermark_column: str | None = None
    watermark_low: str | None = None
    watermark_high: str | None = None
    load_id: int | None = None
    seconds: float = 0.0


@dataclass
class PullReport:
    """Every entity pulled from one source in one run."""

    source: str
    results: list[PullResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[PullResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def landed_rows(self) -> int:
        return sum(r.rows_landed for r in self.results)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "seconds": round(self.seconds, 3),
            "entities": [asdict(r) for r in self.results],
        }


class PullFailed(Exception):
    """An entity that cannot be pulled; the message is safe to show and log."""


def pull_source(
    source: Source,
    warehouse: Path,
    *,
    entities: list[str] | None = None,
    full: bool = False,
    on_entity: Callable[[str, int, int], None] | None = None,
) -> PullReport:
    """Pull the source's entities (all, or those named) into the warehouse.

    `full` reads every row again and replaces the source's earlier loads of each entity (a
    full reload). Failures never raise: they are results with status 'failed'."""
    t0 = time.perf_counter()
    report = PullReport(source.name)
    names = list(source.entities) if entities is None else entities
    contracts = load_contracts()
    problem = preflight(source)
    clean_scratch()  # extracts left by a killed pull
    for index, entity in enumerate(names, start=1):
        if on_entity:
            on_entity(entity, index, len(names))
        report.results.append(_pull_entity(source, entity, contracts, warehouse, full, problem))
    report.seconds = time.perf_counter() - t0
    return report


def preflight(source: Source) -> str | None:
    """Sign in to the server once with its own driver (psycopg, PyMySQL) before any data
    moves: a stopped server, a wrong password or an unknown database is named within the
    connect timeout instead of after ConnectorX's pool gives up (30 s). None when it works
    (or for kinds without a check: SQLite, SQL Server, Oracle)."""
    if source.kind not in ("postgresql", "mysql", "mariadb"):
        return None
    try:
        url = source.url()
    except ConfigError as error:
        return source.scrub(str(error))
    try:
        if source.kind == "postgresql":
            import psycopg

            psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S).close()
        else:
            import pymysql

            parts = urlsplit(url)
            pymysql.connect(
                host=parts.hostname or "localhost",
                port=parts.port or 3306,
                user=unquote(parts.username or ""),
                password=unquote(parts.password or ""),
                database=unquote(parts.path.lstrip("/")) or None,
                connect_timeout=CONNECT_TIMEOUT_S,
            ).close()
    except Exception as error:  # noqa: BLE001 - each driver raises its own types
        return _explain(source, error)
    return None


def _pull_entity(
    source: Source,
    entity: str,
    contracts: dict[str, Contract],
    warehouse: Path,
    full: bool,
    problem: str | None = None,
) -> PullResult:
    """One entity: its rows past the mark into a Parquet extract (no warehouse lock held while
    the source is read), then landed like a file in one transaction."""
    started, t0 = datetime.now(UTC).replace(tzinfo=None), time.perf_counter()
    spec = source.entities.get(entity)
    contract = contracts.get(entity)
    system = contract.system if contract else "?"
    file = f"{source.name}:{system}/{entity}@{started:%Y%m%dT%H%M%S.%fZ}"
    path = scratch_dir() / f"pull-{entity}.parquet"
    extract = None
    try:
        if spec is None or contract is None:
            raise PullFailed(f"source {source.name!r} has no entity {entity!r}")
        if problem is not None:
            raise PullFailed(problem)
        extract = _Extract(source, spec, contract, warehouse, full)
        rows = extract.to_parquet(path)
    except (PullFailed, ConfigError) as error:
        path.unlink(missing_ok=True)
        message = source.scrub(str(error))
        pulled = (
            extract.pulled()
            if extract
            else Pulled(source.name, source.redacted(), "", None, None, None, True)
        )
        candidate = Candidate(Path(file), file, system, entity, contract, pulled=pulled)
        load_id = log_failure(warehouse, candidate, message, started, time.perf_counter() - t0)
        return PullResult(
            source.name,
            system,
            entity,
            "failed",
            message=message,
            watermark_column=pulled.watermark_column,
            load_id=load_id,
            seconds=time.perf_counter() - t0,
        )
    pulled = extract.pulled()
    candidate = Candidate(path, file, system, entity, contract, pulled=pulled)
    try:
        result = land_extract(warehouse, candidate)
    finally:
        path.unlink(missing_ok=True)
    return PullResult(
        source.name,
        system,
        entity,
        "landed" if result.status == "landed" else "failed",
        rows_read=rows,
        rows_landed=result.rows_landed,
        rows_quarantined=result.rows_quarantined,
        rows_unchanged=result.rows_unchanged,
        message=source.scrub(result.message),
        watermark_column=pulled.watermark_column,
        watermark_low=pulled.watermark_low,
        watermark_high=pulled.watermark_high,
        load_id=result.load_id,
        seconds=time.perf_counter() - t0,
    )


class _Extract:
    """One entity's SELECT against its source, from the last mark to now."""

    def __init__(
        self, source: Source, spec: EntityPull, contract: Contract, warehouse: Path, full: bool
    ) -> None:
        self.source, self.spec, self.contract = source, spec, contract
        self.dialect = source.dialect
        self.url = source.url()
        self.mark = spec.watermark
        self.low: str | None = None
        self.high: str | None = None
        self.query = ""
        if self.mark is not None and not full:
            previous = last_watermark(warehouse, source.name, contract.entity, self.mark.column)
            if previous is not None:
                self.low = _minus(previous, self.mark.lookback_value, self.mark.type)
                self.high = previous
        self.snapshot = self.mark is None or self.low is None

    def pulled(self) -> Pulled:
        return Pulled(
            self.source.name,
            self.source.redacted(),
            self.query,
            self.mark.column if self.mark else None,
            self.low,
            self.high,
            self.snapshot,
        )

    # -- SQL -------------------------------------------------------------------------------

    def _base(self) -> exp.Expression:
        """The entity's table or SELECT as a subquery aliased andon_src."""
        spec = self.spec
        if spec.table is not None:
            try:
                inner: exp.Expression = exp.to_table(spec.table, dialect=self.dialect)
            except sqlglot.errors.ParseError:
                raise PullFailed(f"table {spec.table!r} is not a table name") from None
            return exp.select("*").from_(inner).subquery(SOURCE_ALIAS)
        try:
            parsed = sqlglot.parse(spec.query or "", read=self.dialect)
        except sqlglot.errors.ParseError as error:
            raise PullFailed(f"query does not parse: {str(error).splitlines()[0]}") from None
        if len(parsed) != 1 or not isinstance(parsed[0], exp.Query):
            raise PullFailed("query must be a single SELECT")
        return parsed[0].subquery(SOURCE_ALIAS)

    def _column(self, name: str) -> exp.Column:
        return exp.column(name, table=SOURCE_ALIAS, quoted=True)

    def _probe(self) -> list[str]:
        """The source's column names (no rows read)."""
        sql = exp.select("*").from_(self._base()).where("1 = 0").sql(self.dialect)
        table = self._read(sql, stream=False)
        return list(table.schema.names)

    def _select(self, found: list[str]) -> str:
        """SELECT source columns AS contract columns (+ the watermark) past the mark."""
        renames = self.spec.renames
        mapped: dict[str, str] = {}
        by_name = {normalize(name): name for name in found}
        missing_sources = [s for s in self.spec.columns if normalize(s) not in by_name]
        for name in found:
            target = renames.get(normalize(name), normalize(name))
            if target in self.contract.names and target not in mapped:
                mapped[target] = name
        where = self._where()
        missing = [c for c in self.contract.required if c not in mapped]
        if missing or missing_sources:
            hint = ""
            if missing_sources:
                hint = (
                    f"; sources.yaml maps {', '.join(missing_sources)}, not in the source"
                    " any more: was a column dropped or renamed?"
                )
            raise PullFailed(
                f"missing required column(s) {', '.join(missing) or '(none)'} for"
                f" {self.contract.system}/{self.contract.entity} in {self._what()};"
                f" found columns: {', '.join(found) or 'none'}{hint}"
            )
        columns = [self._column(name).as_(target, quoted=True) for target, name in mapped.items()]
        if self.mark is not None:
            if normalize(self.mark.column) not in by_name:
                raise PullFailed(
                    f"watermark column {self.mark.column!r} is not in {self._what()};"
                    f" found columns: {', '.join(found)}"
                )
            wm = self._column(by_name[normalize(self.mark.column)])
            columns.append(wm.as_(WATERMARK, quoted=True))
        select = exp.select(*columns).from_(self._base())
        if where is not None:
            select = select.where(where)
        return select.sql(self.dialect)

    def _where(self) -> exp.Expression | None:
        if self.mark is None or self.low is None:
            return None
        column = exp.column(self.mark.column, table=SOURCE_ALIAS, quoted=True)
        if self.mark.type == "id":
            value: exp.Expression = exp.Literal.number(self.low)
        elif self.dialect == "oracle":
            value = exp.cast(exp.Literal.string(self.low), exp.DataType.build("timestamp"))
        else:
            value = exp.Literal.string(self.low)
        return exp.GT(this=column, expression=value)

    def _what(self) -> str:
        return self.spec.table or "the query"

    # -- reading ---------------------------------------------------------------------------

    def _settings(self) -> list[str] | None:
        """Set on the session before the query: read-only, and the server's own time limit."""
        seconds = self.source.timeout_s
        if self.source.kind == "postgresql":
            return [
                "SET default_transaction_read_only = on",
                f"SET statement_timeout = {seconds * 1000}",
            ]
        if self.source.kind in ("mariadb", "mysql"):
            limit = (
                f"SET SESSION max_statement_time = {seconds}"
                if self.source.kind == "mariadb"
                else f"SET SESSION max_execution_time = {seconds * 1000}"
            )
            return ["SET SESSION TRANSACTION READ ONLY", limit]
        return None

    def _read(self, sql: str, *, stream: bool):  # noqa: ANN202 - pa.Table | RecordBatchReader
        import connectorx

        url = self.url
        if self.source.kind == "postgresql" and "connect_timeout=" not in url:
            url += ("&" if "?" in url else "?") + f"connect_timeout={CONNECT_TIMEOUT_S}"
        options: dict = {"return_type": "arrow_stream" if stream else "arrow"}
        if stream:
            options["batch_size"] = BATCH_ROWS
        settings = self._settings()
        if settings:
            options["pre_execution_query"] = settings
        try:
            return connectorx.read_sql(url, sql, **options)
        except BaseException as error:  # noqa: BLE001 - the Rust reader raises many types
            if isinstance(error, KeyboardInterrupt | SystemExit):
                raise
            raise PullFailed(_explain(self.source, error)) from None

    def to_parquet(self, path: Path) -> int:
        """Stream the rows past the mark into a Parquet extract at `path`; sets the new high
        mark. Returns the rows read.

        An in-memory DuckDB writes ConnectorX's Arrow batches to Parquet as they arrive (in
        parallel, memory bounded by its limit); a pull running past `timeout_s` is
        interrupted."""
        found = self._probe()
        self.query = self._select(found)
        reader = self._read(self.query, stream=True)
        con = duckdb.connect(config={"memory_limit": SPOOL_MEMORY})
        timer = threading.Timer(self.source.timeout_s, con.interrupt)
        try:
            con.execute("set TimeZone = 'UTC'")
            con.execute("set enable_progress_bar = false")
            con.register(ARROW, reader)
            timer.start()
            con.execute(f"copy (select * from {ARROW}) to {lit(str(path))} (format parquet)")
            timer.cancel()
            column = f"max({ident(WATERMARK)})" if self.mark else "null"
            rows, high = con.execute(
                f"select count(*), {column} from read_parquet({lit(str(path))})"
            ).fetchall()[0]
        except duckdb.InterruptException:
            raise PullFailed(
                f"timed out after {self.source.timeout_s} s (timeout_s in sources.yaml);"
                " nothing of this pull landed"
            ) from None
        except Exception as error:  # noqa: BLE001 - the reader's own errors, through DuckDB
            raise PullFailed(_explain(self.source, error)) from None
        finally:
            timer.cancel()
            con.close()
        if high is not None:
            self.high = _render(high)
        return int(rows)


def last_watermark(warehouse: Path, origin: str, entity: str, column: str) -> str | None:
    """The high mark of the newest landed pull of the entity with this watermark column."""
    if not Path(warehouse).is_file():
        return None
    con = connect_write(Path(warehouse))
    try:
        ensure_schema(con, load_contracts())
        found = con.execute(
            "select watermark_high from ingest.load_log where origin = $origin"
            " and entity = $entity and watermark_column = $column"
            " and status in ('LANDED', 'SUPERSEDED') and watermark_high is not null"
            " order by load_id desc limit 1",
            {"origin": origin, "entity": entity, "column": column},
        ).fetchall()
    finally:
        con.close()
    return found[0][0] if found else None


def _render(value: object) -> str:
    """A high mark as text: ISO time (UTC with offset when the source has a zone), or a number."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).isoformat(sep=" ")
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _minus(mark: str, lookback: timedelta | int, kind: str) -> str:
    """The mark less the look-back."""
    if kind == "id":
        return str(int(Decimal(mark)) - int(lookback))
    if not lookback:
        return mark
    moment = datetime.fromisoformat(mark)
    return _render(moment - lookback)  # type: ignore[operator]


def _explain(source: Source, error: BaseException) -> str:
    """A reader error as a message a plant IT engineer can act on."""
    text = source.scrub(str(error).strip() or type(error).__name__)
    lower = text.lower()
    where = source.redacted()
    if "password" in lower and ("authentication" in lower or "failed" in lower):
        return f"cannot sign in to {where}: wrong user name or password ({_first(text)})"
    if "access denied" in lower:
        return f"cannot sign in to {where}: {_first(text)}"
    if "permission denied" in lower or "command denied" in lower:
        return f"no permission at {where}: {_first(text)}"
    if any(
        word in lower
        for word in (
            "connection refused",
            "could not connect",
            "timed out",
            "can't connect",
            "no route",
            "name or service not known",
            "connection reset",
            "failed to lookup",
            "error connecting",
            "broken pipe",
        )
    ):
        return f"cannot reach {where}: {_first(text)}"
    if (
        "statement timeout" in lower
        or "max_statement_time" in lower
        or "maximum statement" in lower
    ):
        return (
            f"the query ran longer than {source.timeout_s} s at {where} (timeout_s in"
            f" sources.yaml): {_first(text)}"
        )
    return f"{where}: {_first(text)}"


def _first(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(lines[:2])[:500]
