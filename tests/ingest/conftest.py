"""Helpers for ingest tests: build an inbox in tmp_path, run ingest, query the warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import ingest_inbox
from warehouse.connections import connect_read


class Inbox:
    """A temporary inbox and warehouse."""

    def __init__(self, root: Path) -> None:
        self.root = root / "inbox"
        self.root.mkdir()
        self.warehouse = root / "wh" / "andon.duckdb"

    def write(self, relative: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode(encoding)
        path.write_bytes(content)
        return path

    def ingest(self, **kwargs):
        return ingest_inbox(self.root, self.warehouse, **kwargs)

    def rows(self, sql: str, params=None) -> list[tuple]:
        con = connect_read(self.warehouse)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def one(self, sql: str, params=None):
        return self.rows(sql, params)[0][0]


@pytest.fixture
def inbox(tmp_path: Path) -> Inbox:
    return Inbox(tmp_path)


STATES_HEADER = "equipment_id,start_ts,end_ts,state,reason_code,reason_text\n"
REPORTS_HEADER = (
    "report_id,work_order_id,equipment_id,product_id,start_ts,end_ts,"
    "produced_qty,good_qty,scrap_qty,rework_qty,lot_id\n"
)
