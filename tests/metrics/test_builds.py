"""The build's records (metrics/builds.py), read in the caller's scope: build status and
freshness hold no plant rows, so every plant scope sees them and no scope sees nothing."""

from __future__ import annotations

from pathlib import Path

from metrics import builds
from metrics.scope import Scope
from warehouse.connections import connect_published


def test_last_build_and_freshness_by_scope(built_warehouse: Path) -> None:
    with connect_published(built_warehouse) as con:
        everything = builds.freshness(con, Scope.all())
        suzhou = builds.freshness(con, Scope.of({"SZ"}))
        nobody = builds.freshness(con, Scope.none())
        last = builds.last_build(con, Scope.of({"DG"}))
        unseen = builds.last_build(con, Scope.none())
        missing = builds.has_table(con, "andon_meta.no_such_table")

    assert everything.columns == list(builds.FRESHNESS_COLUMNS)
    assert "equipment_states" in everything["entity"].to_list()
    assert suzhou.equals(everything)
    assert nobody.height == 0
    assert last is not None and last["status"] == "passed" and last["failures"] == 0
    assert unseen is None
    assert missing is False
