"""Landing an inbox: each file (or a batch of small files) in one transaction, logged per file."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import duckdb

from ingest.changes import land_changes
from ingest.contracts import SYSTEMS, Contract, load_contracts
from ingest.errors import RejectedFile
from ingest.mapping import Mapping, default_mapping_path, load_mapping
from ingest.quarantine import quarantine_rows
from ingest.readers import (
    FORMATS,
    VIEW,
    Source,
    clean_scratch,
    file_facts,
    open_source,
    typed_csv_view,
)
from ingest.results import FileEvent, FileResult, IngestReport
from ingest.schema import LINEAGE, ensure_schema
from ingest.sqlparts import ident, table
from ingest.validate import fast_sql, raw_columns, typed_scan_types, validation_sql
from warehouse.connections import connect_write

READ_ERRORS = (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException)
# Every file lands in a batch: alone, or - when small (at most BATCH_FILE_BYTES, a format below)
# - with the next small files of its entity and column layout: one validation query and one
# transaction for up to BATCH_MAX_FILES files / BATCH_MAX_BYTES, each still logged on its own.
BATCH_FORMATS = {"csv", "json", "jsonl", "parquet"}
BATCH_FILE_BYTES = 4 << 20
BATCH_MAX_FILES = 64
BATCH_MAX_BYTES = 16 << 20
# Parquet is compressed: count its bytes this many times toward BATCH_MAX_BYTES.
PARQUET_WEIGHT = 8
LOG_COLUMNS = (
    "load_id", "system", "entity", "file", "inbox", "size_bytes", "content_hash", "format",
    "encoding", "delimiter", "rows_read", "rows_landed", "rows_quarantined", "status", "message",
    "started_at", "finished_at", "seconds", "origin", "query", "watermark_column",
    "watermark_low", "watermark_high", "rows_unchanged",
)  # fmt: skip
LOG_INSERT = (
    f"insert into ingest.load_log ({', '.join(LOG_COLUMNS)})"
    f" values ({', '.join('$' + name for name in LOG_COLUMNS)})"
)
# A batch's log rows in one statement: each parameter the list of that column's values.
LOG_INSERT_MANY = (
    f"insert into ingest.load_log ({', '.join(LOG_COLUMNS)})"
    f" select {', '.join(f'unnest(${name})' for name in LOG_COLUMNS)}"
)
PULL_LOG_DEFAULTS = dict.fromkeys(LOG_COLUMNS[LOG_COLUMNS.index("origin") :])


@dataclass(frozen=True)
class Pulled:
    """What a database pull adds to its extract (a Parquet file of contract columns, landed
    like any file): where it came from and how it lands.

    `snapshot`: the extract is the entity's whole table (no watermark, or a full reload): it
    replaces the source's earlier loads of the entity, unless it is identical to them (then it
    lands nothing). Otherwise it is incremental: re-read rows identical to the latest landed
    version of their key (the look-back) are counted unchanged and not landed again.
    """

    origin: str
    location: str
    query: str
    watermark_column: str | None
    watermark_low: str | None
    watermark_high: str | None
    snapshot: bool

    def log(self) -> dict:
        return {
            "origin": self.origin,
            "query": self.query,
            "watermark_column": self.watermark_column,
            "watermark_low": self.watermark_low,
            "watermark_high": self.watermark_high,
        }


@dataclass(frozen=True)
class Candidate:
    """One extract - an inbox file, or a database pull's Parquet extract - and the contract
    it falls under (None when it has none)."""

    path: Path
    file: str
    system: str
    entity: str
    contract: Contract | None
    problem: str | None = None
    pulled: Pulled | None = None


def discover(inbox: Path, contracts: dict[str, Contract]) -> list[Candidate]:
    """Every file under the system folders, in (system, entity, file name) order."""
    found: list[Candidate] = []
    for system in sorted(SYSTEMS):
        root = inbox / system
        if not root.is_dir():
            continue
        for entry in root.iterdir():
            if entry.name.startswith("."):
                continue
            if entry.is_file():
                found.append(
                    Candidate(
                        entry,
                        _relative(entry, inbox),
                        system,
                        "",
                        None,
                        f"files belong in {system}/<entity>/, not in {system}/",
                    )
                )
                continue
            contract = contracts.get(entry.name)
            problem = None
            if contract is None or contract.system != system:
                known = sorted(c.entity for c in contracts.values() if c.system == system)
                problem = (
                    f"unknown entity folder {system}/{entry.name}"
                    f" (known for {system}: {', '.join(known)})"
                )
                contract = None
            for path in entry.rglob("*"):
                if not path.is_file() or _ignored(path):
                    continue
                reason = problem
                if reason is None and path.parent != entry:
                    reason = f"files belong directly in {system}/{entry.name}/, not in a subfolder"
                elif reason is None and path.suffix.lower() not in FORMATS:
                    reason = (
                        f"unsupported file type {path.suffix or '(none)'!r}"
                        f" (use {', '.join(FORMATS)})"
                    )
                found.append(
                    Candidate(path, _relative(path, inbox), system, entry.name, contract, reason)
                )
    return sorted(found, key=lambda c: (c.system, c.entity, c.path.name, c.file))


def _ignored(path: Path) -> bool:
    return path.name.startswith((".", "~$"))


def _relative(path: Path, inbox: Path) -> str:
    return path.relative_to(inbox).as_posix()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@lru_cache(maxsize=256)
def _raw_insert_sql(contract: Contract, good_sql: str, batch: bool = True) -> str:
    """Insert the good rows into raw.<entity>: row `__file_idx` k is file k of the batch
    (`$load_ids`, `$files`), or - not a batch - all rows one file's (`$load_id`, `$file`:
    constants, so the lineage columns cost nothing per row)."""
    cols = [name for name, _ in raw_columns(contract)]
    target = ", ".join(ident(n) for n in cols + [name for name, _ in LINEAGE])
    lineage = "list_extract($load_ids, __file_idx), list_extract($files, __file_idx)"
    if not batch:
        lineage = "$load_id, $file"
    return (
        f"insert into {table('raw', contract.entity)} ({target}) select"
        f" {', '.join(ident(n) for n in cols)}, {lineage}, __source_row, $now"
        f" from ({good_sql})"
    )


def _duckdb_message(err: duckdb.Error) -> str:
    """The useful lines of a DuckDB error (no 'possible fixes' boilerplate)."""
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
    keep = []
    for line in lines:
        if line.lower().startswith(("possible", "*", "original line", "file:", "the csv")):
            if line.lower().startswith("possible"):
                break
            continue
        keep.append(line.removeprefix("Invalid Input Error: "))
    return "; ".join(keep[:3]) or str(err)


def _unreadable(err: RejectedFile | duckdb.Error) -> str:
    """The message a file is rejected with."""
    if isinstance(err, RejectedFile):
        return err.message
    return f"cannot read file: {_duckdb_message(err)}"


@dataclass
class _Member:
    """A file on its way into a batch: its new load id, its log row so far, its open view."""

    cand: Candidate
    load_id: int
    log: dict
    t0: float
    index: int
    total: int
    source: Source | None = None
    weight: int = 0  # bytes it counts toward BATCH_MAX_BYTES
    small: bool = False  # may share a batch with other small files of its layout

    @property
    def base(self) -> dict[str, str]:
        return {"file": self.cand.file, "system": self.cand.system, "entity": self.cand.entity}

    @property
    def layout(self) -> tuple:
        """Files share a batch only when one validation query fits them all."""
        source = self.source
        assert source is not None
        columns = tuple(sorted(source.columns.items()))
        return (self.cand.entity, source.format, source.headers, columns, source.read_problem)


class _Run:
    """State of one ingest run over one open write connection.

    Every file goes the same way: hashed (skipped when its content already landed), opened as
    its own view, and landed in a batch - alone when it is large or not batchable, else with
    the next small files of its entity and layout. A batch is one transaction; a batch of
    several that fails is landed again file by file, so a bad file is rejected on its own.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, inbox: Path, mapping: Mapping) -> None:
        self.con, self.inbox, self.mapping = con, inbox, mapping
        self.next_id = con.execute(
            "select coalesce(max(load_id), 0) from ingest.load_log"
        ).fetchone()[0]
        self.batch: list[_Member] = []
        self.batch_bytes = 0
        self.pending_hashes: set[tuple[str, str | None]] = set()
        self.view_seq = 0
        self.results: list[FileResult] = []
        self.on_file: Callable[[FileEvent], None] | None = None
        self.by_hash: dict[tuple[str, str], tuple[int, str]] = {}
        self.by_file: dict[str, int] = {}
        for load_id, entity, file, digest in con.execute(
            "select load_id, entity, file, content_hash from ingest.load_log"
            " where status = 'LANDED' order by load_id"
        ).fetchall():
            self.by_hash[(entity, digest)] = (load_id, file)
            self.by_file[file] = load_id

    def run(
        self, candidates: list[Candidate], on_file: Callable[[FileEvent], None] | None
    ) -> list[FileResult]:
        """Process every candidate in order; results and 'done' events keep that order."""
        self.results, self.on_file = [], on_file
        total = len(candidates)
        for index, cand in enumerate(candidates, start=1):
            if self.batch and self.batch[-1].cand.entity != cand.entity:
                self.flush()  # an entity's files are done before the next entity starts
            self._emit("start", index, total, cand.file)
            member = self._prepare(cand, index, total)
            if isinstance(member, FileResult):
                self.flush()
                self._done(index, total, member)
                continue
            problem = cand.problem or self._open(member)
            if problem is not None:
                self.flush()
                self._done(index, total, self._reject(member, problem))
                continue
            if not self._joins(member):
                self.flush()
            self.batch.append(member)
            self.batch_bytes += member.weight
            self.pending_hashes.add((cand.entity, member.log["content_hash"]))
            if not member.small:
                self.flush()
        self.flush()
        return self.results

    def _emit(self, phase: str, index: int, total: int, file: str, result=None) -> None:
        if self.on_file:
            self.on_file(FileEvent(phase, index, total, file, result))

    def _done(self, index: int, total: int, result: FileResult) -> None:
        self.results.append(result)
        self._emit("done", index, total, result.file, result)

    def _prepare(self, cand: Candidate, index: int, total: int) -> FileResult | _Member:
        """Hash the file: a skipped result, or a new load id and its log row to fill in."""
        started, t0 = _now(), time.perf_counter()
        digest = None
        if cand.problem is None and cand.pulled is None:  # a pull is never skipped
            digest = file_facts(cand.path).digest
            if (cand.entity, digest) in self.pending_hashes:
                self.flush()  # its twin lands first, then this one is skipped
            seen = self.by_hash.get((cand.entity, digest))
            if seen is not None:
                note = f"already loaded as load {seen[0]}"
                if seen[1] != cand.file:
                    note += f" (same content as {seen[1]})"
                return FileResult(
                    file=cand.file,
                    system=cand.system,
                    entity=cand.entity,
                    status="skipped",
                    message=note,
                    seconds=time.perf_counter() - t0,
                    load_id=seen[0],
                )
        self.next_id += 1
        log = {
            "load_id": self.next_id,
            "file": cand.file,
            "system": cand.system,
            "entity": cand.entity,
            "inbox": cand.pulled.location if cand.pulled else str(self.inbox),
            "size_bytes": cand.path.stat().st_size,
            "content_hash": digest,
            "format": None,
            "encoding": None,
            "delimiter": None,
            "started_at": started,
            **PULL_LOG_DEFAULTS,
            **(cand.pulled.log() if cand.pulled else {}),
        }
        return _Member(cand, self.next_id, log, t0, index, total)

    def _open(self, member: _Member) -> str | None:
        """Open the file's own view (outside any transaction); the problem if it cannot."""
        cand = member.cand
        assert cand.contract is not None
        self.view_seq += 1
        view = f"{VIEW}_{self.view_seq}"
        renames = self.mapping.renames_for(cand.file, cand.contract)
        try:
            source = open_source(self.con, cand.path, cand.file, cand.contract, renames, view)
        except (RejectedFile, *READ_ERRORS) as err:
            self.con.execute(f"drop view if exists {view}")
            self.con.execute(f"drop table if exists {view}_obj")
            return _unreadable(err)
        member.source = source
        member.log.update(
            format=source.format, encoding=source.encoding, delimiter=source.delimiter
        )
        size = member.log["size_bytes"]
        member.weight = size * PARQUET_WEIGHT if source.format == "parquet" else size
        member.small = (
            cand.pulled is None and source.format in BATCH_FORMATS and size <= BATCH_FILE_BYTES
        )
        return None

    def _joins(self, member: _Member) -> bool:
        """Whether the file fits the pending batch (an empty batch takes anything)."""
        if not self.batch:
            return True
        last = self.batch[-1]
        return (
            member.small
            and last.small
            and member.layout == last.layout
            and len(self.batch) < BATCH_MAX_FILES
            and self.batch_bytes + member.weight <= BATCH_MAX_BYTES
        )

    def flush(self) -> None:
        """Land the pending batch and report its files."""
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        self.pending_hashes = set()
        if not batch:
            return
        try:
            results = self._land(batch)
        finally:
            for member in batch:
                assert member.source is not None
                member.source.close(self.con)
        for member, result in zip(batch, results, strict=True):
            self._done(member.index, member.total, result)

    def _land(self, batch: list[_Member]) -> list[FileResult]:
        """The batch in one transaction; if that fails, each file again in its own."""
        try:
            return self._commit(batch)
        except (RejectedFile, *READ_ERRORS) as err:
            if len(batch) > 1:
                return [result for member in batch for result in self._land([member])]
            return [self._reject(batch[0], _unreadable(err))]

    def _reject(self, member: _Member, message: str) -> FileResult:
        """Log the file REJECTED: it lands nothing."""
        seconds = time.perf_counter() - member.t0
        self.con.execute(
            LOG_INSERT,
            {
                **member.log,
                "rows_read": None,
                "rows_landed": None,
                "rows_quarantined": None,
                "rows_unchanged": None,
                "status": "FAILED" if member.cand.pulled else "REJECTED",
                "message": message,
                "finished_at": _now(),
                "seconds": seconds,
            },
        )
        return FileResult(
            **member.base,
            status="rejected",
            message=message,
            seconds=seconds,
            load_id=member.load_id,
        )

    def _stage(self, batch: list[_Member]) -> str:
        """`_src` over the batch's views, each row with its file's `__file_idx`.

        One file stays a view, so a large file streams from its reader; several are read
        once into a temp table (temp data, outside the transaction), so validation plans once
        over it instead of over every file's reader. Returns which of the two it made.
        """
        kind = "view" if len(batch) == 1 else "table"
        union = " union all ".join(
            f"select *, {k:d} as __file_idx from {m.source.view}"  # type: ignore[union-attr]
            for k, m in enumerate(batch, start=1)
        )
        self.con.execute(f"create or replace temp {kind} {VIEW} as {union}")
        return kind

    def _count_by_load(self, relation: str, column: str, load_ids: list[int]) -> dict[int, int]:
        return dict(
            self.con.execute(
                f"select {column}, count(*) from {relation}"
                f" where {column} between $lo and $hi group by 1",
                {"lo": load_ids[0], "hi": load_ids[-1]},
            ).fetchall()
        )

    def _commit(self, batch: list[_Member]) -> list[FileResult]:
        """Validate, land, quarantine, supersede and log every file of the batch; commit.

        CSV files first try the one typed pass (`_land_typed`); when any of their rows
        cannot land that way, they land through the text validation like every other file.
        """
        if all(m.source and m.source.scans for m in batch):
            results = self._land_typed(batch)
            if results is not None:
                return results
        return self._land_text(batch)

    def _land_typed(self, batch: list[_Member]) -> list[FileResult] | None:
        """The batch's CSV files in one pass over typed scans: every row lands, or none (then
        returns None).

        Every row is inserted, a row that cannot land in one pass with its `_source_row`
        negated; any such row, or any value the CSV reader rejects, rolls the insert back.
        """
        con, first = self.con, batch[0]
        contract, source = first.cand.contract, first.source
        assert contract is not None and source is not None
        raw = table("raw", contract.entity)
        load_ids = [m.load_id for m in batch]
        types = typed_scan_types(contract, source.columns, len(source.headers))
        rejects = f"{VIEW}_rejects"
        views = [f"{VIEW}_typed_{k}" for k in range(1, len(batch) + 1)]
        try:
            for member, view in zip(batch, views, strict=True):
                assert member.source is not None
                typed_csv_view(con, member.source, types, view, rejects)
            union = " union all ".join(
                f"select *, {k:d} as __file_idx from {view}" for k, view in enumerate(views, 1)
            )
            con.execute(f"create or replace temp view {VIEW} as {union}")
            con.execute("begin")
            try:
                sql = fast_sql(contract, tuple(sorted(source.columns.items())))
                params = {"now": _now()}
                if len(batch) == 1:
                    params.update(load_id=first.load_id, file=first.cand.file)
                else:
                    params.update(load_ids=load_ids, files=[m.cand.file for m in batch])
                insert = _raw_insert_sql(contract, sql, len(batch) > 1)
                n_read = con.execute(insert, params).fetchone()[0]
                deferred = con.execute(
                    f"select count(*) from {raw} where _load_id between $lo and $hi"
                    " and _source_row < 0",
                    {"lo": load_ids[0], "hi": load_ids[-1]},
                ).fetchone()[0]
                rejected = con.execute(f"select count(*) from {rejects}_errors").fetchone()[0]
                if deferred or rejected:
                    con.execute("rollback")
                    return None
                landed = (
                    {first.load_id: n_read}
                    if len(batch) == 1
                    else self._count_by_load(raw, "_load_id", load_ids)
                )
                read = {k: landed.get(m.load_id, 0) for k, m in enumerate(batch, start=1)}
                results = self._log_landed(batch, read, landed, {})
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        finally:
            for view in [VIEW, *views]:
                con.execute(f"drop view if exists {view}")
            con.execute(f"drop table if exists {rejects}_errors")
            con.execute(f"drop table if exists {rejects}_scans")
        self._remember(batch)
        return results

    def _land_text(self, batch: list[_Member]) -> list[FileResult]:
        """The batch through the text validation (`validation_sql`), in one transaction."""
        con, first = self.con, batch[0]
        contract, source = first.cand.contract, first.source
        assert contract is not None and source is not None
        raw = table("raw", contract.entity)
        load_ids = [m.load_id for m in batch]
        files = [m.cand.file for m in batch]
        kind = "view"
        try:
            kind = self._stage(batch)
            con.execute("begin")
            try:
                queries = validation_sql(
                    contract,
                    tuple(sorted(source.columns.items())),
                    source.headers,
                    source.read_problem,
                )
                read = dict(
                    con.execute(f"select __file_idx, count(*) from {VIEW} group by 1").fetchall()
                )
                now = _now()
                params = {"load_ids": load_ids, "files": files, "now": now}
                landed_total = con.execute(
                    _raw_insert_sql(contract, queries.good), params
                ).fetchone()[0]
                quarantined: dict[int, int] = {}
                if landed_total != sum(read.values()):
                    quarantine_rows(
                        con,
                        queries.bad,
                        load_ids=load_ids,
                        system=first.cand.system,
                        entity=first.cand.entity,
                        files=files,
                        now=now,
                    )
                    quarantined = self._count_by_load("ingest.quarantine", "load_id", load_ids)
                landed = self._count_by_load(raw, "_load_id", load_ids)
                results = self._log_landed(batch, read, landed, quarantined)
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        finally:
            con.execute(f"drop {kind} if exists {VIEW}")
        self._remember(batch)
        return results

    def _remember(self, batch: list[_Member]) -> None:
        for member in batch:
            self.by_hash[(member.cand.entity, member.log["content_hash"])] = (
                member.load_id,
                member.cand.file,
            )
            self.by_file[member.cand.file] = member.load_id

    def _log_landed(
        self,
        batch: list[_Member],
        read: dict[int, int],
        landed: dict[int, int],
        quarantined: dict[int, int],
    ) -> list[FileResult]:
        """Reconcile each file's rows, supersede its previous version and log it LANDED.

        `read` is by position in the batch (1-based), `landed`/`quarantined` by load id.
        """
        con, contract = self.con, batch[0].cand.contract
        assert contract is not None
        raw = table("raw", contract.entity)
        results, logs = [], []
        for k, member in enumerate(batch, start=1):
            load_id = member.load_id
            n_read = read.get(k, 0)
            n_landed = landed.get(load_id, 0)
            n_quarantined = quarantined.get(load_id, 0)
            if n_read != n_landed + n_quarantined:
                raise RejectedFile(
                    member.cand.file,
                    f"reconciliation failed: read {n_read}, landed {n_landed},"
                    f" quarantined {n_quarantined}",
                )
            n_unchanged, message = 0, ""
            if member.cand.pulled is not None:
                n_unchanged, message = land_changes(con, contract, member.cand.pulled, load_id)
                n_landed -= n_unchanged
            else:
                message = self._supersede(member, raw)
            finished = _now()
            logs.append(
                {
                    **member.log,
                    "rows_read": n_read,
                    "rows_landed": n_landed,
                    "rows_quarantined": n_quarantined,
                    "rows_unchanged": n_unchanged if member.cand.pulled else None,
                    "status": "LANDED",
                    "message": message,
                    "finished_at": finished,
                    "seconds": (finished - member.log["started_at"]).total_seconds(),
                }
            )
            results.append(
                FileResult(
                    **member.base,
                    status="landed",
                    rows_read=n_read,
                    rows_landed=n_landed,
                    rows_quarantined=n_quarantined,
                    rows_unchanged=n_unchanged,
                    message=message,
                    seconds=time.perf_counter() - member.t0,
                    load_id=load_id,
                )
            )
        con.execute(LOG_INSERT_MANY, {name: [log[name] for log in logs] for name in LOG_COLUMNS})
        return results

    def _supersede(self, member: _Member, raw: str) -> str:
        """Take the file's previous version out of raw and mark its log row SUPERSEDED."""
        old = self.by_file.get(member.cand.file)
        if old is None:
            return ""
        self.con.execute(f"delete from {raw} where _load_id = $old", {"old": old})
        self.con.execute(
            "update ingest.load_log set status = 'SUPERSEDED', message = $message"
            " where load_id = $old",
            {"old": old, "message": f"superseded by load {member.load_id}"},
        )
        return f"supersedes load {old}"


