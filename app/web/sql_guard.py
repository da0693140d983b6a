"""Layer one of the workbench's read-only guarantee: an allowlist of what SQL may say.

A query passes only if sqlglot (dialect duckdb) reads it as exactly one SELECT / WITH /
UNION statement, and nothing anywhere in its tree writes, changes settings, or reads a file
or URL (file readers, scans, globbing, quoted paths used as table names). The read-only
sandboxed connection (workbench.py) is layer two, so this check need not be perfect.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

QUERY_ROOTS = (exp.Select, exp.Union, exp.Intersect, exp.Except)
WRITE_NODES = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Copy,
    exp.Command,
    exp.Set,
    exp.Pragma,
    exp.Use,
    exp.Attach,
    exp.Detach,
    exp.Install,
    exp.Into,
)
# functions that read files, URLs or run SQL given as text
FILE_FUNCTIONS = {
    "glob",
    "sniff_csv",
    "query",
    "query_table",
    "getenv",
    "load_extension",
    "parquet_metadata",
    "parquet_schema",
    "parquet_file_metadata",
    "parquet_kv_metadata",
    "parquet_bloom_probe",
    "json_execute_serialized_sql",
}
FILE_PREFIXES = ("read_", "iceberg_", "delta_", "parquet_", "sqlite_", "postgres_", "mysql_")
FILE_SUFFIXES = ("_scan",)
# the table functions a FROM clause may call
TABLE_FUNCTIONS = {"range", "generate_series", "unnest", "explode"}
TABLE_FUNCTION_PREFIXES = ("duckdb_",)
TOKEN_REPR = re.compile(r"<Token token_type: [^,]+, text: (.*?), line: .*?>")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
# first words sqlglot cannot parse, named so the refusal says what was tried
STATEMENT_WORDS = {
    "EXPORT",
    "IMPORT",
    "ATTACH",
    "DETACH",
    "INSTALL",
    "LOAD",
    "SET",
    "RESET",
    "PRAGMA",
    "CALL",
    "COPY",
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "DROP",
    "ALTER",
    "CHECKPOINT",
    "VACUUM",
    "USE",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "TRUNCATE",
    "MERGE",
}


@dataclass
class SqlRefused(Exception):
    """The query is not allowed or not valid; `line`/`column` point at the cause (1-based)."""

    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return self.message


def function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return node.sql_name().lower()


def reads_files(name: str) -> bool:
    return name in FILE_FUNCTIONS or name.startswith(FILE_PREFIXES) or name.endswith(FILE_SUFFIXES)


def _position(node: exp.Expression) -> tuple[int | None, int | None]:
    for candidate in (node, node.this if isinstance(node.this, exp.Expression) else None):
        meta = getattr(candidate, "meta", None) or {}
        if "line" in meta:
            return meta["line"], meta.get("col")
    return None, None


def _refuse(message: str, node: exp.Expression | None = None) -> SqlRefused:
    line, column = _position(node) if node is not None else (None, None)
    return SqlRefused(message, line, column)


def _first_word(sql: str) -> str | None:
    try:
        tokens = sqlglot.tokenize(sql, read="duckdb")
    except TokenError:
        return None
    return tokens[0].text.upper() if tokens else None


def _parse(sql: str) -> list[exp.Expression]:
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "falling back to parsing as a Command" is our refusal
    try:
        return [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        detail = first.get("description") or str(error).splitlines()[0]
        detail = TOKEN_REPR.sub(lambda m: repr(m.group(1)), detail)
        raise SqlRefused(f"Syntax error: {detail}", first.get("line"), first.get("col")) from None
    except TokenError as error:
        raise SqlRefused(f"Syntax error: {error}") from None
    finally:
        logger.setLevel(level)


def check_select(sql: str) -> exp.Expression:
    """The parsed query if it is one read-only SELECT; otherwise SqlRefused saying why."""
    if not sql.strip().strip(";").strip():
        raise SqlRefused("Write a SELECT query first.")
    word = _first_word(sql)
    if word in STATEMENT_WORDS:
        raise SqlRefused(
            f"{word} statements are not allowed: the workbench only runs one SELECT query.", 1, 1
        )
    statements = _parse(sql)
    if len(statements) != 1:
        raise SqlRefused(
            f"One statement at a time: found {len(statements)}. Remove the extra ';' parts."
        )
    root = statements[0]
    if not isinstance(root, QUERY_ROOTS):
        kind = root.key.upper()
        raise _refuse(f"{kind} statements are not allowed: only SELECT / WITH queries run.", root)
    for node in root.walk():
        _check_node(node)
    return root


def _check_node(node: exp.Expression) -> None:
    if isinstance(node, WRITE_NODES):
        raise _refuse(f"{node.key.upper()} is not allowed inside a query.", node)
    if isinstance(node, exp.Func):
        name = function_name(node)
        if reads_files(name):
            raise _refuse(
                f"{name}() reads files or URLs and is not allowed: query the warehouse tables.",
                node,
            )
    if isinstance(node, exp.Table):
        _check_table(node)


def _check_table(table: exp.Table) -> None:
    target = table.this
    if isinstance(target, exp.Func):
        name = function_name(target)
        if reads_files(name):
            raise _refuse(
                f"{name}() reads files or URLs and is not allowed: query the warehouse tables.",
                target,
            )
        if name not in TABLE_FUNCTIONS and not name.startswith(TABLE_FUNCTION_PREFIXES):
            raise _refuse(f"Table function {name}() is not allowed in the workbench.", target)
        return
    for part in table.parts:
        if isinstance(part, exp.Identifier) and not IDENTIFIER.match(part.name):
            raise _refuse(
                f"{part.name!r} is not a table name (files and URLs cannot be read here).", part
            )
        if not isinstance(part, exp.Identifier | exp.Star | exp.Dot):
            raise _refuse(f"{part.sql('duckdb')} is not a table name.", part)
