"""Validation in SQL: `_src` (text columns) → typed rows that pass, and rows that do not.

One vectorised query types every column and evaluates the required / type / enum / min rules
and the contract's checks; rows failing any rule go to quarantine with every problem named
and the original row as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp

from ingest.contracts import Column, Contract
from ingest.sqlparts import DIALECT, ident, lit

OFFSET_SUFFIX = "_utc_offset_min"
TS_PATTERN = (
    r"^\s*(\d{4}-\d{2}-\d{2})[Tt ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
    r" ?([Zz]|[+-]\d{2}(?::?\d{2})?)?\s*$"
)
DATE_PATTERN = r"^\s*(\d{4}-\d{2}-\d{2})(?:[Tt ]00:00(?::00(?:\.0+)?)?)?\s*$"
TIME_PATTERN = r"^\s*(\d{1,2}):(\d{2})(?::00(?:\.0+)?)?\s*$"
TYPE_WORDS = {
    "integer": "a whole number",
    "decimal": "a number",
    "date": "a date (YYYY-MM-DD)",
    "timestamp": "a timestamp (YYYY-MM-DD HH:MM:SS, optional offset)",
    "time_hhmm": "a time (HH:MM)",
}


def raw_columns(contract: Contract) -> list[tuple[str, str]]:
    """The typed columns of raw.<entity>, each timestamp followed by its offset column."""
    out = []
    for col in contract.columns:
        out.append((col.name, col.sql_type))
        if col.type == "timestamp":
            out.append((col.name + OFFSET_SUFFIX, "SMALLINT"))
    return out


def _ts_kind(x: str) -> str:
    """1 for 'YYYY-MM-DD HH:MM[:SS]', 2 for '…HH:MM:SS±HH:MM': forms cast without a regex."""
    return (
        f"case when strlen({x}) between 16 and 19 and substr({x}, 11, 1) in (' ', 'T') then 1"
        f" when strlen({x}) = 25 and substr({x}, 11, 1) in (' ', 'T')"
        f" and substr({x}, 20, 1) in ('+', '-') and substr({x}, 23, 1) = ':' then 2 end"
    )


def _typed(col: Column, v: str, m: str, k: str) -> list[str]:
    """Typed value expression(s) from the text `v` (regex struct `m`, timestamp kind `k`)."""
    name = ident(col.name)
    if col.type == "text":
        return [f"{v} as {name}"]
    if col.type == "integer":
        return [f"try_cast({v} as bigint) as {name}"]
    if col.type == "decimal":
        return [f"try_cast({v} as double) as {name}"]
    if col.type == "date":
        return [
            f"case when length({v}) = 10 then try_cast({v} as date) else"
            f" try_cast(nullif(regexp_extract({v}, {lit(DATE_PATTERN)}, 1), '') as date) end"
            f" as {name}"
        ]
    if col.type == "time_hhmm":
        return [
            f"case when try_cast({m}.h as int) < 24 and try_cast({m}.m as int) < 60 then"
            f" lpad({m}.h, 2, '0') || ':' || {m}.m end as {name}"
        ]
    offset = (
        f"case when {m}.o = '' or {m}.d = '' then null when upper({m}.o) = 'Z' then 0 else"
        f" (case when left({m}.o, 1) = '-' then -1 else 1 end) * (cast(substr({m}.o, 2, 2) as int)"
        f" * 60 + coalesce(try_cast(nullif(replace(substr({m}.o, 4), ':', ''), '') as int), 0))"
        " end"
    )
    value = (
        f"case when {k} = 1 then try_cast({v} as timestamp)"
        f" when {k} = 2 then try_cast(left({v}, 19) as timestamp)"
        f" else try_cast(nullif({m}.d, '') || ' ' || {m}.t as timestamp) end"
    )
    zoned_offset = (
        f"(case when substr({v}, 20, 1) = '-' then -1 else 1 end)"
        f" * (try_cast(substr({v}, 21, 2) as int) * 60 + try_cast(substr({v}, 24, 2) as int))"
    )
    return [
        f"{value} as {name}",
        f"cast(case when {k} = 2 then {zoned_offset} when {m} is not null then {offset} end"
        f" as smallint) as {ident(col.name + OFFSET_SUFFIX)}",
    ]


def _parse_piece(col: Column, v: str, m: str, k: str) -> str | None:
    if col.type == "timestamp":
        return (
            f"case when {k} is null then regexp_extract({v}, {lit(TS_PATTERN)},"
            f" ['d', 't', 'o']) end as {m}"
        )
    if col.type == "time_hhmm":
        return f"regexp_extract({v}, {lit(TIME_PATTERN)}, ['h', 'm']) as {m}"
    return None


def _rules(col: Column, v: str) -> list[tuple[str, str]]:
    """(condition, message) pairs for one column; conditions never evaluate to NULL."""
    name = ident(col.name)
    shown = f"'''' || left({v}, 60) || ''''"
    label = lit(col.name + ": ")
    rules = []
    # For a good row every condition is evaluated, so costly parts (trim) sit behind a CASE
    # that only reaches them for rows whose typed value is already missing.
    if col.type == "text":
        blank = f"{v} is null"
    else:
        blank = f"({v} is null or case when {name} is null then trim({v}) = '' else false end)"
    if col.required:
        rules.append((blank, lit(col.name + ": required value is missing")))
    if col.type != "text":
        invalid = f"{name} is null"
        if col.type == "decimal":
            invalid = f"not coalesce(isfinite({name}), false)"
        elif col.type == "integer":
            invalid = f"({name} is null or try_cast({v} as double) <> {name})"
        rules.append(
            (
                f"case when {invalid} then {v} is not null and trim({v}) <> '' else false end",
                f"{label} || {shown} || {lit(' is not ' + TYPE_WORDS[col.type])}",
            )
        )
    if col.enum:
        values = ", ".join(lit(e) for e in col.enum)
        rules.append(
            (
                f"{name} is not null and {name} not in ({values})",
                f"{label} || {shown} || {lit(' is not one of ' + ', '.join(col.enum))}",
            )
        )
    if col.min is not None:
        rules.append(
            (
                f"{name} is not null and {name} < {lit(col.min)}",
                f"{label} || {shown} || {lit(f' is below the minimum {col.min:g}')}",
            )
        )
    return rules


def _check_sql(sql: str) -> str:
    """Re-render a contract check with quoted column names."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    for column in tree.find_all(exp.Column):
        column.set("this", exp.to_identifier(column.name, quoted=True))
    return tree.sql(DIALECT)


