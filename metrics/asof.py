"""The as-of date: the newest plant-local event date over all transactional extracts.

dbt computes it once (int_as_of_dates_computed) and flags that day in marts.dim_date; every surface
reads it from there, so the dashboards' "today", the question box's "this week", the
reports and the alerts, and the marts' own as-of logic (due order lines, open ECOs…) agree.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

AS_OF_SQL = "select date_day from marts.dim_date where is_as_of_date"


def as_of_date(con: duckdb.DuckDBPyConnection) -> date:
    """The flagged day of marts.dim_date; today only when the warehouse holds no data."""
    try:
        rows = con.execute(AS_OF_SQL).fetchall()
    except duckdb.CatalogException:  # no marts built yet
        return date.today()
    value = rows[0][0] if rows else None
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.today()
