"""Readers: any inbox file → a DuckDB temp view of all-VARCHAR columns plus `__source_row`.

The view `_src` has columns `__c0 … __cN` (the file's columns in order, as text),
`__source_row` (the row's number in the file) and `__read_problem` / `__raw` (set only for
a JSON Lines line that is not a JSON object). `Source` says what was detected.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb

from ingest.contracts import Contract
from ingest.errors import RejectedFile
from ingest.mapping import normalize
from ingest.sqlparts import ident, lit

FORMATS = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".parquet": "parquet",
}
DELIMITERS = (",", ";", "\t")
VIEW = "_src"
CHUNK = 1 << 20
SPLIT_BYTES = 32 << 20
SCRATCH_PREFIX = "andon-ingest-"
XLSX_HEADER_SEARCH_ROWS = 50


@dataclass
class Source:
    """A readable file: the view's columns and what the reader detected."""

    format: str
    headers: tuple[str, ...]
    columns: dict[str, int]
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    read_problem: bool = False
    temp_files: list[Path] = field(default_factory=list)
    view: str = VIEW
    temp_tables: list[str] = field(default_factory=list)
    # CSV: the read_csv scans behind the view (file, has header, first row's number).
    scans: list[tuple[Path, bool, int]] = field(default_factory=list)

    def close(self, con: duckdb.DuckDBPyConnection) -> None:
        """Drop the view (and temp tables behind it) and any temp file behind it."""
        try:
            con.execute(f"drop view if exists {self.view}")
            con.unregister(f"{self.view}_arrow")
            for name in self.temp_tables:
                con.execute(f"drop table if exists {name}")
        except duckdb.Error:
            pass
        for path in self.temp_files:
            path.unlink(missing_ok=True)


def scratch_dir() -> Path:
    """This process's folder for temp files (UTF-8 copies, CSV pieces)."""
    path = Path(tempfile.gettempdir()) / f"{SCRATCH_PREFIX}{os.getpid()}"
    path.mkdir(exist_ok=True)
    return path