@dataclass(frozen=True)
class Validation:
    """The two queries over `_src` for one column layout: rows that pass, rows that do not."""

    good: str
    bad: str


@lru_cache(maxsize=256)
def validation_sql(
    contract: Contract,
    columns: tuple[tuple[str, int], ...],
    headers: tuple[str, ...],
    read_problem: bool,
) -> Validation:
    """Build the typed query and its good/bad split for one column layout.

    `_src` holds a batch of files of that layout (one or more), each row tagged with
    `__file_idx`, its file within the batch. `good` yields the raw.<entity> columns plus
    `__source_row` and `__file_idx`; `bad` yields those two, `__problems` (all problems,
    '; '-separated), `__column` and `__row_text`.
    """
    index = dict(columns)
    parsed, pieces, typed, keep, problems, conditions, first = [], [], [], [], [], [], []
    for n, col in enumerate(contract.columns):
        v, m, k = f"__v{n}", f"__m{n}", f"__k{n}"
        source = f"__c{index[col.name]}" if col.name in index else "null::varchar"
        text = f"trim({source})" if col.type == "text" else source
        parsed.append(f"nullif({text}, '') as {v}")
        if col.type == "timestamp":
            parsed.append(f"{_ts_kind(source)} as {k}")
        piece = _parse_piece(col, v, m, k)
        if piece:
            pieces.append(piece)
        typed.extend(_typed(col, v, m, k))
        keep.append(f"({ident(col.name)} is not null or {v} is null or trim({v}) = '')")
        rules = _rules(col, v)
        if rules:
            whens = " ".join(f"when {c} then {msg}" for c, msg in rules)
            problems.append(f"case {whens} end")
            conditions.extend(f"({c})" for c, _ in rules)
            first.append(f"when {' or '.join(f'({c})' for c, _ in rules)} then {lit(col.name)}")
    for check in contract.checks:
        ok = " and ".join(keep[contract.names.index(c)] for c in check.columns)
        condition = f"{ok} and not coalesce(({_check_sql(check.sql)}), true)"
        problems.append(f"case when {condition} then {lit(check.message)} end")
        conditions.append(f"({condition})")
    raw_cols = [f"__c{i}" for i in range(len(headers))]
    extra = ["__read_problem", "__raw"] if read_problem else []
    lineage = ["__source_row", "__file_idx"]
    carried = ", ".join(raw_cols + extra + lineage)
    values = ", ".join(f"__v{n}" for n in range(len(contract.columns)))
    parsed_query = f"select {carried}, {', '.join(parsed)} from _src"
    if pieces:
        parsed_query = f"select *, {', '.join(pieces)} from ({parsed_query})"
    typed_query = f"select {carried}, {values}, {', '.join(typed)} from ({parsed_query})"
    bad = " or ".join(conditions) or "false"
    reason = f"concat_ws('; ', {', '.join(problems)})" if problems else "''"
    column = f"case {' '.join(first)} end" if first else "null::varchar"
    row_json = "json_object(" + ", ".join(f"{lit(h)}, __c{i}" for i, h in enumerate(headers)) + ")"
    if read_problem:
        bad = f"__read_problem is not null or {bad}"
        reason = f"coalesce(__read_problem, {reason})"
        column = f"case when __read_problem is null then {column} end"
        row_json = (
            f"case when __read_problem is not null then json_object('line', __raw)"
            f" else {row_json} end"
        )
    out_cols = ", ".join(ident(name) for name, _ in raw_columns(contract))
    tail = ", ".join(lineage)
    good_sql = f"select {out_cols}, {tail} from ({typed_query}) where not ({bad})"
    bad_sql = (
        f"select {tail}, {reason} as __problems, {column} as __column,"
        f" {row_json} as __row_text from ({typed_query}) where {bad}"
    )
    return Validation(good_sql, bad_sql)


