"""The workbench's limits, each a default that an environment variable or a caller changes.

    Limits()                         the defaults, or ANDON_WORKBENCH_* where set
    Limits(timeout_s=30)             one run with a longer timeout

| limit | default | environment variable |
|---|---|---|
| timeout_s: seconds a query may run | 10 | ANDON_WORKBENCH_TIMEOUT_S |
| max_rows: rows shown | 10,000 | ANDON_WORKBENCH_MAX_ROWS |
| max_bytes: bytes of cell data shown | 32 MiB | ANDON_WORKBENCH_MAX_BYTES |
| max_depth: nesting of parentheses, subqueries, CASE | 32 | ANDON_WORKBENCH_MAX_DEPTH |
| max_sql_chars: length of the SQL text | 100,000 | ANDON_WORKBENCH_MAX_SQL_CHARS |
| memory_limit_bytes: DuckDB's memory | 1 GiB | ANDON_WORKBENCH_MEMORY_LIMIT |
| temp_dir: where DuckDB spills | <system temp>/andon-sandbox | ANDON_WORKBENCH_TEMP_DIR |
| max_temp_bytes: spill space per run | 1 GiB | ANDON_WORKBENCH_MAX_TEMP_BYTES |
| threads: DuckDB threads per run | 2 | ANDON_WORKBENCH_THREADS |

Sizes are bytes, or a number with KB/MB/GB (powers of 1000) or KiB/MiB/GiB (of 1024).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ENV_PREFIX = "ANDON_WORKBENCH_"
UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


class LimitError(ValueError):
    """An ANDON_WORKBENCH_* variable holds something that is not a valid limit."""


def parse_size(text: str | int) -> int:
    """Bytes from 1048576, "32MiB", "1 GB" or "500kb"."""
    if isinstance(text, int):
        return text
    match = SIZE.match(str(text))
    unit = match.group(2).lower() if match else None
    if not match or unit not in UNITS:
        raise ValueError(f"{text!r} is not a size: write bytes, or a number with KB, MB, GB, MiB…")
    return int(float(match.group(1)) * UNITS[unit])


def format_size(size: int) -> str:
    """32 MiB, 1 GiB, 512 KiB, 100 B: the size in the largest binary unit that divides it
    into a number of at least 1."""
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"


def _env(name: str, parse, default):
    text = os.environ.get(ENV_PREFIX + name)
    if text is None or not text.strip():
        return default
    try:
        value = parse(text.strip())
    except ValueError:
        value = None
    if value is None or (isinstance(value, int | float) and value <= 0):
        raise LimitError(
            f"{ENV_PREFIX}{name}={text!r} is not a valid limit: give a positive "
            f"{'size' if parse is parse_size else 'number'}."
        )
    return value


POSITIVE = (
    "timeout_s",
    "max_rows",
    "max_bytes",
    "max_depth",
    "max_sql_chars",
    "memory_limit_bytes",
    "max_temp_bytes",
    "threads",
)


def default_temp_dir() -> Path:
    return Path(tempfile.gettempdir()) / "andon-sandbox"


@dataclass(frozen=True)
class Limits:
    """What one workbench run may use; every field defaults to its ANDON_WORKBENCH_*
    variable, else the default in the table above."""

    timeout_s: float = field(default_factory=lambda: _env("TIMEOUT_S", float, 10.0))
    max_rows: int = field(default_factory=lambda: _env("MAX_ROWS", int, 10_000))
    max_bytes: int = field(default_factory=lambda: _env("MAX_BYTES", parse_size, 32 * 1024**2))
    max_depth: int = field(default_factory=lambda: _env("MAX_DEPTH", int, 32))
    max_sql_chars: int = field(default_factory=lambda: _env("MAX_SQL_CHARS", int, 100_000))
    memory_limit_bytes: int = field(
        default_factory=lambda: _env("MEMORY_LIMIT", parse_size, 1024**3)
    )
    temp_dir: Path = field(default_factory=lambda: _env("TEMP_DIR", Path, default_temp_dir()))
    max_temp_bytes: int = field(default_factory=lambda: _env("MAX_TEMP_BYTES", parse_size, 1024**3))
    threads: int = field(default_factory=lambda: _env("THREADS", int, 2))

    def __post_init__(self) -> None:
        for name in POSITIVE:
            if getattr(self, name) <= 0:
                raise LimitError(f"Limits.{name} must be positive, not {getattr(self, name)}.")
        object.__setattr__(self, "temp_dir", Path(self.temp_dir))

    @property
    def tree_depth(self) -> int:
        """The deepest expression tree allowed (long AND / + chains nest without
        parentheses). sqlglot's parser takes ~17 Python frames per level of parentheses,
        so 32 levels stay well inside Python's recursion limit."""
        return self.max_depth * 12
