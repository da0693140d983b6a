"""Proper names for what reports and alerts are about: a plant, line, product … as the
warehouse's dimension tables name it in the reader's language (the registry's
`label_columns`), e.g. "东莞工厂 · 总装1线" for the entity `plant=DG/line=DG-ASSY1`.

Names are read once per dimension and language, within the scope given (the alert engine
gives every plant, a report copy its own). A member without a label, or a dimension without
a table, is shown by its key; a language without its own label column uses English.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb
from sqlglot import exp

from metrics.i18n import DEFAULT_LANG
from metrics.registry import load_registry
from metrics.scope import Scope, scoped_table

SEPARATOR = " · "  # between the parts of a place, in every language
Keys = Sequence[tuple[str, str]]  # (dimension, key) pairs, outermost first


def entity_keys(entity: str, dims: Sequence[str]) -> list[tuple[str, str]]:
    """The (dimension, key) pairs of an entity key written as `dim=key/dim=key` for the
    dimensions `dims`, in order; a key may itself hold "/" or "=" (only the next `/<dim>=`
    ends it). An entity that does not follow `dims` gives no pairs."""
    pairs: list[tuple[str, str]] = []
    rest = entity
    for index, dim in enumerate(dims):
        prefix = f"{dim}="
        if not rest.startswith(prefix):
            return []
        rest = rest[len(prefix) :]
        if index + 1 < len(dims):
            cut = rest.find(f"/{dims[index + 1]}=")
            if cut < 0:
                return []
            pairs.append((dim, rest[:cut]))
            rest = rest[cut + 1 :]
        else:
            pairs.append((dim, rest))
    return pairs


class Names:
    """Labels of dimension members per language, read from the warehouse on first use.

    `connect` opens the connection to read from only when a name is first asked for (the
    scheduler's escalations usually need none); `close` closes what it opened."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection | None = None,
        scope: Scope | None = None,
        *,
        connect: Callable[[], duckdb.DuckDBPyConnection] | None = None,
    ) -> None:
        self._con = con
        self._connect = connect
        self._opened: duckdb.DuckDBPyConnection | None = None
        self.scope = scope or Scope.all()
        self._labels: dict[tuple[str, str], dict[str, str]] = {}

    def connection(self) -> duckdb.DuckDBPyConnection | None:
        """The connection names are read from (opened now when it is opened on demand)."""
        if self._con is None and self._connect is not None:
            try:
                self._con = self._opened = self._connect()
            except Exception:  # noqa: BLE001 - without the warehouse, keys stand for names
                self._connect = None
        return self._con

    def close(self) -> None:
        if self._opened is not None:
            self._opened.close()
            self._opened = self._con = None

    def _read(self, dim: str, lang: str) -> dict[str, str]:
        registry = load_registry()
        dimension = registry.dimensions.get(dim)
        con = self.connection()
        if dimension is None or not dimension.table or con is None:
            return {}
        columns = dimension.label_columns
        column = columns.get(lang) or columns.get(DEFAULT_LANG)  # type: ignore[call-overload]
        if column is None:
            return {}
        key = dimension.table_key or dimension.key
        query = (
            exp.select(exp.column(key), exp.column(column))
            .from_(scoped_table(dimension.table, self.scope))
            .where(exp.column(column).is_(exp.null()).not_())
        )
        try:
            rows = con.execute(query.sql(dialect="duckdb")).fetchall()
        except duckdb.Error:
            return {}
        return {str(k): str(v) for k, v in rows if str(v).strip()}

    def of(self, dim: str, key: object, lang: str) -> str:
        """The name of `dim` member `key` in `lang` (its key when it has none)."""
        text = str(key)
        if (dim, lang) not in self._labels:
            self._labels[(dim, lang)] = self._read(dim, lang)
        return self._labels[(dim, lang)].get(text, text)

    def place(self, keys: Keys, lang: str) -> str:
        """The members named in order, e.g. "东莞工厂 · 总装1线"; "" for no keys."""
        return SEPARATOR.join(self.of(dim, key, lang) for dim, key in keys)
