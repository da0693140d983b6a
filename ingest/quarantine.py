"""`ingest.quarantine`: rows that broke the contract, with file, row number and reason."""

from __future__ import annotations

from datetime import datetime

import duckdb

TABLE = "ingest.quarantine"
DDL = f"""
create table if not exists {TABLE} (
    load_id bigint not null,
    system varchar not null,
    entity varchar not null,
    file varchar not null,
    source_row bigint,
    "column" varchar,
    reason varchar not null,
    row_text json,
    quarantined_at timestamp not null
)
"""
INSERT = f"""
insert into {TABLE}
select $load_id, $system, $entity, $file, __source_row, __column, __problems, __row_text, $now
from ({{bad}})
"""


def quarantine_rows(
    con: duckdb.DuckDBPyConnection,
    bad_sql: str,
    *,
    load_id: int,
    system: str,
    entity: str,
    file: str,
    now: datetime,
) -> int:
    """Insert the rows the `bad_sql` query yields into ingest.quarantine; return how many."""
    params = {"load_id": load_id, "system": system, "entity": entity, "file": file, "now": now}
    return con.execute(INSERT.format(bad=bad_sql), params).fetchone()[0]
