"""The registry: complete against KPIS.md, true to docs/marts.md, strict about mistakes."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from metrics import RegistryError, load_registry
from metrics.query import compile as compile_sql
from metrics.registry import LABEL_COLUMN_LANGS, REGISTRY_PATH, area_label, parse_registry

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
# KPIS.md's PLM and APS metrics (Planning, Engineering change), registered by issue 18.
PLM_APS_NAMES = [
    "planned_qty", "plan_attainment", "schedule_change_rate", "eco_approval_days",
    "eco_effect_days", "open_ecos", "superseded_revision_share",
]  # fmt: skip


def kpi_names() -> list[str]:
    """Metric names from the first column of KPIS.md's formula tables, when the brief is here."""
    if not KPIS.exists():  # the shared brief is not part of the repository
        return [*KPIS_NAMES, *PLM_APS_NAMES]
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
    assert sorted(kpi_names()) == sorted([*KPIS_NAMES, *PLM_APS_NAMES])


def raw() -> dict:
    return yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))


def problems_of(data: dict) -> str:
    with pytest.raises(RegistryError) as caught:
        parse_registry(data, source="test.yaml")
    return str(caught.value)


def test_every_kpi_is_registered_with_every_label() -> None:
    registry = load_registry()
    names = kpi_names()
    assert len(names) > 30 and set(PLM_APS_NAMES) <= set(names)
    for name in [*names, *LOSSES]:
        metric = registry.metrics[name]
        assert metric.label_en and metric.label_zh and metric.label_vi and metric.description
        assert metric.owner and metric.unit and metric.synonyms["en"] and metric.synonyms["zh"]
    assert registry.metrics["oee"].label_zh == "设备综合效率"
    assert registry.metrics["first_pass_yield"].label_zh == "直通率"
    assert registry.metrics["oee"].target == 0.85
    assert registry.metrics["plan_attainment"].label_zh == "计划达成率"
    assert registry.metrics["schedule_adherence"].label_zh == "按期完工率"


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


def put(data: dict, dotted: str, value: object) -> dict:
    """Set (or, with DELETE, remove) one key: a new value, never a change to a list or mapping
    the YAML shares through an anchor with other entries."""
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        node = node[part]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return data