def clean_scratch() -> None:
    """Remove this process's temp folder and those left by killed ingest processes."""
    for path in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        pid = path.name.removeprefix(SCRATCH_PREFIX)
        if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def resolve_columns(
    headers: tuple[str, ...], contract: Contract, renames: dict[str, str], file: str
) -> dict[str, int]:
    """Contract column → index in the file, after renames; reject missing required columns."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = normalize(header)
        name = renames.get(key, key)
        if name in contract.names:
            if name in found:
                raise RejectedFile(file, f"column {name!r} appears twice in the header")
            found[name] = index
    missing = [c for c in contract.required if c not in found]
    if missing:
        shown = ", ".join(repr(h) for h in headers) or "none"
        hint = " (add a column mapping if the site uses its own names)" if headers else ""
        raise RejectedFile(
            file,
            f"missing required column(s) {', '.join(missing)} for"
            f" {contract.system}/{contract.entity}; found columns: {shown}{hint}",
        )
    return found


# --- CSV -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFacts:
    """What one read of a file's bytes tells: its SHA-256, the offset of its first byte that
    is not UTF-8 (None when it all is), and where a large CSV may be cut (`_cuts`)."""

    digest: str
    utf8_error: int | None
    cuts: tuple[tuple[int, int], ...] | None


@lru_cache(maxsize=8)
def _facts(path: Path, size: int, mtime_ns: int) -> FileFacts:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_error: int | None = None
    cuts: list[tuple[int, int]] | None = [(0, 0)] if size > SPLIT_BYTES else None
    offset = lines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            if utf8_error is None and not (chunk.isascii() and not decoder.getstate()[0]):
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as err:
                    utf8_error = offset - pending + err.start
            if cuts is not None:
                if b'"' in chunk:  # a quoted field may hold a line break: never cut
                    cuts = None
                else:
                    if offset + len(chunk) - cuts[-1][0] >= SPLIT_BYTES:
                        end = chunk.rfind(b"\n") + 1
                        if end:
                            cuts.append((offset + end, lines + chunk.count(b"\n", 0, end)))
                    lines += chunk.count(b"\n")
            offset += len(chunk)
    if utf8_error is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_error = offset - len(decoder.getstate()[0])
    return FileFacts(
        digest.hexdigest(), utf8_error, tuple(cuts) if cuts and len(cuts) > 1 else None
    )


def file_facts(path: Path) -> FileFacts:
    """The file's `FileFacts`, from one read (kept for the file's next use in the run)."""
    stat = path.stat()
    return _facts(path, stat.st_size, stat.st_mtime_ns)


def _split(path: Path, cuts: list[tuple[int, int]]) -> list[tuple[Path, int]]:
    """Copy the byte ranges between cut points into piece files (kernel-side copy)."""
    size = path.stat().st_size
    bounds = [c[0] for c in cuts[1:]] + [size]
    pieces: list[tuple[Path, int]] = []
    try:
        with path.open("rb") as src:
            for (start, lines), end in zip(cuts, bounds, strict=True):
                fd, name = tempfile.mkstemp(prefix="piece-", suffix=".csv", dir=scratch_dir())
                pieces.append((Path(name), lines))
                with os.fdopen(fd, "wb") as out:
                    position, left = start, end - start
                    while left > 0:
                        done = os.copy_file_range(src.fileno(), out.fileno(), left, position)
                        if done == 0:
                            break
                        position, left = position + done, left - done
    except BaseException:
        for piece_path, _ in pieces:
            piece_path.unlink(missing_ok=True)
        raise
    return pieces


def _transcode(path: Path, file: str, utf8_offset: int) -> Path:
    """Stream a GB18030 file into a temp UTF-8 file; reject if it is not GB18030 either."""
    decoder = codecs.getincrementaldecoder("gb18030")("strict")
    fd, name = tempfile.mkstemp(prefix="utf8-", suffix=".csv", dir=scratch_dir())
    out = Path(name)
    offset = 0
    try:
        with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(CHUNK):
                pending = len(decoder.getstate()[0])
                try:
                    dst.write(decoder.decode(chunk).encode("utf-8"))
                except UnicodeDecodeError as err:
                    raise RejectedFile(
                        file,
                        f"broken encoding: not UTF-8 (invalid byte at offset {utf8_offset}) and"
                        f" not GB18030 (invalid byte at offset {offset - pending + err.start})",
                    ) from None
                offset += len(chunk)
            try:
                dst.write(decoder.decode(b"", final=True).encode("utf-8"))
            except UnicodeDecodeError:
                raise RejectedFile(
                    file,
                    f"broken encoding: not UTF-8 (invalid byte at offset {utf8_offset}) and not"
                    f" GB18030 (truncated character at offset {offset - pending})",
                ) from None
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


def _first_line(path: Path) -> bytes:
    with path.open("rb") as fh:
        head = fh.read(CHUNK)
    return head.split(b"\n", 1)[0].rstrip(b"\r")


def _csv_scan(
    path: Path,
    delimiter: str,
    types: list[str],
    header: bool,
    base: int,
    rejects: str | None = None,
) -> str:
    """One read_csv of `path` as `__c0 … __cN` (types: one per column) with `__source_row`;
    with `rejects`, values the reader cannot parse go to the temp tables `<rejects>_errors`
    and `<rejects>_scans` instead of failing the read (the first one only: that there is one
    is all the typed pass needs to know, and a file of bad rows must not fill memory)."""
    names = [f"__c{i}" for i in range(len(types))]
    columns = (
        "{" + ", ".join(f"{lit(n)}: {lit(t)}" for n, t in zip(names, types, strict=True)) + "}"
    )
    stored = ""
    if rejects:
        stored = (
            f", store_rejects = true, rejects_table = {lit(rejects + '_errors')},"
            f" rejects_scan = {lit(rejects + '_scans')}, rejects_limit = 1"
        )
    return (
        f"select {', '.join(names)}, __ord + {base:d} as __source_row from read_csv("
        f"{lit(str(path))}, auto_detect = false, header = {str(header).lower()},"
        f" delim = {lit(delimiter)}, quote = '\"', escape = '\"', strict_mode = true,"
        f" null_padding = false, columns = {columns}{stored}) with ordinality as"
        f" t({', '.join(names)}, __ord)"
    )


def _csv_view(
    con, path: Path, delimiter: str, width: int, temp_files: list[Path], view: str = VIEW
) -> list[tuple[Path, bool, int]]:
    """`_src` over the file; a large quote-free file is read as pieces, numbered in parallel.

    Returns the scans: (file, has header, number of its first row's line).
    """
    scans = [(path, True, 1)]
    cuts = file_facts(path).cuts
    if cuts:
        pieces = _split(path, list(cuts))
        temp_files.extend(p for p, _ in pieces)
        scans = [
            (piece, index == 0, 1 if index == 0 else lines)
            for index, (piece, lines) in enumerate(pieces)
        ]
    text = ["VARCHAR"] * width
    union = " union all ".join(_csv_scan(p, delimiter, text, h, b) for p, h, b in scans)
    con.execute(f"create or replace temp view {view} as {union}")
    return scans


def typed_csv_view(con, source: Source, types: list[str], view: str, rejects: str) -> None:
    """A view like the source's `_src` but typed by `types`, over the same scans; values the
    reader rejects go to the tables `<rejects>_errors` and `<rejects>_scans` (`_csv_scan`)."""
    union = " union all ".join(
        _csv_scan(p, source.delimiter or ",", types, h, b, rejects) for p, h, b in source.scans
    )
    con.execute(f"create or replace temp view {view} as {union}")


def read_csv(
    con, path: Path, file: str, contract: Contract, renames: dict[str, str], view: str = VIEW
) -> Source:
    """CSV with a header row; delimiter and encoding detected."""
    head = _first_line(path)
    if not head.strip(b"\xef\xbb\xbf \t"):
        raise RejectedFile(file, "empty file: no header row")
    bom = head.startswith(codecs.BOM_UTF8)
    bad = file_facts(path).utf8_error
    temp_files: list[Path] = []
    if bad is None:
        encoding, data_path = ("utf-8-sig" if bom else "utf-8"), path
        header = head[3:] if bom else head
        text = header.decode("utf-8")
    else:
        data_path = _transcode(path, file, bad)
        temp_files.append(data_path)
        encoding = "gb18030"
        text = head.decode("gb18030", errors="replace")
    counts = {d: text.count(d) for d in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","
    headers = tuple(next(csv.reader([text], delimiter=delimiter, quotechar='"')))
    try:
        columns = resolve_columns(headers, contract, renames, file)
        scans = _csv_view(con, data_path, delimiter, len(headers), temp_files, view)
    except BaseException:
        for tmp in temp_files:
            tmp.unlink(missing_ok=True)
        raise
    return Source(
        "csv",
        headers,
        columns,
        encoding,
        delimiter,
        1,
        temp_files=temp_files,
        view=view,
        scans=scans,
    )


# --- JSON ----------------------------------------------------------------------------------


def _json_kind(path: Path, file: str) -> str:
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip(codecs.BOM_UTF8).lstrip()
    if not head:
        raise RejectedFile(file, "empty file: no JSON content")
    if head[:1] == b"[":
        return "json"
    if head[:1] == b"{":
        return "jsonl"
    raise RejectedFile(file, "not JSON: expected an array of objects or JSON Lines")


def _json_objects_sql(lines_sql: str) -> str:
    """Lines (`j`, `__source_row`) with what makes a line unusable (`__read_problem`)."""
    return (
        "select __source_row, j, case when not json_valid(j) then 'invalid JSON'"
        " when json_type(j) <> 'OBJECT' then 'not a JSON object' end as __read_problem"
        f" from ({lines_sql})"
    )


def _json_lines_table(con, path: Path, file: str, view: str = VIEW) -> None:
    """The file's lines (with line numbers) as a temp table `<view>_obj`."""
    bad = file_facts(path).utf8_error
    if bad is not None:
        raise RejectedFile(
            file, f"broken encoding: JSON must be UTF-8 (invalid byte at offset {bad})"
        )
    import polars as pl

    text = path.read_text(encoding="utf-8-sig")
    lines = pl.DataFrame({"j": text.splitlines()}, schema={"j": pl.String})
    con.register(f"{view}_arrow", lines.with_row_index("__source_row", offset=1).to_arrow())
    con.execute(
        f"create or replace temp table {view}_obj as "
        + _json_objects_sql(
            f"select j, __source_row::bigint as __source_row from {view}_arrow where trim(j) <> ''"
        )
    )
    con.unregister(f"{view}_arrow")


def read_json(
    con, path: Path, file: str, contract: Contract, renames: dict[str, str], view: str = VIEW
) -> Source:
    """A JSON array of objects, or JSON Lines (an invalid line is quarantined, not fatal)."""
    kind = _json_kind(path, file)
    if kind == "json":
        try:
            con.execute(
                f"create or replace temp table {view}_obj as "
                + _json_objects_sql(
                    "select j::varchar as j, __ord as __source_row from read_json("
                    f"{lit(str(path))}, format = 'array', records = false,"
                    " columns = {'j': 'JSON'}) with ordinality as t(j, __ord)"
                )
            )
        except duckdb.Error as err:
            raise RejectedFile(file, f"broken JSON array: {_first_line_of(err)}") from None
    else:
        _json_lines_table(con, path, file, view)
    keys = con.execute(
        "select k from (select __source_row as r, unnest(json_keys(j)) as k,"
        f" unnest(range(len(json_keys(j)))) as p from {view}_obj where __read_problem is null)"
        " group by k order by min(r), min(p)"
    ).fetchall()
    headers = tuple(k for (k,) in keys)
    columns = resolve_columns(headers, contract, renames, file)
    fields = ", ".join(
        f"json_extract_string(__obj, {lit('$.' + _json_key(h))}) as __c{i}"
        for i, h in enumerate(headers)
    )
    con.execute(
        f"create or replace temp view {view} as select {fields}{', ' if fields else ''}"
        " __source_row, __read_problem, j as __raw from (select *, case when __read_problem"
        f" is null then j end as __obj from {view}_obj)"
    )
    return Source(
        kind,
        headers,
        columns,
        "utf-8",
        None,
        1,
        read_problem=True,
        view=view,
        temp_tables=[f"{view}_obj"] if view != VIEW else [],
    )


def _json_key(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _first_line_of(err: Exception) -> str:
    return str(err).strip().splitlines()[0].removeprefix("Invalid Input Error: ")


# --- Parquet -------------------------------------------------------------------------------


def read_parquet(
    con, path: Path, file: str, contract: Contract, renames: dict[str, str], view: str = VIEW
) -> Source:
    """Parquet, every column rendered as text (timestamps with time zone as UTC, +00)."""
    try:
        described = con.execute(f"describe select * from read_parquet({lit(str(path))})").fetchall()
    except duckdb.Error as err:
        raise RejectedFile(file, f"not a readable Parquet file: {_first_line_of(err)}") from None
    headers = tuple(row[0] for row in described)
    columns = resolve_columns(headers, contract, renames, file)
    fields = ", ".join(f"cast({ident(h)} as varchar) as __c{i}" for i, h in enumerate(headers))
    con.execute(
        f"create or replace temp view {view} as select {fields}, file_row_number + 1 as"
        f" __source_row from read_parquet({lit(str(path))}, file_row_number = true)"
    )
    return Source("parquet", headers, columns, None, None, 0, view=view)


# --- XLSX ----------------------------------------------------------------------------------


def _first_used_row(path: Path) -> int:
    """Excel row number of the sheet's first non-empty row (calamine starts its range there)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(v is not None and str(v).strip() for v in row):
                return number
        return 1
    finally:
        book.close()


def read_xlsx(
    con, path: Path, file: str, contract: Contract, renames: dict[str, str], view: str = VIEW
) -> Source:
    """First sheet; the header is the first row holding the contract's required columns."""
    import fastexcel
    import polars as pl

    try:
        frame = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string")
        frame = frame.to_polars()
        offset = _first_used_row(path)
    except Exception as err:  # fastexcel/openpyxl raise many types for a broken workbook
        raise RejectedFile(file, f"not a readable XLSX workbook: {err}") from None
    if frame.height == 0:
        raise RejectedFile(file, "empty workbook: no header row")
    frame = frame.with_columns(pl.all().str.strip_chars())
    head = frame.head(XLSX_HEADER_SEARCH_ROWS).rows()
    wanted = set(contract.required)
    header_index = None
    for index, row in enumerate(head):
        names = {renames.get(normalize(v), normalize(v)) for v in row if v}
        if wanted <= names:
            header_index = index
            break
    if header_index is None:
        first = next((r for r in head if any(r)), ())
        resolve_columns(tuple(v or "" for v in first), contract, renames, file)
        raise RejectedFile(file, "no header row found")
    raw_headers = head[header_index]
    keep = [i for i, h in enumerate(raw_headers) if h]
    headers = tuple(raw_headers[i] for i in keep)
    columns = resolve_columns(headers, contract, renames, file)
    data = frame.slice(header_index + 1).select(
        [pl.col(frame.columns[i]).alias(f"__c{n}") for n, i in enumerate(keep)]
    )
    data = data.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + offset + header_index + 1).alias("__source_row")
    ).filter(pl.any_horizontal(pl.col(f"__c{n}").is_not_null() for n in range(len(keep))))
    con.register(f"{view}_arrow", data.to_arrow())
    con.execute(f"create or replace temp view {view} as select * from {view}_arrow")
    return Source("xlsx", headers, columns, None, None, offset + header_index, view=view)


READERS = {
    "csv": read_csv,
    "json": read_json,
    "jsonl": read_json,
    "parquet": read_parquet,
    "xlsx": read_xlsx,
}


def open_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    file: str,
    contract: Contract,
    renames: dict[str, str],
    view: str = VIEW,
) -> Source:
    """Create the `_src` view (or one named `view`) for one file, or raise RejectedFile."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RejectedFile(
            file, f"unsupported file type {path.suffix!r} (use {', '.join(FORMATS)})"
        )
    return READERS[fmt](con, path, file, contract, renames, view)
