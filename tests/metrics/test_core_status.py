"""metrics.status: green on the right side of the target, amber within 5 % of |target| on
the wrong side, red beyond; at target 0 there is no band."""

from __future__ import annotations

from metrics.registry import load_registry
from metrics.status import status_key, target_status


def test_higher_is_better() -> None:
    oee = load_registry().metric("oee")  # target 0.85: amber down to 0.85 − 0.0425 = 0.8075
    assert oee.target == 0.85 and oee.direction == "higher_is_better"
    values = (0.9, 0.85, 0.83, 0.8075, 0.80, 0.5, None, float("nan"))
    assert [target_status(oee, v) for v in values] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
        "red",
        "none",
        "none",
    ]


def test_lower_is_better() -> None:
    registry = load_registry()
    scrap = registry.metric("scrap_rate")  # target 0.01: amber up to 0.0105
    assert [target_status(scrap, v) for v in (0.005, 0.01, 0.0104, 0.011, 0.02)] == [
        "green",
        "green",
        "amber",
        "red",
        "red",
    ]
    doi = registry.metric("days_of_inventory")  # target 30: amber up to 31.5
    assert [target_status(doi, v) for v in (20, 31, 32, 60)] == ["green", "amber", "red", "red"]


def test_target_zero_has_no_amber_band() -> None:
    scrap = load_registry().metric("scrap_rate").model_copy(update={"target": 0.0})
    assert [target_status(scrap, v) for v in (0.0, -0.001, 0.0001)] == ["green", "green", "red"]
    yield_ = load_registry().metric("first_pass_yield").model_copy(update={"target": 0.0})
    assert [target_status(yield_, v) for v in (0.0, -0.0001)] == ["green", "red"]


def test_no_target_and_status_words() -> None:
    registry = load_registry()
    produced = registry.metric("produced_qty")
    assert produced.target is None
    assert target_status(produced, 1234) == "none"
    assert status_key(produced, "none") == "status_none"  # "No target"
    oee = registry.metric("oee")
    assert status_key(oee, target_status(oee, None)) == "status_missing"  # "No data"
    assert status_key(oee, "amber") == "status_amber"
