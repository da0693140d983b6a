"""Where the warehouse lives, how to open it, and the `andon` command line.

The names below are loaded on first use (PEP 562): importing warehouse.config or
warehouse.location does not import DuckDB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warehouse.lazy import lazy_exports

if TYPE_CHECKING:
    from warehouse.connections import connect_read, connect_write
    from warehouse.location import warehouse_path

__all__ = ["connect_read", "connect_write", "warehouse_path"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "connect_read": "warehouse.connections",
        "connect_write": "warehouse.connections",
        "warehouse_path": "warehouse.location",
    },
)
