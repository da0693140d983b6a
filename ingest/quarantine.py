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


BATCH_INSERT = f"""
insert into {TABLE}
select list_extract($load_ids, __file_idx), $system, $entity, list_extract($files, __file_idx),
    __source_row, __column, __problems, __row_text, $now
from ({{bad}})
"""


def quarantine_batch(
    con: duckdb.DuckDBPyConnection,
    bad_sql: str,
    *,
    load_ids: list[int],
    system: str,
    entity: str,
    files: list[str],
    now: datetime,
) -> int:
    """Like `quarantine_rows` for a batch: row `__file_idx` k belongs to load_ids[k-1]."""
    params = {
        "load_ids": load_ids,
        "system": system,
        "entity": entity,
        "files": files,
        "now": now,
    }
    return con.execute(BATCH_INSERT.format(bad=bad_sql), params).fetchone()[0]
