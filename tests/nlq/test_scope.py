"""The question box in a plant scope, on the built sample factory: the vocabulary knows only
the scope's values, a question about another plant is answered with a question back (never
with the asker's own plant's numbers), and the rows are the scope's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import metrics
from metrics import Scope
from metrics.nlq.cache import learned
from metrics.nlq.edits import chips_of, edit_answer
from warehouse.connections import connect_published

pytestmark = pytest.mark.slow
SZ, NONE, ALL = Scope.of({"SZ"}), Scope.none(), Scope.all()
AS_OF = "2026-10-11"


@pytest.fixture(scope="module")
def con(built_warehouse: Path):
    connection = connect_published(built_warehouse)
    yield connection
    connection.close()


def test_the_vocabulary_knows_only_the_scope_s_values(con) -> None:
    vocab = learned(con, SZ).vocabulary
    assert vocab.keys("plant") == ("SZ",)
    assert vocab.keys("line") == ("SZ-ASSY1", "SZ-PACK1", "SZ-SMT1", "SZ-SMT2")
    assert vocab.keys("warehouse") == ("SZ-FG", "SZ-RM")
    assert vocab.keys("shift") == ("A", "B", "C")
    assert vocab.keys("equipment") and all(k.startswith("SZ-") for k in vocab.keys("equipment"))
    everything = learned(con, ALL).vocabulary
    assert everything.keys("plant") == ("DG", "HP", "SZ")
    assert "dongguan" in everything.phrases and "dongguan" not in vocab.phrases
    # master data shared by every plant is known to every plant
    for dim in (
        "customer",
        "product",
        "product_family",
        "region",
        "customer_segment",
        "supplier",
        "defect_code",
    ):
        assert vocab.keys(dim) == everything.keys(dim) and vocab.keys(dim), dim
    nothing = learned(con, NONE).vocabulary
    assert all(not nothing.keys(dim) for dim in nothing.registry.dimensions)
    assert learned(con, SZ).vocabulary is vocab  # learned once per build and scope


def test_a_question_about_another_plant_asks_back(con) -> None:
    answer = metrics.ask("OEE at Dongguan last week", AS_OF, con=con, scope=SZ)
    assert answer.data is None and answer.interpretation is None and answer.sql is None
    assert answer.clarification.reason == "outside_scope"
    assert answer.candidates == ("SZ",)
    assert answer.clarification.message == (
        "The plant 'dongguan' is outside the plants you may see (plants SZ). "
        "Did you mean Suzhou Plant?"
    )
    zh = metrics.ask("东莞工厂上周的OEE", AS_OF, con=con, scope=SZ)
    assert zh.clarification.message == (
        "工厂“东莞工厂”不在您可查看的范围内（工厂 SZ）。您是指苏州工厂？"
    )
    line = metrics.ask("OEE of DG-SMT1 last week", AS_OF, con=con, scope=SZ)
    assert line.clarification.reason == "outside_scope"
    assert line.candidates == ("SZ-ASSY1", "SZ-PACK1", "SZ-SMT1", "SZ-SMT2")
    assert line.clarification.words == "dg-smt1"
    # an all-plants user gets the answer
    assert metrics.ask("OEE at Dongguan last week", AS_OF, con=con, scope=ALL).data.height == 1


def test_a_clarification_never_offers_another_plant_s_values(con) -> None:
    answer = metrics.ask("OEE of line L9 last week", AS_OF, con=con, scope=SZ)
    assert answer.clarification.reason == "unknown_value"
    assert answer.candidates and all(c.startswith("SZ-") for c in answer.candidates)
    labels = " ".join(o.label for o in answer.clarification.options)
    assert "Dongguan" not in answer.clarification.message + labels


def test_an_answer_holds_only_the_scope_s_rows(con) -> None:
    answer = metrics.ask("OEE by line last week", AS_OF, con=con, scope=SZ)
    assert answer.scope == SZ and "plant_id IN ('SZ')" in answer.sql
    assert sorted(answer.data["line_id"].to_list()) == [
        "SZ-ASSY1",
        "SZ-PACK1",
        "SZ-SMT1",
        "SZ-SMT2",
    ]
    expected = metrics.query(
        ["oee"], by=["line"], start="2026-09-28", end="2026-10-05", con=con, scope=SZ
    )
    assert answer.data.to_dicts() == expected.to_dicts()
    both = metrics.ask("on-time delivery by plant this month", AS_OF, con=con, scope=ALL)
    assert set(both.data["plant_id"].to_list()) >= {"SZ", "DG"}
    mine = metrics.ask("on-time delivery by plant this month", AS_OF, con=con, scope=SZ)
    assert mine.data["plant_id"].to_list() == ["SZ"]


def test_no_scope_answers_nothing(con) -> None:
    answer = metrics.ask("OEE by plant last week", AS_OF, con=con)  # no scope given
    assert answer.scope == NONE and answer.interpretation is not None
    assert answer.data.height == 0
    assert metrics.ask("OEE last week", AS_OF, con=con).data.height == 0


def test_an_edited_reading_keeps_the_scope(con) -> None:
    answer = metrics.ask("OEE by line last week", AS_OF, con=con, scope=SZ)
    vocab = learned(con, SZ).vocabulary
    ran = []

    def run(interp):
        ran.append(interp)
        return metrics.query(**interp.query_args(), con=con, scope=SZ)

    chips = replace(chips_of(answer.interpretation), metrics=("availability",))
    edited = edit_answer(answer, chips, vocab, run)
    assert "plant_id IN ('SZ')" in edited.sql and ran
    assert set(edited.data["line_id"].to_list()) <= set(vocab.keys("line"))


def test_andon_ask_answers_for_every_plant_unless_plants_restrict(built_warehouse: Path) -> None:
    app = (
        "import typer; from app.cli.ask import ask; "
        "app = typer.Typer(add_completion=False); app.command()(ask); app()"
    )
    root = Path(__file__).resolve().parents[2]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", app, *args, "--as-of", AS_OF, "-w", str(built_warehouse)],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(root)},
            timeout=120,
        )

    every = run("OEE by plant last week", "--format", "json")
    assert every.returncode == 0, every.stderr
    assert [r["plant_id"] for r in json.loads(every.stdout)["data"]] == ["DG", "HP", "SZ"]
    mine = run("OEE by plant last week", "--format", "json", "--plants", "SZ")
    assert [r["plant_id"] for r in json.loads(mine.stdout)["data"]] == ["SZ"]
    other = run("OEE at Dongguan last week", "--plants", "SZ")
    assert other.returncode == 3
    assert "outside the plants you may see (plants SZ)" in other.stderr
