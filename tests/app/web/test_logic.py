"""The app's logic without the UI: period presets and the URL round trip (the shared rules —
SPC, status, formatting, labels — are tested in tests/metrics/test_core_*.py)."""

from __future__ import annotations

from datetime import date

import pytest

from app.web.filters import Filters, from_params, period_bounds, to_params

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


def test_month_presets_at_a_month_end() -> None:
    # 31 March: last month is all of February, the last 12 months start on 1 April 2025.
    assert period_bounds("last_month", date(2026, 3, 31)) == (date(2026, 2, 1), date(2026, 3, 1))
    assert period_bounds("last_12_months", date(2026, 3, 31)) == (
        date(2025, 4, 1),
        date(2026, 4, 1),
    )
