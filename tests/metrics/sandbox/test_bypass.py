"""Attempts to read past a plant scope, kept as data (bypass_attempts.yaml), each run
through the real sandbox against the built sample warehouse: every one must return only
the permitted plants' rows or be refused, and nothing it shows may name another plant or a
server path. The README states how many were tried and held; a test keeps it true."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from metrics.sandbox import Limits, SandboxError, published_file, run_sql
from metrics.scope import Scope

HERE = Path(__file__).resolve().parent
ATTEMPTS_FILE = HERE / "bypass_attempts.yaml"
README = HERE.parents[2] / "README.md"
EXPECTATIONS = {"refused", "rows"}
ROW_CHECKS = {"plant_column", "same_as", "count", "columns"}
PLANTS = ("SZ", "DG", "HP")


def load_attempts() -> list[dict]:
    return yaml.safe_load(ATTEMPTS_FILE.read_text(encoding="utf-8"))


ATTEMPTS = load_attempts()
RUNS = [
    pytest.param(attempt, plants, id=f"{attempt['id']}[{plants}]")
    for attempt in ATTEMPTS
    for plants in attempt["as"]
]


def test_the_attempts_are_well_formed() -> None:
    ids = [a["id"] for a in ATTEMPTS]
    assert len(ids) == len(set(ids)), "attempt ids are unique"
    assert len(ATTEMPTS) >= 30
    scopes = {p for a in ATTEMPTS for scope in a["as"] for p in scope.split("+")}
    assert {"SZ", "DG"} <= scopes
    for attempt in ATTEMPTS:
        assert set(attempt) == {"id", "as", "sql"} | (set(attempt) & EXPECTATIONS), attempt
        assert len(set(attempt) & EXPECTATIONS) == 1, attempt["id"]
        if "rows" in attempt:
            assert attempt["rows"] and set(attempt["rows"]) <= ROW_CHECKS, attempt["id"]


def test_readme_states_the_figure() -> None:
    figure = f"{len(ATTEMPTS)} bypass attempts tried, {len(ATTEMPTS)} held"
    assert figure in README.read_text(encoding="utf-8")


def fill(sql: str, scope: Scope, published: Path) -> str:
    plants = scope.sorted()
    other = next(p for p in PLANTS if p not in plants)
    return (
        sql.replace("{plants}", ", ".join(f"'{p}'" for p in plants))
        .replace("{plant}", plants[0])
        .replace("{other}", other)
        .replace("{published}", str(published))
    )


@pytest.fixture(scope="module")
def published(built_warehouse: Path) -> Path:
    return published_file(built_warehouse)


@pytest.fixture(scope="module")
def oracle(published: Path):
    con = duckdb.connect(str(published), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def plant_names(oracle) -> dict[str, tuple[str, str]]:
    rows = oracle.execute("select plant_id, plant_name_en, plant_name_zh from marts.dim_plant")
    return {plant: (en, zh) for plant, en, zh in rows.fetchall()}


def forbidden(scope: Scope, names: dict[str, tuple[str, str]], paths: list[str]) -> re.Pattern:
    """What must never show under `scope`: other plants' ids (also as the prefix of a line
    or machine id), their names, and server paths."""
    words = []
    for plant, (en, zh) in names.items():
        if not scope.allows(plant):
            words += [rf"(?<![A-Za-z0-9]){plant}(?![A-Za-z0-9])", re.escape(en), re.escape(zh)]
    words += [re.escape(p) for p in paths]
    return re.compile("|".join(words))


def sorted_rows(frame: pl.DataFrame) -> list[tuple]:
    return sorted(frame.rows(), key=repr)


@pytest.fixture(scope="module")
def limits(tmp_path_factory: pytest.TempPathFactory) -> Limits:
    return Limits(temp_dir=tmp_path_factory.mktemp("sandbox-temp"))


@pytest.mark.parametrize(("attempt", "plants"), RUNS)
def test_attempt_holds(
    attempt: dict,
    plants: str,
    built_warehouse: Path,
    published: Path,
    oracle,
    plant_names,
    limits: Limits,
) -> None:
    scope = Scope.of(plants.split("+"))
    sql = fill(attempt["sql"], scope, published)
    paths = [str(Path.home()), str(Path.cwd()), str(published), str(built_warehouse.parent)]
    never = forbidden(scope, plant_names, paths)
    try:
        result = run_sql(sql, scope, warehouse=built_warehouse, limits=limits)
    except SandboxError as error:
        assert "refused" in attempt, f"expected rows, got: {error.message}"
        assert attempt["refused"] in error.message
        assert error.text("zh") and error.text("zh") != error.text("en")
        for text in (error.text("en"), error.text("zh")):
            assert not never.search(text), text
        return
    assert "rows" in attempt, f"expected a refusal, got {result.frame.height} rows"
    expected = attempt["rows"]
    frame = result.frame
    shown = [*frame.columns, *(str(v) for row in frame.rows() for v in row)]
    leaks = [text for text in shown if never.search(text)]
    assert not leaks, leaks[:5]
    if "plant_column" in expected:
        values = frame[expected["plant_column"]].to_list()
        assert values and all(scope.allows(v) for v in values), sorted(set(map(str, values)))
    if "count" in expected:
        assert frame.height == expected["count"]
    if "columns" in expected:
        assert frame.columns == expected["columns"]
    if "same_as" in expected:
        want = oracle.sql(fill(expected["same_as"], scope, published)).pl()
        assert frame.columns == want.columns
        assert sorted_rows(frame) == sorted_rows(want)
