"""sources.yaml: the example loads; mistakes are refused with the file, the key and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sources import load_sources
from warehouse.config import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_loads_with_every_kind_of_entry() -> None:
    config = load_sources(ROOT / "deploy" / "sources.example.yaml")
    assert [s.name for s in config.databases] == ["mes_db", "erp_db"]
    assert [s.name for s in config.inboxes] == ["plant_inbox"]
    mes = config.get("mes_db")
    assert mes.redacted() == "postgresql andon_reader@mes-db.plant.local:5432/mes"
    states = mes.entities["equipment_states"]
    assert states.watermark.lookback_value.total_seconds() == 7200
    assert mes.entities["production_reports"].watermark.lookback_value == 5000


def _refused(tmp_path: Path, text: str) -> str:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    return str(caught.value)


DB = """sources:
  mes_db:
    kind: postgresql
    connection: {host: h, database: mes, user: u, password_env: PW}
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            DB + "    entities:\n      equipment_state:\n        table: t\n",
            "sources.yaml:6: sources.mes_db.entities.equipment_state: unknown entity",
        ),
        (
            DB + "    schedule: every 15 minutes\n    entities:\n      equipment: {table: t}\n",
            "sources.yaml:5: sources.mes_db.schedule: 'every 15 minutes' is not a cron",
        ),
        (
            DB + "    entities:\n      equipment: {table: t, query: select 1}\n",
            "give exactly one of table or query",
        ),
        (
            DB
            + "    entities:\n      equipment:\n        table: t\n        columns: {machine: id}\n",
            "equipment.columns.machine: id is not a column of mes/equipment",
        ),
        (
            DB.replace("password_env: PW", "password: hunter2") + "    entities: {}\n",
            "password is never written in sources.yaml",
        ),
        (
            DB + "    entities:\n      equipment_states:\n        table: t\n"
            "        watermark: {column: ts, lookback: two hours}\n",
            "'two hours' is not a duration",
        ),
        (
            DB + "    timezone: China\n    entities:\n      equipment: {table: t}\n",
            "unknown time zone 'China'",
        ),
        ("sources:\n  inbox:\n    kind: files\n", "a files source needs its inbox folder"),
    ],
)
def test_mistakes_are_refused_where_they_are(tmp_path: Path, body: str, expected: str) -> None:
    message = _refused(tmp_path, body)
    assert expected in message
    assert "hunter2" not in message


def test_an_entity_is_pulled_by_one_source_only(tmp_path: Path) -> None:
    body = DB + "    entities:\n      equipment: {table: t}\n"
    body += body.replace("sources:\n", "").replace("mes_db", "mes_copy")
    assert "equipment is already pulled by source 'mes_db'" in _refused(tmp_path, body)
