"""What a pulled extract changes in `raw.<entity>`, decided inside its landing transaction.

A database pull is read again in part (the watermark's look-back) or whole (master data
without a watermark, a full reload). Only what changed should land:

* incremental: a pulled row whose key's latest landed version has exactly the same typed
  values is counted *unchanged* and taken out of the load again, so a look-back costs no
  rows downstream and the latest extract of every key is still the newest that differs;
* snapshot: the extract is the entity's whole table at the source. Identical to what is
  landed (no key new, changed or gone) → it lands nothing; else it replaces the source's
  earlier loads of the entity (their rows leave raw, their log rows become SUPERSEDED), so
  rows deleted at the source leave the warehouse too.

Comparison is on the typed values validation produced, the same for every source.
"""

from __future__ import annotations

import duckdb

from ingest.contracts import Contract
from ingest.sqlparts import ident, table
from ingest.validate import raw_columns

NEW = "__andon_new_latest"


def _keys_equal(left: str, right: str, contract: Contract) -> str:
    return " and ".join(f"{left}.{ident(k)} = {right}.{ident(k)}" for k in contract.key)


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> int:
    return int(con.execute(sql, params).fetchall()[0][0])


def land_changes(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    pulled,
    load_id: int,  # noqa: ANN001
) -> tuple[int, str]:
    """Take the load's unchanged rows out again (or supersede earlier snapshots).

    `pulled` is the extract's `ingest.loader.Pulled`. Returns (rows taken out as unchanged,
    the load's log message)."""
    raw = table("raw", contract.entity)
    params = {"id": load_id}
    others = con.execute(
        f"select exists (select 1 from {raw} where _load_id <> $id)", params
    ).fetchall()[0][0]
    if not others:
        return 0, ""  # nothing landed before: every row is new
    keys = ", ".join(ident(k) for k in contract.key)
    values = " and ".join(
        f"n.{ident(name)} is not distinct from p.{ident(name)}" for name, _ in raw_columns(contract)
    )
    con.execute(
        f"create or replace temp table {NEW} as select * from {raw} where _load_id = $id"
        f" qualify row_number() over (partition by {keys} order by _source_row desc) = 1",
        params,
    )
    prior_keys = ", ".join("r." + ident(k) for k in contract.key)
    same_sql = (
        f"with prior as (select r.* from {raw} as r semi join {NEW} as n"
        f" on {_keys_equal('r', 'n', contract)} where r._load_id < $id"
        f" qualify row_number() over (partition by {prior_keys}"
        " order by r._load_id desc, r._source_row desc) = 1)"
        f" select n.* from {NEW} as n join prior as p on {_keys_equal('n', 'p', contract)}"
        f" where {values}"
    )
    if pulled.snapshot:
        outcome = _snapshot(con, contract, pulled, load_id, same_sql)
    else:
        unchanged = _count(
            con,
            f"with same as ({same_sql}) delete from {raw} using same"
            f" where {raw}._load_id = $id and {_keys_equal(raw, 'same', contract)}",
            params,
        )
        outcome = unchanged, (f"{unchanged:,} re-read rows unchanged" if unchanged else "")
    # Inside the landing transaction: a rollback takes the temp table away with the rest.
    con.execute(f"drop table {NEW}")
    return outcome


def _snapshot(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    pulled,
    load_id: int,
    same_sql: str,  # noqa: ANN001
) -> tuple[int, str]:
    raw = table("raw", contract.entity)
    params = {"id": load_id, "origin": pulled.origin, "entity": contract.entity}
    earlier = [
        row[0]
        for row in con.execute(
            "select load_id from ingest.load_log where origin = $origin and entity = $entity"
            " and status = 'LANDED' and load_id < $id order by load_id",
            params,
        ).fetchall()
    ]
    keys = ", ".join(ident(k) for k in contract.key)
    changed = _count(
        con,
        f"select (select count(*) from {NEW}) - (select count(*) from ({same_sql}))",
        {"id": load_id},
    )
    gone = 0
    if earlier:
        gone = _count(
            con,
            f"select count(*) from (select distinct {keys} from {raw}"
            f" where _load_id in (select unnest($earlier::bigint[]))"
            f" except select {keys} from {NEW})",
            {"earlier": earlier},
        )
    if changed == 0 and gone == 0:
        unchanged = _count(con, f"delete from {raw} where _load_id = $id", {"id": load_id})
        return unchanged, "identical to the landed data: nothing new"
    if not earlier:
        return 0, ""
    con.execute(
        f"delete from {raw} where _load_id in (select unnest($earlier::bigint[]))",
        {"earlier": earlier},
    )
    con.execute(
        "update ingest.load_log set status = 'SUPERSEDED', message = $message"
        " where load_id in (select unnest($earlier::bigint[]))",
        {"earlier": earlier, "message": f"superseded by load {load_id}"},
    )
    span = (
        f"load {earlier[0]}"
        if len(earlier) == 1
        else f"{len(earlier)} loads ({earlier[0]}…{earlier[-1]})"
    )
    detail = f"{changed:,} {'key' if changed == 1 else 'keys'} new or changed" + (
        f", {gone:,} gone" if gone else ""
    )
    return 0, f"replaces {span} of {pulled.origin}/{contract.entity}: {detail}"
