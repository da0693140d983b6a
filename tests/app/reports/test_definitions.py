"""Report definitions, contacts and channels as models: the demo files load, defaults apply,
references are checked against the registry, and every problem names its file, key and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.reports.definitions import (
    DEFAULT_DIR,
    Audience,
    DefinitionError,
    load_channels,
    load_contacts,
    load_report,
    load_reports,
    parse_report,
)
from tests.app.reports.conftest import CONTACTS, DAILY
from warehouse.config import ConfigError


def write(folder: Path, name: str, data: object) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def message(call, *args) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        call(*args)
    return str(caught.value).splitlines()


def test_demo_reports_load() -> None:
    reports = load_reports(DEFAULT_DIR)
    assert list(reports) == ["daily_plant_kpis", "weekly_delivery", "weekly_planning"]
    daily, weekly = reports["daily_plant_kpis"], reports["weekly_delivery"]
    assert (daily.cron, daily.timezone, daily.burst_per) == ("30 7 * * *", "Asia/Shanghai", "plant")
    assert {key: a.lang for key, a in daily.audiences.items()} == {
        "SZ": "zh",
        "DG": "zh",
        "HP": "en",
    }
    assert daily.title_in("zh") == "工厂每日KPI日报"
    assert daily.source == str(DEFAULT_DIR / "daily_plant_kpis.yaml")
    assert weekly.audiences == {
        "all": Audience(lang="en", email=("supply-chain@example.com",), webhooks=("ops_json",))
    }
    assert weekly.sections[2].grain == "day" and weekly.sections[2].show == "chart"
    assert daily.formats == ("pdf", "xlsx", "csv") and daily.compare == "previous_period"


def test_defaults_come_from_the_file_and_the_report() -> None:
    report = parse_report(
        {
            "kpis": ["oee"],
            "language": "zh",
            "recipients": {"email": ["a@example.com"]},
            "sections": [{"title": "OEE", "metrics": ["oee"], "by": ["line"]}],
        },
        "reports/line_oee.yaml",
    )
    assert report.name == "line_oee"  # the file's name
    assert report.title == {"en": "line_oee", "zh": "line_oee"}  # the name
    assert report.audiences["all"].lang == "zh"  # the report's language
    assert report.sections[0].title == {"en": "OEE", "zh": "OEE"}
    assert (report.period, report.formats, report.timezone, report.cron) == (
        "yesterday",
        ("pdf", "xlsx"),
        "UTC",
        None,
    )


def test_texts_and_filters_take_one_or_many() -> None:
    report = parse_report(
        {
            **DAILY,
            "title": {"zh": "日报"},
            "filters": {"plant": ["SZ", "DG"], "line": 101},
            "sections": [{**DAILY["sections"][0], "filters": {"shift": "A"}}],
        }
    )
    assert report.title == {"en": "日报", "zh": "日报"}
    assert report.where == {"plant": ("SZ", "DG"), "line": ("101",)}
    assert report.sections[0].where == {"shift": ("A",)}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {
                "kpis": ["oee", "on_time_delivery"],
                "burst": {"per": "line", "recipients": {"SZ-L1": {}}},
            },
            ["kpis.1: metric 'on_time_delivery' cannot be split per 'line'"],
        ),
        (
            {"sections": [{"title": "x", "metrics": ["oee", "nope"]}]},
            ["sections.0.metrics.1: unknown metric 'nope' (see metrics/registry.yaml)"],
        ),
        (
            {"sections": [{"title": "x", "metrics": ["oee", "otif"], "by": ["line"]}]},
            ["sections.0.by.0: metric 'otif' cannot be grouped by 'line'"],
        ),
        (
            {"sections": [{"title": "x", "metrics": ["oee"], "show": "chart"}]},
            ["sections.0.show: a chart needs `by` or `grain`"],
        ),
        (
            {"sections": [{"title": "x", "metrics": ["oee"], "chart_metric": "scrap_rate"}]},
            ["sections.0.chart_metric: 'scrap_rate' is not one of the metrics"],
        ),
        (
            {"kpis": ["oee", "otif"], "sections": [], "burst": None, "filters": {"customer": "C1"}},
            ["filters.customer: metric 'oee' cannot be filtered by 'customer'"],
        ),
        (
            {"burst": {"per": "planet", "recipients": {"SZ": {}}}},
            [
                "burst.per: unknown dimension 'planet' (known: plant, line, equipment, shift,"
                " product, product_family, material_type, customer, region, customer_segment,"
                " supplier, warehouse, defect_code, characteristic)"
            ],
        ),
        (
            {"burst": {"per": "plant", "recipients": {}}},
            ["burst.recipients: Dictionary should have at least 1 item after validation, not 0"],
        ),
        (
            {"recipients": {"email": ["x@example.com"]}},
            ["recipients: a burst report sends per slice: use burst.recipients"],
        ),
        (
            {"schedule": {"cron": "61 * * * *"}},
            ["schedule.cron: '61 * * * *' is not a valid cron expression"],
        ),
        (
            {"schedule": {"cron": "0 7 * * *", "timezone": "Mars/Olympus"}},
            ["schedule.timezone: 'Mars/Olympus' is not a known time zone"],
        ),
        ({"kpis": [], "sections": []}, ["list kpis, sections or both"]),
        (
            {"compare": "last_year"},
            ["compare: Input should be 'previous_period' (got 'last_year')"],
        ),
        (
            {"plants": ["SZ"]},
            ["burst.recipients.DG: 'DG' is not in plants (SZ)"],
        ),
        (
            {"burst": None, "plants": ["SZ"], "filters": {"plant": ["SZ", "DG"]}},
            ["filters.plant: 'DG' is not in plants (SZ)"],
        ),
        (
            {"burst": None, "plants": []},
            ["plants: Tuple should have at least 1 item after validation, not 0"],
        ),
    ],
)
def test_definition_problems_name_their_key(change: dict, expected: list[str]) -> None:
    lines = message(parse_report, {**DAILY, **change}, "daily.yaml")
    assert lines == [f"daily.yaml: {line}" for line in expected]


def test_plants_default_to_every_plant_and_are_checked_against_the_warehouse(
    tmp_path: Path,
) -> None:
    assert parse_report(DAILY).plants is None  # no plants: every plant (admins write these)
    spec = {**DAILY, "name": "two_plants", "plants": ["SZ", "HP"], "burst": None}
    spec["recipients"] = {"email": ["ops@example.com"]}
    path = write(tmp_path, "two_plants.yaml", spec)
    line = path.read_text(encoding="utf-8").splitlines().index("- HP") + 1
    assert load_report("two_plants", tmp_path).plants == ("SZ", "HP")  # no warehouse: unchecked
    assert message(load_report, "two_plants", tmp_path, frozenset({"SZ", "DG"})) == [
        f"{path}:{line}: plants.1: unknown plant 'HP' (known: DG, SZ)"
    ]
    known = frozenset({"SZ", "DG", "HP"})
    assert load_report("two_plants", tmp_path, known).plants == ("SZ", "HP")


def test_duplicate_report_names_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", {**DAILY, "name": "plant_kpis"})
    second = write(tmp_path, "b.yaml", {**DAILY, "name": "plant_kpis"})
    lines = message(load_reports, tmp_path)
    name_line = second.read_text(encoding="utf-8").splitlines().index("name: plant_kpis") + 1
    assert lines == [
        f"{second}:{name_line}: name: report 'plant_kpis' is already defined in"
        f" {tmp_path / 'a.yaml'}"
    ]


def test_an_unknown_report_lists_the_known_ones(tmp_path: Path) -> None:
    write(tmp_path, "daily.yaml", DAILY)
    assert message(load_report, "weekly", tmp_path) == [
        f"{tmp_path}: no report named 'weekly' (known: daily_plant_kpis)"
    ]


def test_definition_errors_are_config_errors() -> None:
    assert issubclass(DefinitionError, ConfigError)


def test_contacts_chain_in_escalation_order(tmp_path: Path) -> None:
    write(tmp_path, "contacts.yaml", CONTACTS)
    contacts = load_contacts(tmp_path)
    chain = contacts.chain("SZ", "Production Excellence")
    assert [(c.name, c.email, c.webhook, c.lang) for c in chain] == [
        ("Wang Wei", "owner@example.com", "wecom", "zh"),
        ("Li Na", "boss@example.com", None, "zh"),
    ]
    assert [c.name for c in contacts.chain("SZ", "Quality")] == ["Duty desk"]  # default, *
    assert [c.name for c in contacts.chain(None, "Finance")] == ["Duty desk"]
    assert load_contacts(tmp_path / "nowhere").chain("SZ", "Quality") == ()


def test_demo_contacts_and_channels_load() -> None:
    contacts = load_contacts(DEFAULT_DIR)
    assert [c.name for c in contacts.chain("SZ", "Quality")] == [
        "张敏 (SZ quality)",
        "李娜 (SZ plant manager)",
    ]
    assert [c.name for c in contacts.chain("HP", "Finance")] == ["Nguyễn Văn An (HP plant manager)"]
    channels = load_channels(DEFAULT_DIR)
    assert sorted(channels["webhooks"]) == ["dingtalk_dg", "feishu_hp", "ops_json", "wecom_sz"]
    assert channels["retry"] == {"base_delay_s": 60.0, "factor": 2.0, "max_delay_s": 1800.0}
    assert channels["outbox_folder"] == "outbox"


def test_channels_take_secrets_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANDON_TEST_SECRET", "s3cret")
    monkeypatch.setenv("ANDON_TEST_PORT", "2525")
    monkeypatch.delenv("ANDON_TEST_UNSET", raising=False)
    write(
        tmp_path,
        "channels.yaml",
        "email:\n"
        "  host: ${ANDON_TEST_HOST:-smtp.example.com}\n"
        "  port: ${ANDON_TEST_PORT:-25}\n"
        "  timeout_s: ${ANDON_TEST_UNSET:-}\n"
        "webhooks:\n"
        "  ding: {kind: dingtalk, url: 'https://example.com/x', secret: '${ANDON_TEST_SECRET}'}\n",
    )
    assert load_channels(tmp_path) == {
        "email": {"host": "smtp.example.com", "port": 2525},  # blank: the sender's default
        "webhooks": {
            "ding": {
                "kind": "dingtalk",
                "url": "https://example.com/x",
                "secret": "s3cret",
                "headers": {},
            }
        },
    }
    monkeypatch.setenv("ANDON_TEST_PORT", "twenty-five")
    path = tmp_path / "channels.yaml"
    assert message(load_channels, tmp_path) == [
        f"{path}:3: email.port: Input should be a valid integer, unable to parse string as an"
        " integer (got 'twenty-five')"
    ]
