"""Per-site column mappings."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest import MappingError, load_contracts
from ingest.mapping import load_mapping

MAPPING = """
sites:
  - site: HP
    description: Haiphong MES exports its own column names
    files: "mes/equipment_states/HP_*"
    columns:
      EQUIP_NO: equipment_id
      State_Start: start_ts
      STATE_END: end_ts
"""
HP_FILE = "equip_no ,STATE_START,STATE_END,state\nEQ7,2024-03-01 06:00,,RUNNING\n"


def test_mapping_renames_matching_files(inbox):
    inbox.write("andon_mapping.yaml", MAPPING)
    inbox.write("mes/equipment_states/HP_2024-03-01.csv", HP_FILE)
    inbox.write("mes/equipment_states/SZ_2024-03-01.csv", HP_FILE.replace("EQ7", "EQ8"))
    report = inbox.ingest()
    assert [r.status for r in report.results] == ["landed", "rejected"]
    assert "missing required column(s) equipment_id, start_ts" in report.results[1].message
    assert inbox.rows("select equipment_id, start_ts, state from raw.equipment_states") == [
        ("EQ7", dt.datetime(2024, 3, 1, 6), "RUNNING")
    ]


def test_explicit_mapping_path(inbox, tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text(MAPPING)
    inbox.write("mes/equipment_states/HP_1.csv", HP_FILE)
    assert inbox.ingest(mapping=path).results[0].status == "landed"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sites:\n  - site: HP\n    files: mes/equipment_states/*\n"
            "    columns: {A: equipment}\n",
            "equipment is not a column of mes/equipment_states",
        ),
        (
            "sites:\n  - site: HP\n    files: mes/machines/*\n    columns: {A: equipment_id}\n",
            "names unknown entity 'machines'",
        ),
        ("sites:\n  - site: HP\n    columns: {A: equipment_id}\n", "needs 'site' and 'files'"),
        ("sites: {HP: 1}\n", "expected a top-level 'sites:' list"),
        ("sites: [\n", "not valid YAML"),
        (
            "sites:\n  - site: HP\n    files: mes/equipment_states/*\n"
            "    columns: {A: equipment_id, B: equipment_id}\n",
            "several source columns map to",
        ),
    ],
)
def test_bad_mapping_files(tmp_path, text, message):
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(MappingError, match=message):
        load_mapping(path, load_contracts())


def test_wildcard_entity_checked_when_applied(inbox):
    inbox.write(
        "andon_mapping.yaml",
        "sites:\n  - site: HP\n    files: 'mes/*/HP_*'\n    columns: {EQUIP_NO: equipment_id}\n",
    )
    inbox.write(
        "mes/plants/HP_plants.csv", "plant_id,plant_name,timezone\nHP,Haiphong,Asia/Ho_Chi_Minh\n"
    )
    with pytest.raises(MappingError, match="equipment_id, not a column of mes/plants"):
        inbox.ingest()
