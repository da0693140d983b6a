"""The workbench page in each user's plants: an analyst of Dongguan sees Dongguan's rows
only and a clear refusal for what cannot be restricted, every run is audited, a role
without the workbench does not get the page."""

from __future__ import annotations

import pytest

from metrics.i18n import t


@pytest.fixture(autouse=True)
def sandbox_temp(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's spills go to this test's temp folder."""
    monkeypatch.setenv("ANDON_WORKBENCH_TEMP_DIR", str(tmp_path / "sandbox-temp"))


def run_sql(at, sql: str):
    at.text_area(key="wb_sql").input(sql)
    at.button[1].click().run()
    return at


def test_analyst_sees_only_their_plant(open_page, accounts) -> None:
    at = open_page("sql_workbench", user="dg.analyst")
    assert not at.exception, [e.message for e in at.exception]
    assert t("sbx_sees", "en", scope="plants DG") in at.caption[0].value
    schemas = at.selectbox(key="wb_schema").options
    assert "raw" not in schemas and "marts" in schemas
    run_sql(at, "select distinct plant_id from marts.fct_production order by 1")
    assert not at.error, [e.value for e in at.error]
    assert list(at.dataframe[-1].value["plant_id"]) == ["DG"]
    run_sql(at, "select * from raw.plants")
    assert at.error and "raw.plants cannot be restricted to plants" in at.error[0].value
    at.session_state["f_lang"] = "zh"
    at.run()
    assert "raw.plants 无法按工厂限制" in at.error[0].value
    refused, ran = accounts.audit_log(actions=["workbench_sql"])[:2]
    assert (refused.username, refused.ok, refused.detail["sql"]) == (
        "dg.analyst",
        False,
        "select * from raw.plants",
    )
    assert refused.detail["error"].startswith("raw.plants cannot be restricted")
    assert (ran.username, ran.ok, ran.detail["rows"]) == ("dg.analyst", True, 1)


def test_admin_reads_every_layer(open_page) -> None:
    at = open_page("sql_workbench")
    run_sql(at, "select count(*) as plants from raw.plants")
    assert not at.error, [e.value for e in at.error]
    assert list(at.dataframe[-1].value["plants"]) == [3]


def test_a_role_without_the_workbench_does_not_get_it(open_page) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("sql_workbench", user="sz.manager")  # a plant manager: no workbench


def test_the_schema_browser_in_chinese(open_page) -> None:  # noqa: ANN001
    at = open_page("sql_workbench", lang="zh")
    at.selectbox(key="wb_table").set_value("dim_plant").run()
    assert not at.exception, [e.message for e in at.exception]
    captions = [c.value for c in at.caption]
    assert t("wb_docs_english", "zh") in captions  # the dbt docs are English: said so
    browser = next(d.value for d in at.dataframe if "列" in d.value.columns)
    assert list(browser.columns) == ["列", "中文名称", "类型", "说明（英文）"]
    names = dict(zip(browser["列"], browser["中文名称"], strict=True))
    assert names["plant_id"] == "工厂"
    assert browser["说明（英文）"].str.len().max() > 0
