"""Rendering identifiers and literals through sqlglot, so no data value is pasted into SQL.

Renderings are kept (ingest renders the same column names and file paths for every file)."""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp

DIALECT = "duckdb"


@lru_cache(maxsize=4096)
def ident(name: str) -> str:
    """A quoted identifier."""
    return exp.to_identifier(name, quoted=True).sql(DIALECT)


@lru_cache(maxsize=1024)
def table(schema: str, name: str) -> str:
    """A quoted schema-qualified table name."""
    return exp.table_(name, db=schema, quoted=True).sql(DIALECT)


@lru_cache(maxsize=4096, typed=True)
def lit(value: str | float | int) -> str:
    """A string or number literal."""
    if isinstance(value, str):
        return exp.Literal.string(value).sql(DIALECT)
    return exp.Literal.number(value).sql(DIALECT)
