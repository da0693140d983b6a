"""The scope rewrite as golden pairs (rewrites.yaml): SQL in, the SQL that runs out."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp

from metrics.sandbox import SandboxRefusal, prepare
from metrics.sandbox.rewrite import Rewrite, _verify
from metrics.scope import Scope

TABLES = [
    ("marts", "fct_production"),
    ("marts", "dim_plant"),
    ("marts", "dim_customer"),
    ("raw", "plants"),
    ("raw", "dim_customer"),
    ("staging", "stg_mes__plants"),
    ("main", "assert_x"),
]
CASES = yaml.safe_load((Path(__file__).with_name("rewrites.yaml")).read_text(encoding="utf-8"))


def scope_of(text: str) -> Scope:
    return Scope.all() if text == "all" else Scope.of(text.split("+"))


@pytest.mark.parametrize("case", CASES, ids=[c["sql"][:60] for c in CASES])
def test_rewrite(case: dict) -> None:
    assert prepare(case["sql"], scope_of(case["as"]), TABLES)[0] == case["runs"]


def test_tables_read_are_reported() -> None:
    sql = "with x as (select * from marts.dim_plant) select * from x, dim_customer"
    assert prepare(sql, Scope.of({"SZ"}), TABLES)[1] == {"marts.dim_plant", "marts.dim_customer"}


def refusal(sql: str, scope: Scope) -> SandboxRefusal:
    with pytest.raises(SandboxRefusal) as caught:
        prepare(sql, scope, TABLES)
    return caught.value


def test_names_that_cannot_be_read() -> None:
    sz = Scope.of({"SZ"})
    assert refusal("select * from plants", sz).message.startswith("raw.plants cannot be")
    assert refusal("select * from nothing", sz).message.startswith("There is no table nothing")
    assert refusal("select * from raw.nothing", Scope.all()).key == "sbx_unknown_table"
    assert refusal("select * from other.marts.dim_plant", Scope.all()).key == "sbx_catalog"
    assert refusal("select * from pg_catalog.pg_class", Scope.all()).key == "sbx_admin_metadata"
    assert refusal("select * from andon.assert_x", sz).message.startswith("main.assert_x")
    stg = refusal("select * from staging.stg_mes__plants", sz)
    assert stg.text("zh").startswith("staging.stg_mes__plants 无法按工厂限制")


def test_verify_catches_a_table_the_rewrite_did_not_make() -> None:
    tree = sqlglot.parse_one("select * from marts.dim_plant", read="duckdb")
    state = Rewrite(Scope.of({"SZ"}), frozenset(TABLES))
    with pytest.raises(SandboxRefusal) as caught:
        _verify(tree, state)
    assert caught.value.key == "sbx_unresolved"
    state.made_tables.add(id(tree.find(exp.Table)))
    _verify(tree, state)
