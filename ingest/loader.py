"""Landing an inbox: each file (or a batch of small files) in one transaction, logged per file."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import duckdb

from ingest.contracts import SYSTEMS, Contract, load_contracts
from ingest.errors import RejectedFile
from ingest.mapping import Mapping, default_mapping_path, load_mapping
from ingest.quarantine import quarantine_batch, quarantine_rows
from ingest.readers import FORMATS, VIEW, Source, clean_scratch, open_source
from ingest.results import FileEvent, FileResult, IngestReport
from ingest.schema import LINEAGE, ensure_schema
from ingest.sqlparts import ident, table
from ingest.validate import raw_columns, validation_sql
from warehouse.connections import connect_write

READ_ERRORS = (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException)
# Small files of one entity and column layout land in batches: one validation query and one
# transaction for up to BATCH_MAX_FILES files / BATCH_MAX_BYTES, each still logged on its own.
BATCH_FORMATS = {"csv", "json", "jsonl", "parquet"}
BATCH_FILE_BYTES = 4 << 20
BATCH_MAX_FILES = 64
BATCH_MAX_BYTES = 16 << 20
# Parquet is compressed: count its bytes this many times toward BATCH_MAX_BYTES.
PARQUET_WEIGHT = 8
LOG_INSERT = """
insert into ingest.load_log values (
    $load_id, $system, $entity, $file, $inbox, $size_bytes, $content_hash, $format, $encoding,
    $delimiter, $rows_read, $rows_landed, $rows_quarantined, $status, $message, $started_at,
    $finished_at, $seconds
)
"""


@dataclass(frozen=True)
class Candidate:
    """One inbox file and the contract it falls under (None when it has none)."""

    path: Path
    file: str
    system: str
    entity: str
    contract: Contract | None
    problem: str | None = None


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
def _raw_insert_sql(contract: Contract, good_sql: str) -> str:
    cols = [name for name, _ in raw_columns(contract)]
    target = ", ".join(ident(n) for n in cols + [name for name, _ in LINEAGE])
    return (
        f"insert into {table('raw', contract.entity)} ({target}) select"
        f" {', '.join(ident(n) for n in cols)}, $load_id, $file, __source_row, $now"
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


@dataclass
class _Pending:
    """A file that will land (or be rejected) under a new load id."""

    load_id: int
    log: dict
    base: dict
    t0: float


@dataclass
class _Member:
    """A small file of a batch: its open view and where it sits in the run."""

    cand: Candidate
    pending: _Pending
    source: Source
    size: int
    index: int = 0
    total: int = 0


@lru_cache(maxsize=256)
def _raw_batch_insert_sql(contract: Contract, good_sql: str) -> str:
    cols = [name for name, _ in raw_columns(contract)]
    target = ", ".join(ident(n) for n in cols + [name for name, _ in LINEAGE])
    return (
        f"insert into {table('raw', contract.entity)} ({target}) select"
        f" {', '.join(ident(n) for n in cols)}, list_extract($load_ids, __file_idx),"
        " list_extract($files, __file_idx), __source_row, $now"
        f" from ({good_sql})"
    )


class _Run:
    """State of one ingest run over one open write connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, inbox: Path, mapping: Mapping) -> None:
        self.con, self.inbox, self.mapping = con, inbox, mapping
        self.next_id = con.execute(
            "select coalesce(max(load_id), 0) from ingest.load_log"
        ).fetchone()[0]
        self.batch: list[_Member] = []
        self.batch_key: tuple | None = None
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

    def _log(self, **row) -> None:
        self.con.execute(LOG_INSERT, row)

    def process(self, cand: Candidate) -> FileResult:
        prepared = self._prepare(cand)
        if isinstance(prepared, FileResult):
            return prepared
        return self._single(cand, prepared)

    def _prepare(self, cand: Candidate) -> FileResult | _Pending:
        """Hash the file: a skipped result, or a new load id and its log row to fill in."""
        started, t0 = _now(), time.perf_counter()
        base = {"file": cand.file, "system": cand.system, "entity": cand.entity}
        size = cand.path.stat().st_size
        digest = None
        if cand.problem is None:
            with cand.path.open("rb") as fh:
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
            if (cand.entity, digest) in self.pending_hashes:
                self.flush()
            seen = self.by_hash.get((cand.entity, digest))
            if seen is not None:
                note = f"already loaded as load {seen[0]}"
                if seen[1] != cand.file:
                    note += f" (same content as {seen[1]})"
                return FileResult(
                    **base,
                    status="skipped",
                    message=note,
                    seconds=time.perf_counter() - t0,
                    load_id=seen[0],
                )
        self.next_id += 1
        load_id = self.next_id
        log = {
            "load_id": load_id,
            **base,
            "inbox": str(self.inbox),
            "size_bytes": size,
            "content_hash": digest,
            "format": None,
            "encoding": None,
            "delimiter": None,
            "started_at": started,
        }
        return _Pending(load_id, log, base, t0)

    def _single(self, cand: Candidate, pending: _Pending) -> FileResult:
        """Land one file in its own transaction (or log it REJECTED)."""
        load_id, log, base, t0 = pending.load_id, pending.log, pending.base, pending.t0
        try:
            if cand.problem is not None:
                raise RejectedFile(cand.file, cand.problem)
            counts, message = self._land(cand, load_id, log)
        except RejectedFile as rej:
            seconds = time.perf_counter() - t0
            self._log(
                **log,
                rows_read=None,
                rows_landed=None,
                rows_quarantined=None,
                status="REJECTED",
                message=rej.message,
                finished_at=_now(),
                seconds=seconds,
            )
            return FileResult(
                **base, status="rejected", message=rej.message, seconds=seconds, load_id=load_id
            )
        read, landed, quarantined = counts
        return FileResult(
            **base,
            status="landed",
            rows_read=read,
            rows_landed=landed,
            rows_quarantined=quarantined,
            message=message,
            seconds=time.perf_counter() - t0,
            load_id=load_id,
        )

    # --- batches of small files ----------------------------------------------------------

    def run(self, candidates: list[Candidate], on_file) -> list[FileResult]:
        """Process every candidate in order; small files of one layout land in batches."""
        self.results: list[FileResult] = []
        self.on_file = on_file
        total = len(candidates)
        for index, cand in enumerate(candidates, start=1):
            if not self._batchable(cand):
                self.flush()
                self._emit("start", index, total, cand.file)
                self._done(index, total, self.process(cand))
                continue
            if self.batch and self.batch_key and self.batch_key[0] != cand.entity:
                self.flush()
            self._emit("start", index, total, cand.file)
            prepared = self._prepare(cand)
            if isinstance(prepared, FileResult):
                self.flush()
                self._done(index, total, prepared)
                continue
            member = self._open_member(cand, prepared)
            if member is None:
                self.flush()
                self._done(index, total, self._single(cand, prepared))
                continue
            key = (
                cand.entity,
                member.source.format,
                member.source.headers,
                tuple(sorted(member.source.columns.items())),
                member.source.read_problem,
            )
            if self.batch and (
                key != self.batch_key
                or len(self.batch) >= BATCH_MAX_FILES
                or self.batch_bytes + member.size > BATCH_MAX_BYTES
            ):
                self.flush()
            self.batch_key = key
            self.batch.append(member)
            self.batch_bytes += member.size
            self.pending_hashes.add((cand.entity, prepared.log["content_hash"]))
            member.index, member.total = index, total
        self.flush()
        return self.results

    def _emit(self, phase: str, index: int, total: int, file: str, result=None) -> None:
        if self.on_file:
            self.on_file(FileEvent(phase, index, total, file, result))

    def _done(self, index: int, total: int, result: FileResult) -> None:
        self.results.append(result)
        self._emit("done", index, total, result.file, result)

    def _batchable(self, cand: Candidate) -> bool:
        return (
            cand.problem is None
            and cand.contract is not None
            and FORMATS.get(cand.path.suffix.lower()) in BATCH_FORMATS
            and cand.path.stat().st_size <= BATCH_FILE_BYTES
        )

    def _open_member(self, cand: Candidate, pending: _Pending) -> _Member | None:
        """Open the file's own view outside any transaction; None if it cannot be read."""
        assert cand.contract is not None
        self.view_seq += 1
        view = f"_src_b{self.view_seq}"
        renames = self.mapping.renames_for(cand.file, cand.contract)
        try:
            source = open_source(self.con, cand.path, cand.file, cand.contract, renames, view)
        except (RejectedFile, *READ_ERRORS):
            self.con.execute(f"drop view if exists {view}")
            self.con.execute(f"drop table if exists {view}_obj")
            return None
        size = cand.path.stat().st_size
        if source.format == "parquet":
            size *= PARQUET_WEIGHT
        return _Member(cand, pending, source, size)

    def flush(self) -> None:
        """Land the pending batch in one transaction; file by file if the batch fails."""
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        self.pending_hashes = set()
        if not batch:
            return
        try:
            try:
                results = self._land_batch(batch)
            except (RejectedFile, *READ_ERRORS):
                results = None
        finally:
            for member in batch:
                member.source.close(self.con)
        if results is None:
            # Something in the batch failed: each file again on its own, so a bad file is
            # rejected alone (with its own message) and the others land.
            results = [self._single(m.cand, m.pending) for m in batch]
        for member, result in zip(batch, results, strict=True):
            self._done(member.index, member.total, result)

    def _land_batch(self, batch: list[_Member]) -> list[FileResult]:
        con = self.con
        first = batch[0]
        contract = first.cand.contract
        assert contract is not None
        source = first.source
        load_ids = [m.pending.load_id for m in batch]
        files = [m.cand.file for m in batch]
        union = " union all ".join(
            f"select *, {k:d} as __file_idx from {m.source.view}"
            for k, m in enumerate(batch, start=1)
        )
        # One cheap read of every file into a temp table (outside the transaction: temp data
        # only); validation then plans once over it instead of over every file's reader.
        con.execute(f"drop view if exists {VIEW}")
        con.execute(f"create or replace temp table {VIEW} as {union}")
        con.execute("begin")
        try:
            queries = validation_sql(
                contract,
                tuple(sorted(source.columns.items())),
                source.headers,
                source.read_problem,
                True,
            )
            read = dict(
                con.execute(f"select __file_idx, count(*) from {VIEW} group by 1").fetchall()
            )
            now = _now()
            landed_total = con.execute(
                _raw_batch_insert_sql(contract, queries.good),
                {"load_ids": load_ids, "files": files, "now": now},
            ).fetchone()[0]
            quarantined: dict[int, int] = {}
            if landed_total != sum(read.values()):
                quarantine_batch(
                    con,
                    queries.bad,
                    load_ids=load_ids,
                    system=first.cand.system,
                    entity=first.cand.entity,
                    files=files,
                    now=now,
                )
                quarantined = dict(
                    con.execute(
                        "select load_id, count(*) from ingest.quarantine"
                        " where load_id between $lo and $hi group by 1",
                        {"lo": load_ids[0], "hi": load_ids[-1]},
                    ).fetchall()
                )
            landed = dict(
                con.execute(
                    f"select _load_id, count(*) from {table('raw', contract.entity)}"
                    " where _load_id between $lo and $hi group by 1",
                    {"lo": load_ids[0], "hi": load_ids[-1]},
                ).fetchall()
            )
            results, logs = [], []
            for k, member in enumerate(batch, start=1):
                load_id, log = member.pending.load_id, member.pending.log
                n_read = read.get(k, 0)
                n_landed = landed.get(load_id, 0)
                n_quarantined = quarantined.get(load_id, 0)
                if n_read != n_landed + n_quarantined:
                    raise RejectedFile(member.cand.file, "reconciliation failed in batch")
                log.update(
                    format=member.source.format,
                    encoding=member.source.encoding,
                    delimiter=member.source.delimiter,
                )
                message = self._supersede(member.cand, contract, load_id)
                finished = _now()
                logs.append(
                    {
                        **log,
                        "rows_read": n_read,
                        "rows_landed": n_landed,
                        "rows_quarantined": n_quarantined,
                        "status": "LANDED",
                        "message": message,
                        "finished_at": finished,
                        "seconds": (finished - log["started_at"]).total_seconds(),
                    }
                )
                results.append(
                    FileResult(
                        **member.pending.base,
                        status="landed",
                        rows_read=n_read,
                        rows_landed=n_landed,
                        rows_quarantined=n_quarantined,
                        message=message,
                        seconds=time.perf_counter() - member.pending.t0,
                        load_id=load_id,
                    )
                )
            con.executemany(LOG_INSERT, logs)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            con.execute(f"drop table if exists {VIEW}")
        for member in batch:
            self.by_hash[(member.cand.entity, member.pending.log["content_hash"])] = (
                member.pending.load_id,
                member.cand.file,
            )
            self.by_file[member.cand.file] = member.pending.load_id
        return results

    def _land(self, cand: Candidate, load_id: int, log: dict) -> tuple[tuple[int, int, int], str]:
        con, contract = self.con, cand.contract
        assert contract is not None
        renames = self.mapping.renames_for(cand.file, contract)
        source: Source | None = None
        con.execute("begin")
        try:
            source = open_source(con, cand.path, cand.file, contract, renames)
            log.update(format=source.format, encoding=source.encoding, delimiter=source.delimiter)
            queries = validation_sql(
                contract,
                tuple(sorted(source.columns.items())),
                source.headers,
                source.read_problem,
            )
            read = con.execute("select count(*) from _src").fetchone()[0]
            now = _now()
            landed = con.execute(
                _raw_insert_sql(contract, queries.good),
                {"load_id": load_id, "file": cand.file, "now": now},
            ).fetchone()[0]
            quarantined = 0
            if landed != read:
                quarantined = quarantine_rows(
                    con,
                    queries.bad,
                    load_id=load_id,
                    system=cand.system,
                    entity=cand.entity,
                    file=cand.file,
                    now=now,
                )
            if read != landed + quarantined:
                raise RejectedFile(
                    cand.file,
                    f"reconciliation failed: read {read}, landed"
                    f" {landed}, quarantined {quarantined}",
                )
            message = self._supersede(cand, contract, load_id)
            finished = _now()
            self._log(
                **log,
                rows_read=read,
                rows_landed=landed,
                rows_quarantined=quarantined,
                status="LANDED",
                message=message,
                finished_at=finished,
                seconds=(finished - log["started_at"]).total_seconds(),
            )
            con.execute("commit")
        except READ_ERRORS as err:
            con.execute("rollback")
            raise RejectedFile(cand.file, f"cannot read file: {_duckdb_message(err)}") from None
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            if source is not None:
                source.close(con)
        self.by_hash[(cand.entity, log["content_hash"])] = (load_id, cand.file)
        self.by_file[cand.file] = load_id
        return (read, landed, quarantined), message

    def _supersede(self, cand: Candidate, contract: Contract, load_id: int) -> str:
        old = self.by_file.get(cand.file)
        if old is None:
            return ""
        self.con.execute(
            f"delete from {table('raw', contract.entity)} where _load_id = $old", {"old": old}
        )
        self.con.execute(
            "update ingest.load_log set status = 'SUPERSEDED', message = $message"
            " where load_id = $old",
            {"old": old, "message": f"superseded by load {load_id}"},
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
