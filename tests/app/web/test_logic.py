"""The app's logic without the UI: periods, URL round trip, SPC rules, Cpk, RAG, labels."""

from __future__ import annotations

from datetime import date

import pytest

from app.web import spc
from app.web.filters import Filters, from_params, period_bounds, to_params
from app.web.i18n import LABELS, format_number
from app.web.kpi_cards import format_metric, status
from metrics import load_registry

AS_OF = date(2026, 11, 18)  # a Wednesday


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("today", date(2026, 11, 18), date(2026, 11, 19)),
        ("yesterday", date(2026, 11, 17), date(2026, 11, 18)),
        ("this_week", date(2026, 11, 16), date(2026, 11, 19)),
        ("last_week", date(2026, 11, 9), date(2026, 11, 16)),
        ("this_month", date(2026, 11, 1), date(2026, 11, 19)),
        ("last_month", date(2026, 10, 1), date(2026, 11, 1)),
        ("this_quarter", date(2026, 10, 1), date(2026, 11, 19)),
        ("ytd", date(2026, 1, 1), date(2026, 11, 19)),
        ("last_12_months", date(2025, 12, 1), date(2026, 11, 19)),
    ],
)
def test_period_presets(preset: str, start: date, end: date) -> None:
    assert period_bounds(preset, AS_OF) == (start, end)


def test_custom_period_is_inclusive_and_round_trips() -> None:
    params = {
        "period": "custom",
        "from": "2026-10-05",
        "to": "2026-10-09",
        "plant": "SZ",
        "lang": "zh",
    }
    filters = from_params(params, AS_OF)
    assert (filters.start, filters.end) == (date(2026, 10, 5), date(2026, 10, 10))
    assert to_params(filters) == params


def test_bad_params_fall_back() -> None:
    filters = from_params({"period": "nope", "lang": "fr", "from": "x"}, AS_OF)
    assert filters.preset == "this_month" and filters.lang == "en"


def test_where_keeps_only_allowed_dimensions() -> None:
    f = Filters("today", AS_OF, AS_OF, plant="SZ", family="Sensor Module")
    assert f.where(("plant", "line")) == {"plant": ["SZ"]}
    assert f.dropped(("customer", "product_family")) == ["plant"]


def test_western_electric_rules() -> None:
    base = [0.0, 1.0, -1.0] * 10
    limits = spc.Limits(0.0, 1.0)
    assert not any(spc.western_electric(base, limits))
    assert 1 in spc.western_electric([0, 0, 3.5], limits)[2]
    assert 2 in spc.western_electric([0, 2.5, 0.1, 2.2], limits)[3]
    assert 3 in spc.western_electric([1.5, 1.2, 0.2, 1.1, 1.3], limits)[4]
    assert 4 in spc.western_electric([0.5] * 8, limits)[7]
    assert 4 not in spc.western_electric([0.5] * 7 + [-0.5], limits)[7]


def test_cpk_two_and_one_sided() -> None:
    values = [9.0, 10.0, 11.0]  # mean 10, sd 1
    assert spc.cpk(values, 7.0, 16.0) == pytest.approx(1.0)
    assert spc.cpk(values, None, 16.0) == pytest.approx(2.0)
    assert spc.cpk(values, None, None) is None and spc.cpk([1.0], 0, 2) is None


def test_status_respects_direction() -> None:
    registry = load_registry()
    oee, doi = registry.metric("oee"), registry.metric("days_of_inventory")
    assert [status(oee, v) for v in (0.9, 0.83, 0.5, None)] == ["green", "amber", "red", "none"]
    assert [status(doi, v) for v in (20, 31, 60)] == ["green", "amber", "red"]


def test_numbers_per_language() -> None:
    registry = load_registry()
    assert format_metric(registry.metric("oee"), 0.8512, "zh") == "85.1%"
    assert format_number(123456, "zh") == "12.35万" and format_number(123456, "en") == "123,456"


def test_every_label_in_both_languages() -> None:
    for key, (en, zh) in LABELS.items():
        assert en.strip() and zh.strip(), key
        assert en.count("{") == zh.count("{"), key
