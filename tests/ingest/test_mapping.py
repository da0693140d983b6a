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
    ("text", "expected"),
    [
        (
            "sites:\n  - site: HP\n    files: mes/equipment_states/*\n"
            "    columns: {A: equipment}\n",
            "4: sites.0.columns.A: equipment is not a column of mes/equipment_states; columns are"
            " equipment_id, start_ts, end_ts, state, reason_code, reason_text",
        ),
        (
            "sites:\n  - site: HP\n    files: mes/machines/*\n    columns: {A: equipment_id}\n",
            "3: sites.0.files: 'mes/machines/*' names unknown entity 'machines'",
        ),
        (
            "sites:\n  - site: HP\n    files: erp/equipment_states/*\n"
            "    columns: {A: equipment_id}\n",
            "3: sites.0.files: entity 'equipment_states' comes from mes/, not erp/",
        ),
        (
            "sites:\n  - site: HP\n    columns: {A: equipment_id}\n",
            "2: sites.0.files: required key is missing",
        ),
        ("sites: {HP: 1}\n", "1: sites: Input should be a list"),
        ("sites: [\n", "2: not valid YAML: expected the node content, but found '<stream end>'"),
        (
            "sites:\n  - site: HP\n    files: mes/equipment_states/*\n"
            "    columns: {A: equipment_id, B: equipment_id}\n",
            "4: sites.0.columns: several source columns map to equipment_id: ['A', 'B']",
        ),
        (
            "sites:\n  - site: HP\n    files: mes/equipment_states/*\n"
            "    columns: {A: equipment_id, ' a ': state}\n",
            "4: sites.0.columns: ['A', 'a'] are one header (case and spaces are ignored)",
        ),
        (
            "sites:\n  - site: HP\n    files: mes/equipment_states/*\n"
            "    colums: {A: equipment_id}\n",
            "2: sites.0.columns: required key is missing\n"
            "4: sites.0.colums: unknown key (check its spelling against the JSON Schema beside the"
            " file)",
        ),
    ],
)
def test_bad_mapping_files(tmp_path, text, expected):
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(MappingError) as caught:
        load_mapping(path, load_contracts())
    assert str(caught.value).splitlines() == [f"{path}:{line}" for line in expected.splitlines()]


def test_a_mapping_error_is_an_ingest_and_a_config_error():
    from ingest.errors import IngestError
    from warehouse.config import ConfigError

    assert issubclass(MappingError, IngestError) and issubclass(MappingError, ConfigError)


def test_headers_match_case_and_space_insensitively(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MAPPING)
    mapping = load_mapping(path, load_contracts())
    contract = load_contracts()["equipment_states"]
    assert mapping.path == path
    assert mapping.renames_for("mes/equipment_states/HP_1.csv", contract) == {
        "equip_no": "equipment_id",
        "state_start": "start_ts",
        "state_end": "end_ts",
    }
    assert mapping.renames_for("mes/equipment_states/SZ_1.csv", contract) == {}


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