DELETE = object()
EQUIPMENT_DIMS = ["plant", "line", "equipment", "shift"]
UNKNOWN = "unknown key (check its spelling against the JSON Schema beside the file)"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "metrics.oee.dimensions",
            [*EQUIPMENT_DIMS, "galaxy"],
            "metrics.oee.dimensions.4: unknown dimension 'galaxy' (known: plant, line,",
        ),
        ("metrics.oee.label_zh", DELETE, "metrics.oee.label_zh: required key is missing"),
        ("metrics.oee.label_vi", DELETE, "metrics.oee.label_vi: required key is missing"),
        ("dimensions.line.label_vi", DELETE, "dimensions.line.label_vi: required key is missing"),
        ("metrics.oee.label_vi", "", "metrics.oee.label_vi: String should have at least 1"),
        (
            "grains.day",
            {"label_en": "Day", "label_zh": "日"},
            "grains.day.label_vi: required key is missing",
        ),
        (
            "metrics.oee.amber_band",
            -0.02,
            "metrics.oee.amber_band: Input should be greater than or equal to 0 (got -0.02)",
        ),
        ("metrics.oee.amber_band", "wide", "metrics.oee.amber_band: Input should be a valid"),
        ("metrics.cogs.amber_band", 100, "metrics.cogs.amber_band: amber_band needs a target"),
        (
            "dimensions.plant.label_columns",
            {"en": "plant_name_en", "zh": "plant_name_zh", "vi": "plant_name_vi"},
            "dimensions.plant.label_columns.vi: column 'plant_name_vi' is not in dim_plant",
        ),
        (
            "dimensions.plant.label_columns",
            {"en": "plant_name_en", "zh": "plant_name_zh", "fr": "plant_name_en"},
            "dimensions.plant.label_columns.fr: Input should be 'en', 'zh' or 'vi' (got 'fr')",
        ),
        ("dimensions.line.label_en", DELETE, "dimensions.line.label_en: required key is missing"),
        (
            "dimensions.line.synonyms",
            {"en": ["line"]},
            "dimensions.line.synonyms.zh: required key is missing",
        ),
        (
            "metrics.availability.numerator",
            {"fact": "fct_equipment_shifts", "time": "production_date", "columns": ["apt_x"]},
            "metrics.availability.numerator.columns.0: column 'apt_x' is not in "
            "fct_equipment_shifts",
        ),
        (
            "metrics.cogs.value",
            {"fact": "fct_sales", "time": "shipped_date", "columns": ["cogs"]},
            "metrics.cogs.value.fact: unknown fact 'fct_sales' (known: fct_equipment_shift_states,",
        ),
        (
            "metrics.cogs.value",
            {"fact": "fct_shipments", "time": "promised_date", "columns": ["cogs"]},
            "metrics.cogs.value.time: time 'promised_date' is not a time column of fct_shipments "
            "(use one of shipped_date)",
        ),
        (
            "metrics.oee.dimensions",
            [*EQUIPMENT_DIMS, "customer"],
            "metrics.oee.dimensions.4: allows dimension 'customer', but fact fct_equipment_shifts"
            " does not carry it (it carries plant, line, equipment, shift)",
        ),
        (
            "metrics.days_of_inventory.formula",
            "stock / cogs",
            "metrics.days_of_inventory.formula: formula names 'stock', which is neither a metric "
            "nor days_in_period",
        ),
        (
            "metrics.days_of_inventory.formula",
            "inventory_turnover * 2",
            "metrics.days_of_inventory.formula: formula names derived metric "
            "'inventory_turnover'; use base metrics",
        ),
        (
            "metrics.inventory_turnover.dimensions",
            ["plant", "customer"],
            "metrics.inventory_turnover.dimensions.1: allows dimension 'customer', which "
            "'avg_inventory_value' does not allow",
        ),
        (
            "facts.fct_energy.dimensions",
            {"plant": "plant_id", "line": "line_code"},
            "facts.fct_energy.dimensions.line: dimension 'line' maps to 'line_code', which is not "
            "one of its columns",
        ),
        (
            "metrics.oee.direction",
            "up",
            "metrics.oee.direction: Input should be 'higher_is_better' or 'lower_is_better' "
            "(got 'up')",
        ),
        ("metrics.oee.formula_typo", 1, f"metrics.oee.formula_typo: {UNKNOWN}"),
        ("colours", {}, f"colours: {UNKNOWN}"),
        ("metrics.oee.target", "high", "metrics.oee.target: Input should be a valid number"),
        (
            "dimensions.plant.label_columns",
            {"en": "plant_name_en"},
            "dimensions.plant.label_columns: label_columns needs an 'zh' column",
        ),
        (
            "dimensions.plant.label_columns",
            {"en": "plant_name", "zh": "plant_name_zh"},
            "dimensions.plant.label_columns.en: column 'plant_name' is not in dim_plant",
        ),
        ("dimensions.shift.table_key", "code", "dimensions.shift.table_key: needs a table"),
        (
            "metrics.oee.denominator",
            DELETE,
            "metrics.oee.denominator: kind ratio needs denominator",
        ),
        (
            "metrics.cogs.formula",
            "cogs * 2",
            "metrics.cogs.formula: formula is for kind derived, not sum",
        ),
        (
            "metrics.cpk.value",
            {"fact": "fct_inspections", "time": "inspected_date", "agg": "count"},
            "metrics.cpk.value: cpk value needs exactly one measured column (agg sum)",
        ),
        (
            "metrics.cpk.limits",
            {"lsl": "lsl", "usl": "upper", "order_by": "inspected_at"},
            "metrics.cpk.limits.usl: column 'upper' is not in fct_inspections",
        ),
        (
            "metrics.cpk.required_dimensions",
            ["product", "customer"],
            "metrics.cpk.required_dimensions.1: required dimension 'customer' is not among its "
            "dimensions",
        ),
        (
            "metrics.inspections.value",
            {
                "fact": "fct_inspections",
                "time": "inspected_date",
                "agg": "count",
                "columns": ["lot_id", "result"],
            },
            "metrics.inspections.value: agg count counts rows, or one column's non-NULL values",
        ),
        (
            "metrics.inspections.value",
            {"fact": "fct_inspections", "time": "inspected_date", "agg": "count", "columns": ["x"]},
            "metrics.inspections.value.columns.0: column 'x' is not in fct_inspections",
        ),
        (
            "metrics.open_ecos.value",
            {"fact": "fct_eco_open_daily", "time": "snapshot_date", "agg": "period_end"},
            "metrics.open_ecos.value: agg period_end needs columns",
        ),
        ("metrics.defect_ppm.scale", 0, "metrics.defect_ppm.scale: must be a non-zero number"),
        (
            "grains",
            {"hour": {"label_en": "Hour", "label_zh": "小时"}},
            "grains.hour: Input should be 'day', 'week', 'month', 'quarter' or 'year' (got 'hour')",
        ),
        ("metrics", {}, "metrics: Dictionary should have at least 1 item after validation"),
    ],
)
def test_validation_names_the_key(key: str, value: object, message: str) -> None:
    data = put(copy.deepcopy(raw()), key, value)
    assert f"test.yaml: {message}" in problems_of(data)


