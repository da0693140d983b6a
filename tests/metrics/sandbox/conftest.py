"""Sandbox fixtures: a tiny warehouse of one mart, and limits whose spills stay in the
test's own temp folder."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from metrics.sandbox import Limits


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file with marts.numbers (n = 0..49) and raw.secrets."""
    path = tmp_path_factory.mktemp("tiny") / "andon.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.numbers as select range as n from range(50)")
        con.execute("create schema raw")
        con.execute("create table raw.secrets as select 'hidden' as secret")
    return path


@pytest.fixture
def limits(tmp_path: Path) -> Limits:
    return Limits(temp_dir=tmp_path / "sandbox-temp")
