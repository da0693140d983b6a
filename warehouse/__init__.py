"""Where the warehouse lives, how to open it, and the `andon` command line."""

from warehouse.connections import connect_read, connect_write
from warehouse.location import warehouse_path

__all__ = ["connect_read", "connect_write", "warehouse_path"]
