"""Answers against the built sample warehouse: the data equals metrics.query for the
expected interpretation, and the vocabulary is learned from the marts' dim tables."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import metrics
from metrics.nlq.answer import order_rows
from metrics.nlq.golden import expected_fields, load_cases
from metrics.nlq.parser_types import Interpretation
from warehouse.connections import connect_published

pytestmark = pytest.mark.slow
CASES = [c for c in load_cases(Path(__file__).parent / "golden.yaml") if not c.clarify]
# One question per shape: scalar, by, filter, trend, top N, exclusion, comparison, cpk.
SHAPES = {
    "oee by line last week",
    "oee, availability, performance and quality for SZ this week",
    "mtbf for DG-SMT2 last 14 days",
    "cpk of FG-MC-100 last month",
    "oee trend by day last 14 days",
    "top 5 equipment by MTTR this month",
    "oee vs last month",
    "oee by plant excluding DG",
    "昨天的良率",
    "苏州工厂的贴片线1上周OEE",
    "今年按月的准时交付率",
    "哪些产线的返工率最高",
    "OEE和上月相比",
    "苏州工厂除包装线1外各产线的OEE",
    "各产线报废率和去年同期相比",
    "本月至今各仓库的库存周转天数",
}
PICKED = [c for c in CASES if c.question in SHAPES]
ALL = metrics.Scope.all()


@pytest.fixture(scope="module")
def con(built_warehouse: Path):
    connection = connect_published(built_warehouse)
    yield connection
    connection.close()


@pytest.mark.parametrize("case", PICKED, ids=[c.question for c in PICKED])
def test_answer_data_equals_metrics_query(case, con):
    answer = metrics.ask(case.question, case.as_of, con=con, scope=ALL)
    assert not answer.needs_clarification, answer.clarification
    want = expected_fields(case)
    args = {k: want[k] for k in ("metrics", "by", "where", "start", "end", "grain", "compare")}
    expected = metrics.query(**args, lang=answer.lang, con=con, scope=ALL)
    expected = order_rows(
        expected,
        Interpretation(metrics=tuple(want["metrics"]), order=want["order"], limit=want["limit"]),
    )
    assert answer.sql == metrics.compile(**args, lang=answer.lang, scope=ALL)
    assert_frame_equal(answer.data, expected)
    assert answer.chart is not None


def test_vocabulary_and_as_of_come_from_the_warehouse(con):
    answer = metrics.ask("苏州工厂的贴片线1的OEE", con=con, scope=ALL)
    # the as-of date dbt flags in dim_date (metrics.asof): the night shift of the 11th ends
    # on the 12th; the newest production_date (the question box's old as-of) is the 11th
    assert answer.as_of.isoformat() == "2026-10-12"
    assert answer.interpretation.where == {"line": ("SZ-SMT1",)}
    assert isinstance(answer.data, pl.DataFrame) and answer.data.height == 1


def test_injection_is_only_text(con):
    for text in (
        "oee where plant = 'x' or 1=1; drop table marts.dim_plant",
        "'; drop table marts.dim_plant; --",
        "oee by line; delete from marts.dim_line",
    ):
        answer = metrics.ask(text, con=con, scope=ALL)
        assert answer.data is None or answer.interpretation is not None
    count = con.execute("select count(*) from marts.dim_plant").fetchall()[0][0]
    assert count == 3


@pytest.fixture
def build_copy(built_warehouse: Path, tmp_path: Path) -> Path:
    """A copy of the published build, so its vocabulary cache starts empty."""
    import shutil

    from warehouse.publish import current_published

    source = current_published(built_warehouse)
    assert source is not None
    target = tmp_path / "published" / source.name
    target.parent.mkdir()
    shutil.copyfile(source, target)
    return target


def test_the_vocabulary_is_learned_once_per_build_and_scope(build_copy, monkeypatch):
    import json

    from metrics.nlq import cache
    from warehouse.connections import connect_read

    sz = metrics.Scope.of("SZ")
    monkeypatch.setattr(cache, "_MEMORY", {})
    with connect_read(build_copy) as connection:
        wide = cache.learned(connection, ALL)
        narrow = cache.learned(connection, sz)
    stored = json.loads(cache.cache_file(build_copy).read_text(encoding="utf-8"))
    assert cache.cache_file(build_copy).name == f".{build_copy.name}.vocab.json"
    assert stored["build"][0] == build_copy.name and sorted(stored["scopes"]) == ["*", "SZ"]
    assert [r["key"] for r in stored["scopes"]["SZ"]["rows"]["plant"]] == ["SZ"]
    assert sorted(r["key"] for r in stored["scopes"]["*"]["rows"]["plant"]) == ["DG", "HP", "SZ"]
    assert stored["scopes"]["SZ"]["as_of"] == "2026-10-12"
    assert narrow.vocabulary.keys("plant") == ("SZ",)
    assert wide.vocabulary.keys("plant") == ("DG", "HP", "SZ")

    # a new process: read from the file, nothing learned from the warehouse
    monkeypatch.setattr(cache, "_MEMORY", {})

    def no_queries(*args, **kwargs):
        raise AssertionError("the vocabulary was learned again")

    monkeypatch.setattr(cache, "read_rows", no_queries)
    with connect_read(build_copy) as connection:
        again = cache.learned(connection, sz)
        answer = metrics.ask("oee by line last week", con=connection, scope=sz)
    assert again.vocabulary.keys("line") == narrow.vocabulary.keys("line")
    assert (again.as_of, again.first_day) == (narrow.as_of, narrow.first_day)
    assert answer.as_of.isoformat() == "2026-10-12" and answer.interpretation.by == ("line",)
    assert set(answer.data["line_id"].to_list()) <= set(narrow.vocabulary.keys("line"))

    # another scope is not in the file: learned (and refused here), never borrowed
    with connect_read(build_copy) as connection, pytest.raises(AssertionError):
        cache.learned(connection, metrics.Scope.of("DG"))


def test_a_new_build_invalidates_the_cache(build_copy, monkeypatch):
    import os

    from metrics.nlq import cache
    from warehouse.connections import connect_read

    monkeypatch.setattr(cache, "_MEMORY", {})
    with connect_read(build_copy) as connection:
        cache.learned(connection, ALL)
    stat = build_copy.stat()
    os.utime(build_copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    monkeypatch.setattr(cache, "_MEMORY", {})
    calls = []
    real = cache.read_rows
    monkeypatch.setattr(cache, "read_rows", lambda *a, **k: calls.append(1) or real(*a, **k))
    with connect_read(build_copy) as connection:
        cache.learned(connection, ALL)
    assert calls == [1]  # the rewritten file is a new build: learned again
    stored = cache.cache_file(build_copy).read_text(encoding="utf-8")
    assert str(stat.st_mtime_ns + 1_000_000_000) in stored
