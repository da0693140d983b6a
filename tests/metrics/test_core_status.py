"""metrics.status: green on the right side of the target, amber within the metric's amber band
on the wrong side (the registry's amber_band, else 2 % of |target|), red beyond; no amber at
target 0 or with a band of 0."""

from __future__ import annotations

import pytest

from metrics.registry import load_registry
from metrics.status import DEFAULT_AMBER_SHARE, amber_band, status_key, target_status


def test_oee_two_points_under_target_is_amber_four_is_red() -> None:
    """A plant manager's reading: OEE 81 % against 85 % is off target, 84 % is near it."""
    oee = load_registry().metric("oee")  # target 0.85, amber_band 0.02: amber down to 0.83
    assert (oee.target, oee.amber_band, oee.direction) == (0.85, 0.02, "higher_is_better")
    values = (0.90, 0.85, 0.84, 0.83, 0.8299, 0.81, 0.5, None, float("nan"), "0.84")
    assert [target_status(oee, v) for v in values] == [
        "green",
        "green",
        "amber",
        "amber",  # the edge of the band (0.85 − 0.83 is 0.0200…02 in floating point)
        "red",
        "red",
        "red",
        "none",
        "none",
        "none",
    ]


def test_headline_percent_kpis_have_a_two_point_band() -> None:
    registry = load_registry()
    for name in (
        "availability",
        "performance",
        "quality",
        "oee",
        "first_pass_yield",
        "on_time_delivery",
        "otif",
    ):
        assert registry.metric(name).amber_band == 0.02, name
    fpy = registry.metric("first_pass_yield")  # target 0.98: amber down to 0.96
    assert [target_status(fpy, v) for v in (0.98, 0.965, 0.96, 0.955)] == [
        "green",
        "amber",
        "amber",
        "red",
    ]


def test_lower_is_better() -> None:
    registry = load_registry()
    scrap = registry.metric("scrap_rate")  # target 0.01, band 0.0025 (0.25 pp): amber to 1.25 %
    assert scrap.amber_band == 0.0025
    assert [target_status(scrap, v) for v in (0.005, 0.01, 0.012, 0.0125, 0.013, 0.02)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
        "red",
    ]
    doi = registry.metric("days_of_inventory")  # target 30 days, band 3 days: amber to 33
    assert (doi.target, doi.amber_band) == (30, 3)
    assert [target_status(doi, v) for v in (20, 30, 31, 33, 33.5, 60)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
        "red",
    ]


def test_without_a_band_it_is_two_percent_of_the_target() -> None:
    registry = load_registry()
    assert DEFAULT_AMBER_SHARE == 0.02
    mtbf = registry.metric("mtbf_hours")  # target 8 h, higher is better: 0.16 h, amber to 7.84
    assert mtbf.amber_band is None and amber_band(mtbf) == pytest.approx(0.16)
    assert [target_status(mtbf, v) for v in (8, 7.9, 7.84, 7.8)] == [
        "green",
        "amber",
        "amber",
        "red",
    ]
    ppm = registry.metric("defect_ppm")  # target 500, lower is better: 10 ppm, amber to 510
    assert amber_band(ppm) == 10
    assert [target_status(ppm, v) for v in (499, 510, 511)] == ["green", "amber", "red"]
    assert amber_band(registry.metric("produced_qty")) == 0  # no target, no band


def test_target_zero_has_no_amber_band() -> None:
    registry = load_registry()
    unknown = registry.metric("oee_loss_unknown")  # target 0 hours, lower is better
    assert unknown.target == 0 and amber_band(unknown) == 0
    assert [target_status(unknown, v) for v in (0, 0.01, 5)] == ["green", "red", "red"]
    scrap = registry.metric("scrap_rate").model_copy(update={"target": 0.0, "amber_band": None})
    assert [target_status(scrap, v) for v in (0.0, -0.001, 0.0001)] == ["green", "green", "red"]
    yield_ = registry.metric("first_pass_yield").model_copy(
        update={"target": 0.0, "amber_band": None}
    )
    assert [target_status(yield_, v) for v in (0.0, -0.0001)] == ["green", "red"]


def test_a_band_of_zero_has_no_amber() -> None:
    oee = load_registry().metric("oee").model_copy(update={"amber_band": 0.0})
    assert [target_status(oee, v) for v in (0.85, 0.8499)] == ["green", "red"]


def test_no_target_and_status_words() -> None:
    registry = load_registry()
    produced = registry.metric("produced_qty")
    assert produced.target is None
    assert target_status(produced, 1234) == "none"
    assert status_key(produced, "none") == "status_none"  # "No target"
    oee = registry.metric("oee")
    assert status_key(oee, target_status(oee, None)) == "status_missing"  # "No data"
    assert status_key(oee, "amber") == "status_amber"