def ingest_inbox(
    inbox: Path,
    warehouse: Path,
    *,
    mapping: Path | None = None,
    on_file: Callable[[FileEvent], None] | None = None,
) -> IngestReport:
    """Land every file of an inbox into the warehouse; return what happened to each."""
    t0 = time.perf_counter()
    inbox = Path(inbox).resolve()
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox {inbox} is not a folder")
    contracts = load_contracts()
    site_mapping = load_mapping(mapping or default_mapping_path(inbox), contracts)
    candidates = discover(inbox, contracts)
    report = IngestReport(str(inbox), str(warehouse))
    con = connect_write(Path(warehouse))
    clean_scratch()
    try:
        con.execute("set preserve_insertion_order = false")
        ensure_schema(con, contracts)
        run = _Run(con, inbox, site_mapping)
        report.results.extend(run.run(candidates, on_file))
    finally:
        con.close()
        clean_scratch()
    report.seconds = time.perf_counter() - t0
    return report


def land_extract(warehouse: Path, candidate: Candidate) -> FileResult:
    """Land one pulled extract (a Parquet file of contract columns) the way a file lands:
    the same validation, quarantine, lineage and load log, in one transaction."""
    con = connect_write(Path(warehouse))
    try:
        con.execute("set preserve_insertion_order = false")
        ensure_schema(con, load_contracts())
        run = _Run(con, candidate.path.parent, Mapping())
        return run.run([candidate], None)[0]
    finally:
        con.close()


def log_failure(
    warehouse: Path,
    candidate: Candidate,
    message: str,
    started_at: datetime,
    seconds: float,
) -> int:
    """Log an extract that could not be read at all (status FAILED); returns its load id."""
    con = connect_write(Path(warehouse))
    try:
        ensure_schema(con, load_contracts())
        con.execute("begin")
        load_id = con.execute(
            "select coalesce(max(load_id), 0) + 1 from ingest.load_log"
        ).fetchall()[0][0]
        pulled = candidate.pulled
        con.execute(
            LOG_INSERT,
            {
                **dict.fromkeys(LOG_COLUMNS),
                **(pulled.log() if pulled else {}),
                "load_id": load_id,
                "system": candidate.system,
                "entity": candidate.entity,
                "file": candidate.file,
                "inbox": pulled.location if pulled else str(candidate.path),
                "status": "FAILED",
                "message": message,
                "started_at": started_at,
                "finished_at": _now(),
                "seconds": seconds,
            },
        )
        con.execute("commit")
        return load_id
    finally:
        con.close()
