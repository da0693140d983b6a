"""The sidebar, through AppTest on the sample warehouse: each page draws only the filters it
uses (app/web/main.py PAGES) and the others keep their values, in the session and the URL,
for the next page that uses them; the language is the user's own unless the link or the
switcher says another, and their plants' when they share one (app/web/plant_locale.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from app.web.main import PAGES
from app.web.plant_locale import Place, common_place, default_language, moment_text
from metrics.i18n import t

KPI = ["Period", "Plant", "Line", "Shift", "Product family"]
# page file -> the sidebar filters it shows (by label)
SHOWN = {
    "overview": KPI,
    "ask": [],
    "equipment": ["Period", "Plant", "Line", "Shift"],
    "quality": KPI,
    "planning": ["Period", "Plant", "Line"],
    "delivery": ["Period", "Plant", "Product family"],
    "order_journey": ["Period", "Plant"],
    "inventory": ["Period", "Plant", "Product family"],
    "health": [],
    "sql_workbench": [],
    "reports": [],
    "admin": [],
}


def sidebar_filters(at) -> list[str]:  # noqa: ANN001 - AppTest
    return [box.label for box in at.sidebar.selectbox]


def param(at, name: str) -> str | None:  # noqa: ANN001
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_every_page_is_listed() -> None:
    assert [name.removesuffix(".py") for name, *_ in PAGES] == list(SHOWN)


def test_each_page_draws_only_its_filters_and_keeps_the_others(open_page) -> None:  # noqa: ANN001
    at = open_page("health", period="last_week", plant="SZ", shift="A")
    assert not at.exception, [e.message for e in at.exception]
    for page, labels in SHOWN.items():
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert sidebar_filters(at) == labels, page
        filters = at.session_state["andon_context"].filters
        assert filters.preset == "last_week", page  # the period stays, shown or not
        assert filters.plant == ("SZ" if "Plant" in labels else None), page
        assert filters.shift == ("A" if "Shift" in labels else None), page
        assert (param(at, "period"), param(at, "plant"), param(at, "shift")) == (
            "last_week",
            "SZ",
            "A",
        ), page  # the link keeps every filter
    at.switch_page("views/quality.py").run()
    assert at.sidebar.selectbox(key="f_plant").value == "SZ"
    assert at.sidebar.selectbox(key="f_shift").value == "A"


def test_a_filter_changed_on_one_page_holds_on_the_next(open_page) -> None:  # noqa: ANN001
    at = open_page("overview", period="last_12_months")
    at.sidebar.selectbox(key="f_plant").set_value("HP").run()
    at.switch_page("views/health.py").run()
    assert sidebar_filters(at) == [] and param(at, "plant") == "HP"
    at.switch_page("views/inventory.py").run()
    assert at.sidebar.selectbox(key="f_plant").value == "HP"
    assert at.session_state["andon_context"].filters.plant == "HP"


def test_the_language_is_the_users_unless_the_link_or_the_switch_says(open_page, accounts) -> None:  # noqa: ANN001
    accounts.update_profile("sz.manager", lang="zh")
    at = open_page("overview", user="sz.manager", period="last_week")
    assert at.title[0].value == t("page_overview", "zh")
    assert param(at, "lang") is None  # their own language: not in the link
    assert [s.label for s in at.sidebar.selectbox][0] == "期间"
    at.session_state["f_lang"] = "vi"
    at.run()
    assert at.title[0].value == t("page_overview", "vi") and param(at, "lang") == "vi"
    at.switch_page("views/health.py").run()
    assert at.title[0].value == t("page_health", "vi")  # for the whole session

    linked = open_page("overview", user="sz.manager", lang="en", period="last_week")
    assert linked.title[0].value == t("page_overview", "en")
    assert param(linked, "lang") == "en"


@pytest.mark.parametrize(
    ("user", "plants", "expected"),
    [
        ("zh", None, "zh"),  # the user's own
        ("vi", "zh", "vi"),
        (None, "vi", "vi"),  # none of their own: their plants'
        ("", "zh", "zh"),
        (None, None, "en"),  # plants of several languages
        ("xx", None, "en"),
    ],
)
def test_default_language(user: str | None, plants: str | None, expected: str) -> None:
    assert default_language(user, plants) == expected


def test_what_plants_have_in_common() -> None:
    def plants(*rows: tuple[str, str | None, str | None]) -> pl.DataFrame:
        return pl.DataFrame(
            rows, schema=["plant_id", "timezone", "country"], orient="row", strict=False
        )

    assert common_place(plants(("SZ", "Asia/Shanghai", "CN"), ("DG", "Asia/Shanghai", "CN"))) == (
        Place("zh", "Asia/Shanghai")
    )
    assert common_place(plants(("HP", "Asia/Ho_Chi_Minh", "VN"))) == Place("vi", "Asia/Ho_Chi_Minh")
    mixed = plants(("SZ", "Asia/Shanghai", "CN"), ("HP", "Asia/Ho_Chi_Minh", "VN"))
    assert common_place(mixed) == Place(None, None)
    assert common_place(plants(("SZ", None, "CN"))) == Place("zh", None)


@pytest.mark.parametrize(
    ("moment", "lang", "zone", "text"),
    [
        (datetime(2026, 10, 5, 23, 30, tzinfo=UTC), "zh", "Asia/Shanghai", "2026年10月6日 07:30"),
        ("2026-10-05T23:30:00+00:00", "vi", "Asia/Ho_Chi_Minh", "06:30 06/10/2026"),
        ("2026-10-05T23:30:00", "en", None, "5 Oct 2026 23:30 UTC"),  # naive: UTC
        ("not a moment", "en", None, "not a moment"),
        (None, "en", None, "—"),
    ],
)
def test_moments_in_the_plants_zone(moment, lang: str, zone: str | None, text: str) -> None:  # noqa: ANN001
    assert moment_text(moment, lang, zone) == text