# --- One typed pass ----------------------------------------------------------------------
# A large CSV is first landed in one pass over a typed scan (`typed_scan_types`): numbers
# parsed by the CSV reader, every rule one filter, no counting pass. A row lands there only
# when the text validation above would land it with the same values (the conditions below);
# any other row - or any value the reader rejects - sends the whole file back to the text
# validation, which names every problem. Below the limit a double has a fraction finer than
# 1/2, so a whole double is the integer the text would be cast to.
EXACT_INTEGER = 2**52
READER_DOUBLE = {"integer", "decimal"}


def typed_scan_types(contract: Contract, columns: dict[str, int], width: int) -> list[str]:
    """The CSV reader's type for each of the file's `width` columns: DOUBLE for numbers."""
    types = ["VARCHAR"] * width
    for col in contract.columns:
        if col.name in columns and col.type in READER_DOUBLE:
            types[columns[col.name]] = "DOUBLE"
    return types


def _fast_value(col: Column, x: str, k: str) -> tuple[list[str], str]:
    """Typed expression(s) from the scanned `x` (timestamp kind `k`), and the condition for
    the row to land in one pass (over `x` and the typed names)."""
    name = ident(col.name)
    if col.type == "text":
        return [f"nullif(trim({x}), '') as {name}"], "true"
    if col.type == "decimal":
        return [f"{x} as {name}"], f"({x} is null or isfinite({x}))"
    if col.type == "integer":
        exact = f"({x} = trunc({x}) and abs({x}) < {EXACT_INTEGER})"
        return [f"case when {exact} then cast({x} as bigint) end as {name}"], (
            f"({x} is null or {name} is not null)"
        )
    if col.type == "date":
        return [f"case when strlen({x}) = 10 then try_cast({x} as date) end as {name}"], (
            f"({x} is null or {name} is not null)"
        )
    if col.type == "time_hhmm":
        shaped = (
            f"regexp_full_match({x}, '\\d\\d:\\d\\d') and try_cast(left({x}, 2) as int) < 24"
            f" and try_cast(right({x}, 2) as int) < 60"
        )
        return [f"case when {shaped} then {x} end as {name}"], (
            f"({x} is null or {name} is not null)"
        )
    zoned = (
        f"(case when substr({x}, 20, 1) = '-' then -1 else 1 end)"
        f" * (try_cast(substr({x}, 21, 2) as int) * 60 + try_cast(substr({x}, 24, 2) as int))"
    )
    offset = ident(col.name + OFFSET_SUFFIX)
    return [
        f"case {k} when 1 then try_cast({x} as timestamp)"
        f" when 2 then try_cast(left({x}, 19) as timestamp) end as {name}",
        f"cast(case when {k} = 2 then {zoned} end as smallint) as {offset}",
    ], f"({x} is null or ({name} is not null and ({k} = 1 or {offset} is not null)))"


@lru_cache(maxsize=64)
def fast_sql(contract: Contract, columns: tuple[tuple[str, int], ...]) -> str:
    """The one-pass query over a typed scan `_src` (`__cN` typed by `typed_scan_types`).

    It yields every row: the raw.<entity> columns, `__file_idx`, and `__source_row`,
    negated for a row that cannot land in one pass (the caller then lands the file through
    `validation_sql` instead).
    """
    index = dict(columns)
    kinds, typed, accept = [], [], []
    for n, col in enumerate(contract.columns):
        absent = "null::double" if col.type in READER_DOUBLE else "null::varchar"
        x = f"__c{index[col.name]}" if col.name in index else absent
        k = f"__k{n}"
        if col.type == "timestamp":
            kinds.append(f"{_ts_kind(x)} as {k}")
        values, ok = _fast_value(col, x, k)
        typed.extend(values)
        name = ident(col.name)
        if ok != "true":
            accept.append(ok)
        if col.required:
            accept.append(f"{name} is not null")
        if col.enum:
            accept.append(f"({name} is null or {name} in ({', '.join(lit(e) for e in col.enum)}))")
        if col.min is not None:
            accept.append(f"({name} is null or {name} >= {lit(col.min)})")
    accept.extend(f"coalesce(({_check_sql(check.sql)}), true)" for check in contract.checks)
    out = ", ".join(ident(name) for name, _ in raw_columns(contract))
    lands = " and ".join(f"coalesce({a}, false)" for a in accept) or "true"
    carried = ", ".join([f"__c{i}" for i in sorted(index.values())] + kinds)
    scanned = f"select {carried}, __source_row, __file_idx from _src"
    return (
        f"select {out}, case when {lands} then __source_row else -__source_row end"
        f" as __source_row, __file_idx from (select *, {', '.join(typed)} from ({scanned}))"
    )
