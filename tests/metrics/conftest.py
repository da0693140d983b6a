"""Fixtures: the hand-worked marts warehouse, built once per session, opened read-only."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.metrics.factory import build_warehouse


@pytest.fixture(scope="session")
def marts_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("marts") / "andon.duckdb")


@pytest.fixture(scope="session")
def con(marts_path: Path):
    connection = duckdb.connect(str(marts_path), read_only=True)
    yield connection
    connection.close()
