"""Where the warehouse DuckDB file lives: one rule, used by every command."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "ANDON_WAREHOUSE"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = PROJECT_ROOT / "warehouse" / "andon.duckdb"
# Where dbt builds the models (name -> how it is shown): DuckDB in the warehouse file, or
# Apache Spark (warehouse/spark.py).
ENGINES = {"duckdb": "DuckDB", "spark": "Apache Spark"}


def warehouse_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: an explicit path, else $ANDON_WAREHOUSE, else warehouse/andon.duckdb."""
    chosen = override or os.environ.get(ENV_VAR) or DEFAULT_PATH
    return Path(chosen).expanduser().resolve()


STATE_ENV_VAR = "ANDON_STATE"


def state_path(warehouse: str | os.PathLike[str] | None = None) -> Path:
    """Andon's state store (users, sessions, audit, report runs, alerts): a SQLite file that
    survives rebuilds. $ANDON_STATE, else state.sqlite in the warehouse file's folder."""
    if os.environ.get(STATE_ENV_VAR):
        return Path(os.environ[STATE_ENV_VAR]).expanduser().resolve()
    return warehouse_path(warehouse).parent / "state.sqlite"
