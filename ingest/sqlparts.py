"""Rendering identifiers and literals through sqlglot, so no data value is pasted into SQL."""

from __future__ import annotations

from sqlglot import exp

DIALECT = "duckdb"


def ident(name: str) -> str:
    """A quoted identifier."""
    return exp.to_identifier(name, quoted=True).sql(DIALECT)


def table(schema: str, name: str) -> str:
    """A quoted schema-qualified table name."""
    return exp.table_(name, db=schema, quoted=True).sql(DIALECT)


def lit(value: str | float | int) -> str:
    """A string or number literal."""
    if isinstance(value, str):
        return exp.Literal.string(value).sql(DIALECT)
    return exp.Literal.number(value).sql(DIALECT)
