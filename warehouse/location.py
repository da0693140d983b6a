"""Where the warehouse DuckDB file lives: one rule, used by every command."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "ANDON_WAREHOUSE"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = PROJECT_ROOT / "warehouse" / "andon.duckdb"


def warehouse_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: an explicit path, else $ANDON_WAREHOUSE, else warehouse/andon.duckdb."""
    chosen = override or os.environ.get(ENV_VAR) or DEFAULT_PATH
    return Path(chosen).expanduser().resolve()
