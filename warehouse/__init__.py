"""Where the warehouse lives, how to open it, and the `andon` command line.

The names below are loaded on first use (PEP 562): importing warehouse.config or
warehouse.location does not import DuckDB.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warehouse.connections import connect_read, connect_write
    from warehouse.location import warehouse_path

__all__ = ["connect_read", "connect_write", "warehouse_path"]

_EXPORTS = {
    "connect_read": "warehouse.connections",
    "connect_write": "warehouse.connections",
    "warehouse_path": "warehouse.location",
}


def __getattr__(name: str) -> object:
    source = _EXPORTS.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(source), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
