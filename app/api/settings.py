"""The API server's settings: one dataclass, each field overridable by its `ANDON_API_*`
variable (read in one place, `ApiSettings.from_env`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from warehouse.location import state_path, warehouse_path


@dataclass(frozen=True)
class ApiSettings:
    """warehouse   the build file whose published copy the API reads
    state          the state store (users, tokens, audit log, alerts)
    rate           requests per second per token, sustained (token bucket refill)
    burst          requests a token may make at once (bucket size)
    max_rows       rows one answer may hold; more gets a 422 problem "too many rows"
    cache_entries  answers kept per process (LRU, keyed by build, request and scope)
    auth_cache_s   seconds a token's check is reused (a revoked token stops within it)
    threads        DuckDB threads per query (0: as many as cores)
    """

    warehouse: Path
    state: Path
    rate: float = 20.0
    burst: int = 40
    max_rows: int = 100_000
    cache_entries: int = 512
    auth_cache_s: float = 1.0
    threads: int = 0

    @classmethod
    def from_env(
        cls,
        warehouse: str | os.PathLike[str] | None = None,
        state: str | os.PathLike[str] | None = None,
    ) -> ApiSettings:
        build_file = warehouse_path(warehouse)
        chosen = Path(state).expanduser().resolve() if state else state_path(build_file)
        settings = cls(build_file, chosen)
        overrides: dict[str, object] = {}
        for item in fields(cls):
            name = f"ANDON_API_{item.name.upper()}"
            if item.name in ("warehouse", "state") or name not in os.environ:
                continue
            kind = float if item.type in ("float", float) else int  # the annotations are text
            try:
                overrides[item.name] = kind(os.environ[name])
            except ValueError:
                raise ValueError(
                    f"${name}={os.environ[name]!r} is not a number: give e.g. {name}=50."
                ) from None
        return replace(settings, **overrides).checked()

    def checked(self) -> ApiSettings:
        for name in ("rate", "burst", "max_rows", "cache_entries", "auth_cache_s", "threads"):
            may_be_zero = name in ("auth_cache_s", "threads")
            if getattr(self, name) < 0 or (not may_be_zero and getattr(self, name) == 0):
                raise ValueError(f"API setting {name} must be positive, not {getattr(self, name)}.")
        return self