def test_validation_lists_every_problem_at_once() -> None:
    data = copy.deepcopy(raw())
    put(data, "metrics.oee.label_en", DELETE)
    put(data, "metrics.scrap_rate.direction", "sideways")
    assert problems_of(data).splitlines() == [
        "test.yaml: metrics.oee.label_en: required key is missing",
        "test.yaml: metrics.scrap_rate.direction: Input should be 'higher_is_better' or "
        "'lower_is_better' (got 'sideways')",
    ]


def test_a_registry_error_is_a_config_and_a_metric_error() -> None:
    from metrics.errors import MetricError
    from warehouse.config import ConfigError

    assert issubclass(RegistryError, ConfigError) and issubclass(RegistryError, MetricError)


def test_problems_in_the_file_name_their_line(tmp_path: Path) -> None:
    text = REGISTRY_PATH.read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index("  performance:")
    at = lines.index("    direction: higher_is_better", start)
    lines[at] = "    direction: upwards"
    path = tmp_path / "registry.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert str(caught.value) == (
        f"{path}:{at + 1}: metrics.performance.direction: Input should be 'higher_is_better' or "
        "'lower_is_better' (got 'upwards')"
    )


def test_missing_file_is_a_registry_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="nope.yaml: file not found"):
        load_registry(tmp_path / "nope.yaml")


def test_registry_from_another_file(tmp_path: Path) -> None:
    data = raw()
    data["metrics"] = {"oee": data["metrics"]["oee"]}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    registry = load_registry(path)
    assert list(registry.metrics) == ["oee"]
    assert registry.source == str(path)
    assert registry.metrics["oee"].name == "oee" and registry.dimensions["line"].name == "line"


def test_dimensions_carry_their_synonyms() -> None:
    registry = load_registry()
    assert registry.dimensions["line"].synonyms == {
        "en": (
            "line",
            "lines",
            "production line",
            "production lines",
            "prod line",
            "manufacturing line",
            "prodcution line",
        ),
        # 'assembly line' is a kind of line (its values), not the word for lines
        "zh": ("产线", "生产线", "线体", "线别", "拉线", "流水线", "产线别", "条线", "各线"),
    }
    for name, dim in registry.dimensions.items():
        assert dim.synonyms["en"] and dim.synonyms["zh"], name


def test_the_question_box_takes_dimension_words_from_the_registry_it_is_given(
    tmp_path: Path,
) -> None:
    """Not from registry.yaml's default path: a registry from another file brings its words."""
    from metrics.nlq.vocabulary import Term, Vocabulary

    data = raw()
    data["dimensions"]["line"]["synonyms"]["en"].append("assembly cell")
    path = tmp_path / "site_registry.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    vocab = Vocabulary.build({}, load_registry(path))
    assert vocab.phrases["assembly cell"] == (Term("dimension", ("line",), dim="line"),)
    assert "assembly cell" not in Vocabulary.build({}, load_registry()).phrases


