"""Shared fixtures: one small sample factory, generated and landed once per test session."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")

SAMPLE_START = date(2026, 9, 28)  # a Monday, so the fortnight holds HP weekends
SAMPLE_END = date(2026, 10, 11)  # crosses the Oct 1-3 holiday at SZ and DG
SAMPLE_SCALE = 0.5


@pytest.fixture(scope="session")
def sample_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-week, half-size sample factory inbox (read-only for tests: copy before changing)."""
    from ingest.sample import generate_sample

    out = tmp_path_factory.mktemp("sample") / "inbox"
    generate_sample(out, seed=7, start=SAMPLE_START, end=SAMPLE_END, scale=SAMPLE_SCALE)
    return out


@pytest.fixture(scope="session")
def landed_warehouse(sample_inbox: Path, tmp_path_factory: pytest.TempPathFactory):
    """The sample inbox ingested into a fresh warehouse: (warehouse path, IngestReport)."""
    from ingest import ingest_inbox

    target = tmp_path_factory.mktemp("warehouse") / "andon.duckdb"
    report = ingest_inbox(sample_inbox, target)
    return target, report


@pytest.fixture(scope="session")
def built_warehouse(sample_inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample inbox ingested, built by dbt and published: the build file's path.

    Readers open it with `warehouse.connections.connect_published(path)`; pass
    `warehouse=path` to `metrics.query`. Shared by the whole session: never write to it.
    """
    from app.pipeline import run_pipeline as build

    target = tmp_path_factory.mktemp("built") / "andon.duckdb"
    result = build(target, inbox=sample_inbox)
    assert result.passed, [
        f"{n.unique_id}: {n.message}" for n in result.build.failures
    ] or result.build.error
    return target
