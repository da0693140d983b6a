"""Landing an inbox: each file validated and loaded in one transaction, logged in load_log."""

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
from ingest.quarantine import quarantine_rows
from ingest.readers import FORMATS, Source, clean_scratch, open_source
from ingest.results import FileEvent, FileResult, IngestReport
from ingest.schema import LINEAGE, ensure_schema
from ingest.sqlparts import ident, table
from ingest.validate import raw_columns, validation_sql
from warehouse.connections import connect_write

READ_ERRORS = (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException)
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


class _Run:
    """State of one ingest run over one open write connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, inbox: Path, mapping: Mapping) -> None:
        self.con, self.inbox, self.mapping = con, inbox, mapping
        self.next_id = con.execute(
            "select coalesce(max(load_id), 0) from ingest.load_log"
        ).fetchone()[0]
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
        started, t0 = _now(), time.perf_counter()
        base = {"file": cand.file, "system": cand.system, "entity": cand.entity}
        size = cand.path.stat().st_size
        digest = None
        if cand.problem is None:
            with cand.path.open("rb") as fh:
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
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
        total = len(candidates)
        for index, cand in enumerate(candidates, start=1):
            if on_file:
                on_file(FileEvent("start", index, total, cand.file))
            result = run.process(cand)
            report.results.append(result)
            if on_file:
                on_file(FileEvent("done", index, total, cand.file, result))
    finally:
        con.close()
        clean_scratch()
    report.seconds = time.perf_counter() - t0
    return report