def test_derived_metrics_keep_their_parsed_formula() -> None:
    registry = load_registry()
    metric = registry.metrics["annualized_inventory_turnover"]
    assert metric.references == ("days_in_period", "cogs", "avg_inventory_value")
    assert metric.uses_days_in_period
    assert (
        registry.formulas["days_of_inventory"].sql()
        == "avg_inventory_value / (cogs / days_in_period)"
    )
    assert registry.facts_of(metric) == ("fct_shipments", "fct_inventory_daily")


def test_aggregate_filters_are_column_value_pairs() -> None:
    numerator = load_registry().metrics["on_time_delivery"].numerator
    assert numerator is not None and numerator.filter == (("is_due", (1,)),)
    assert numerator.describe() == "Σ fct_order_lines.is_on_time [is_due = 1]"


def test_labels_in_every_language_with_english_for_others() -> None:
    registry = load_registry()
    oee, line = registry.metric("oee"), registry.dimension("line")
    assert [oee.label(lang) for lang in ("en", "zh", "vi", "fr")] == [
        "OEE",
        "设备综合效率",
        "Hiệu suất thiết bị tổng thể (OEE)",
        "OEE",
    ]
    assert [line.label(lang) for lang in ("en", "zh", "vi", "de")] == [
        "Line",
        "产线",
        "Dây chuyền",
        "Line",
    ]
    assert registry.grain_label("week", "vi") == "Tuần (ISO, từ thứ Hai)"
    assert registry.grain_label("week", "zh") == "周"
    assert registry.grain_label("hour", "vi") == "hour"
    assert area_label("equipment", "vi") == "Hiệu quả thiết bị"
    assert area_label("quality", "fr") == "Quality"


def test_value_names_in_vietnamese_read_the_english_column() -> None:
    """The dimension tables name values in English and Chinese only (LABEL_COLUMN_LANGS)."""
    registry = load_registry()
    assert LABEL_COLUMN_LANGS == ("en", "zh")
    plant = registry.dimension("plant")
    assert [plant.label_column(lang) for lang in ("en", "zh", "vi", "fr")] == [
        "plant_name_en",
        "plant_name_zh",
        "plant_name_en",
        "plant_name_en",
    ]
    assert registry.dimension("shift").label_column("vi") is None  # no table: the key itself
    data = raw()
    data["dimension_tables"]["dim_plant"].append("plant_name_vi")
    data["dimensions"]["plant"]["label_columns"]["vi"] = "plant_name_vi"
    own = parse_registry(data).dimension("plant")
    assert own.label_column("vi") == "plant_name_vi" and own.label_column("en") == "plant_name_en"


def test_a_vietnamese_query_shows_the_english_value_names(con) -> None:  # noqa: ANN001
    from metrics import query
    from metrics.scope import ALL_PLANTS

    sql = compile_sql(["oee"], by=["plant"], lang="vi", scope=ALL_PLANTS)
    assert "plant_name_en" in sql and "plant_name_zh" not in sql
    october = {"by": ["plant"], "start": "2026-10-01", "end": "2026-11-01", "con": con}
    frame = query(["oee"], lang="vi", scope=ALL_PLANTS, **october)
    assert frame.columns == ["plant_id", "plant_label", "oee"]
    assert dict(zip(frame["plant_id"], frame["plant_label"], strict=True)) == {
        "DG": "Dongguan Plant",
        "SZ": "Suzhou Plant",
    }


def test_amber_bands_are_in_the_metrics_units() -> None:
    registry = load_registry()
    bands = {n: m.amber_band for n, m in registry.metrics.items() if m.amber_band is not None}
    for name in ("availability", "performance", "quality", "oee", "first_pass_yield"):
        assert bands[name] == 0.02, name  # 2 percentage points
    assert bands["on_time_delivery"] == bands["otif"] == 0.02
    assert bands["days_of_inventory"] == 3  # days
    assert bands["cpk"] == 0.33  # Cpk 1.00 … 1.33: capable, but only just
    assert all(registry.metrics[n].target is not None for n in bands)
    mtbf = raw()["metrics"]["mtbf_hours"]  # none in the file: the default band
    assert "amber_band" not in mtbf and registry.metrics["mtbf_hours"].amber_band is None
