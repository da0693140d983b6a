"""The registry: complete against KPIS.md, true to docs/marts.md, strict about mistakes."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from metrics import RegistryError, load_registry
from metrics.registry import REGISTRY_PATH, parse_registry

ROOT = Path(__file__).resolve().parents[2]
KPIS = ROOT.parent / "shared" / "KPIS.md"  # the brief, beside the clone (as in CI)
MARTS = ROOT / "docs" / "marts.md"

LOSSES = [
    "oee_loss_breakdowns",
    "oee_loss_setup",
    "oee_loss_starved_blocked",
    "oee_loss_unknown",
    "oee_loss_minor_stops",
    "oee_loss_reduced_speed",
    "oee_loss_quality",
    "fully_productive_hours",
    "planned_busy_hours",
    "annualized_inventory_turnover",
]


# Every metric named in KPIS.md's formula tables (the loss waterfall is LOSSES), by hand.
KPIS_NAMES = [
    "availability", "performance", "quality", "oee", "mtbf_hours", "mttr_hours",
    "throughput_per_hour", "energy_kwh_per_unit", "first_pass_yield", "scrap_rate",
    "rework_rate", "inspection_pass_rate", "defect_ppm", "cpk", "on_time_delivery", "otif",
    "order_lead_time_days", "schedule_adherence", "supplier_on_time", "cogs",
    "avg_inventory_value", "inventory_turnover", "days_of_inventory", "produced_qty",
    "good_qty", "scrap_qty", "rework_qty", "shipped_qty", "order_qty", "defect_qty",
    "inspections",
]  # fmt: skip


def kpi_names() -> list[str]:
    """Metric names from the first column of KPIS.md's formula tables, when the brief is here."""
    if not KPIS.exists():  # the shared brief is not part of the repository
        return KPIS_NAMES
    names: list[str] = []
    in_formula_table = False
    for line in KPIS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 3:
            in_formula_table = False
            continue
        if cells[1] == "name":
            in_formula_table = True
            continue
        if in_formula_table and re.fullmatch(r"[a-z_*`, ]+", cells[1]):
            for name in cells[1].replace("`", "").split(","):
                name = name.strip()
                if name and name != "oee_loss_*":
                    names.append(name)
    return names


def test_kpis_md_names_are_the_ones_written_down() -> None:
    assert kpi_names() == KPIS_NAMES


def raw() -> dict:
    return yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))


def problems_of(data: dict) -> str:
    with pytest.raises(RegistryError) as caught:
        parse_registry(data, source="test.yaml")
    return str(caught.value)


def test_every_kpi_is_registered_with_both_labels() -> None:
    registry = load_registry()
    names = kpi_names()
    assert len(names) > 30
    for name in [*names, *LOSSES]:
        metric = registry.metrics[name]
        assert metric.label_en and metric.label_zh and metric.description
        assert metric.owner and metric.unit and metric.synonyms["en"] and metric.synonyms["zh"]
    assert registry.metrics["oee"].label_zh == "设备综合效率"
    assert registry.metrics["first_pass_yield"].label_zh == "直通率"
    assert registry.metrics["oee"].target == 0.85


def test_registry_columns_match_docs_marts() -> None:
    """The registry's fact and dimension columns are exactly those of docs/marts.md."""
    registry = load_registry()
    documented: dict[str, list[str]] = {}
    for line in MARTS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and re.fullmatch(r"(fct|dim)_\w+", cells[1]):
            columns = cells[-2]
            while re.search(r"\([^()]*\)", columns):
                columns = re.sub(r"\([^()]*\)", "", columns)
            documented[cells[1]] = [c.strip() for c in columns.split(",") if c.strip()]
    for name, fact in registry.facts.items():
        assert list(fact.columns) == documented[name], name
    for name, columns in registry.dimension_tables.items():
        if name != "dim_product":  # documented as "the FG rows of dim_material"
            assert list(columns) == documented[name], name
    assert set(documented) <= {*registry.facts, *registry.dimension_tables}


def test_registry_is_cached() -> None:
    assert load_registry() is load_registry()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["metrics"]["oee"]["dimensions"].append("galaxy"),
            "metric 'oee': unknown dimension 'galaxy'",
        ),
        (lambda d: d["metrics"]["oee"].pop("label_zh"), "metric 'oee': missing label_zh"),
        (lambda d: d["dimensions"]["line"].pop("label_en"), "dimension 'line': missing label_en"),
        (
            lambda d: d["metrics"]["availability"]["numerator"].update(columns=["apt_seconds"]),
            "metric 'availability' numerator: column 'apt_seconds' is not in fct_equipment_shifts",
        ),
        (
            lambda d: d["metrics"]["cogs"]["value"].update(fact="fct_sales"),
            "metric 'cogs' value: unknown fact 'fct_sales'",
        ),
        (
            lambda d: d["metrics"]["cogs"]["value"].update(time="promised_date"),
            "time 'promised_date' is not a time column of fct_shipments",
        ),
        (
            lambda d: d["metrics"]["oee"]["dimensions"].append("customer"),
            "metric 'oee': allows dimension 'customer', but fact fct_equipment_shifts does not",
        ),
        (
            lambda d: d["metrics"]["days_of_inventory"].update(formula="stock / cogs"),
            "formula names 'stock', which is neither a metric nor days_in_period",
        ),
        (
            lambda d: d["metrics"]["inventory_turnover"].update(
                dimensions=[*d["metrics"]["inventory_turnover"]["dimensions"], "customer"]
            ),
            "allows dimension 'customer', which 'avg_inventory_value' does not allow",
        ),
        (
            lambda d: d["facts"]["fct_energy"]["dimensions"].update(line="line_code"),
            "fact 'fct_energy': dimension 'line' maps to 'line_code'",
        ),
        (lambda d: d["metrics"]["oee"].update(direction="up"), "direction 'up' must be one of"),
        (lambda d: d["metrics"]["oee"].update(formula_typo=1), "metric 'oee': unknown field"),
        (
            lambda d: d["dimensions"]["plant"].update(label_columns={"en": "plant_name"}),
            "dimension 'plant': column 'plant_name' is not in dim_plant",
        ),
    ],
)
def test_validation_names_the_problem(change, message: str) -> None:
    data = copy.deepcopy(raw())
    change(data)
    assert message in problems_of(data)


def test_validation_lists_every_problem_at_once() -> None:
    data = copy.deepcopy(raw())
    data["metrics"]["oee"].pop("label_en")
    data["metrics"]["scrap_rate"]["dimensions"].append("planet")
    text = problems_of(data)
    assert "metric 'oee': missing label_en" in text
    assert "metric 'scrap_rate': unknown dimension 'planet'" in text
    assert text.startswith("Invalid metrics registry test.yaml:")


def test_missing_file_is_a_registry_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="file not found"):
        load_registry(tmp_path / "nope.yaml")


def test_registry_from_another_file(tmp_path: Path) -> None:
    data = raw()
    data["metrics"] = {"oee": data["metrics"]["oee"]}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert list(load_registry(path).metrics) == ["oee"]
