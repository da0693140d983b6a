"""The question box's vocabulary, learned once per published build and kept on disk.

Learning the dimension values costs a few queries (about a second on the sample factory),
which a cold `andon ask` would pay on every question. So the values each scope may see,
with the as-of date and the data's first day, are written beside the build file as
`.<build file>.vocab.json` and read back by the next process:

- keyed by the build file's name, size and modification time: a new build is a new file
  (published/andon-<build id>.duckdb) and so a new cache; a stale one is never read (nor
  one written before the registry or the code that reads the values last changed);
- one entry per plant scope, each holding only the values that scope may see (read through
  metrics.scope as vocabulary.read_rows does), so a cache never hands one plant's values
  to another plant's asker;
- a folder that cannot be written just means no cache (the values are learned as before).

A connection without a file (in-memory, tests) is cached in this process only.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from metrics.asof import as_of_date
from metrics.nlq import vocabulary as vocabulary_module
from metrics.nlq.vocabulary import Vocabulary, database_file, read_rows
from metrics.registry import REGISTRY_PATH, load_registry
from metrics.scope import Scope

FORMAT = 1  # bump when the file's layout changes
FIRST_DAY_SQL = "select min(date_day) from marts.dim_date"
_MEMORY: dict[tuple, Learned] = {}
_KEPT = 32  # entries kept in this process (one per build file and scope)


@dataclass(frozen=True)
class Learned:
    """A scope's vocabulary of one build, the build's as-of date and its first day of data
    (None when the warehouse has no calendar)."""

    vocabulary: Vocabulary
    as_of: date
    first_day: date | None


def cache_file(build_file: Path) -> Path:
    """The cache beside a build file (hidden, so publishing's pruning ignores it)."""
    return build_file.parent / f".{build_file.name}.vocab.json"


def scope_key(scope: Scope) -> str:
    """A scope as a string: '*' for all plants, else the sorted plant ids ('' for none)."""
    return "*" if scope.is_all else ",".join(scope.sorted())


def learned(con: duckdb.DuckDBPyConnection, scope: Scope) -> Learned:
    """The vocabulary of `scope` for the warehouse behind `con`, from memory, then from the
    file beside the build, else learned from the warehouse (and written there)."""
    path = database_file(con)
    stamp = _stamp(path) if path is not None else None
    memory_key = (stamp or ("connection", id(con)), scope_key(scope))
    if memory_key in _MEMORY:
        return _MEMORY[memory_key]
    registry = load_registry()
    stored = _read(path, stamp, scope_key(scope)) if path is not None and stamp else None
    if stored is not None:
        rows, as_of, first = stored
    else:
        rows, as_of, first = read_rows(con, registry, scope), as_of_date(con), _first_day(con)
        if path is not None and stamp:
            _write(path, stamp, scope_key(scope), rows, as_of, first)
    result = Learned(Vocabulary.build(rows, registry), as_of, first)
    while len(_MEMORY) >= _KEPT:
        del _MEMORY[next(iter(_MEMORY))]
    _MEMORY[memory_key] = result
    return result


def _stamp(path: Path) -> tuple[str, int, int, int, int] | None:
    """(name, size, mtime) of the build file, and the mtimes of the registry and of the
    code that learns the values."""
    try:
        stat = path.stat()
        registry = REGISTRY_PATH.stat().st_mtime_ns
        code = Path(vocabulary_module.__file__).stat().st_mtime_ns
    except OSError:
        return None
    return (path.name, stat.st_size, stat.st_mtime_ns, registry, code)


def _first_day(con: duckdb.DuckDBPyConnection) -> date | None:
    try:
        found = con.execute(FIRST_DAY_SQL).fetchall()
    except duckdb.Error:  # no calendar built
        return None
    day = found[0][0] if found else None
    if isinstance(day, datetime):
        return day.date()
    return day if isinstance(day, date) else None


def _load(path: Path, stamp: tuple) -> dict:
    """The cache file's entries for this build, {} when absent, unreadable or stale."""
    try:
        data = json.loads(cache_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    if data.get("build") != list(stamp):
        return {}
    scopes = data.get("scopes")
    return scopes if isinstance(scopes, dict) else {}


def _read(path: Path, stamp: tuple, key: str) -> tuple[dict, date, date | None] | None:
    entry = _load(path, stamp).get(key)
    if not isinstance(entry, dict):
        return None
    try:
        first = date.fromisoformat(entry["first_day"]) if entry.get("first_day") else None
        return entry["rows"], date.fromisoformat(entry["as_of"]), first
    except (KeyError, TypeError, ValueError):
        return None


def _write(path: Path, stamp: tuple, key: str, rows: dict, as_of: date, first: date | None) -> None:
    scopes = _load(path, stamp)
    scopes[key] = {
        "rows": rows,
        "as_of": as_of.isoformat(),
        "first_day": first.isoformat() if first else None,
    }
    data = {"format": FORMAT, "build": list(stamp), "scopes": scopes}
    target = cache_file(path)
    text = json.dumps(data, default=str, ensure_ascii=False)
    partial = None
    try:
        # a file of this writer's own (threads of one server write at once), then swapped in
        # whole: a reader sees the old cache or the new one, never half of one; two writers
        # at once may keep one scope each, which is learned again on its next question
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, prefix=target.name, suffix=".part",
            delete=False,
        ) as handle:  # fmt: skip
            partial = Path(handle.name)
            handle.write(text)
        os.replace(partial, target)
        for old in target.parent.glob(".*.vocab.json"):
            built = old.parent / old.name.removeprefix(".").removesuffix(".vocab.json")
            if not built.exists():
                old.unlink(missing_ok=True)  # its build was pruned
    except OSError:
        if partial is not None:
            partial.unlink(missing_ok=True)  # a read-only folder: no cache
