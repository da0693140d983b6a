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
select list_extract($load_ids, __file_idx), $system, $entity, list_extract($files, __file_idx),
    __source_row, __column, __problems, __row_text, $now
from ({{bad}})
"""


def quarantine_rows(
    con: duckdb.DuckDBPyConnection,
    bad_sql: str,
    *,
    load_ids: list[int],
    system: str,
    entity: str,
    files: list[str],
    now: datetime,
) -> int:
    """Insert the rows `bad_sql` yields into ingest.quarantine; return how many.

    The rows come from a batch of files: row `__file_idx` k belongs to files[k-1], whose load
    is load_ids[k-1].
    """
    params = {
        "load_ids": load_ids,
        "system": system,
        "entity": entity,
        "files": files,
        "now": now,
    }
    return con.execute(INSERT.format(bad=bad_sql), params).fetchone()[0]
