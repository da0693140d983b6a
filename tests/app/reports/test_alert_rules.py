"""The alert-rule model: the demo file loads, defaults apply, every bad key is refused with
its file, key and line, and the JSON Schema beside reports/alerts.yaml is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.reports.alerts import load_rules, parse_rules
from app.reports.alerts.rules import SCHEMA, SCHEMA_FILE
from app.reports.definitions import DEFAULT_DIR
from warehouse.config import ConfigError


def test_demo_rules_load_with_defaults() -> None:
    rules = {rule.name: rule for rule in load_rules(DEFAULT_DIR)}
    assert list(rules) == [
        "oee_below_target",
        "scrap_rate_limit",
        "fpy_drop",
        "breakdown_hours",
        "spc_measurements",
        "superseded_revision",
    ]
    assert rules["breakdown_hours"].ack_timeout_minutes == 60  # its own value
    assert rules["fpy_drop"].ack_timeout_minutes == 120  # from defaults
    assert rules["scrap_rate_limit"].condition.describe() == "above 0.03"
    assert rules["spc_measurements"].condition.describe() == "spc rules 1, 2, 3, 4 (30 days)"
    assert rules["spc_measurements"].role() == "Quality"  # owner: overrides the registry
    assert rules["oee_below_target"].role() == "Production Excellence"  # the metric's owner


def test_filters_take_one_key_or_a_list() -> None:
    (rule,) = parse_rules(
        {
            "rules": [
                {
                    "name": "x",
                    "metric": "oee",
                    "condition": {"type": "below", "value": 0.5},
                    "filters": {"plant": "SZ", "line": ["SZ-L1", "SZ-L2"]},
                }
            ]
        }
    )
    assert rule.where == {"plant": ("SZ",), "line": ("SZ-L1", "SZ-L2")}


BAD = """\
defaults:
  grain: hourly
rules:
  - name: a
    metric: oee
    scope: [plant, customer]
    condition: {type: target}
  - name: b
    metric: oeex
    condition: {type: odd}
  - name: c
    metric: scrap_rate
    condition:
      type: below
    colour: red
  - name: d
    metric: oee_loss_breakdowns
    condition: {type: target}
  - name: e
    metric: cpk
    condition: {type: spc, rules: [5], lookback_days: 0}
  - name: f
    metric: oee
    condition: {type: above, value: 0.9, lookback_days: 3}
"""


def test_bad_rules_name_file_key_and_line(tmp_path: Path) -> None:
    (tmp_path / "alerts.yaml").write_text(BAD, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path)
    problems = {(key, line): message for key, line, message in caught.value.problems}
    assert set(problems) == {
        ("defaults.grain", 2),
        ("rules.0.scope", 6),
        ("rules.1.metric", 9),
        ("rules.1.condition.type", 10),
        ("rules.2.condition", 13),
        ("rules.2.colour", 15),
        ("rules.3.condition", 18),
        ("rules.4.condition.rules.0", 21),
        ("rules.4.condition.lookback_days", 21),
        ("rules.5.condition", 24),
    }
    assert (
        "'customer' is not one of the dimensions of metric 'oee'" in problems[("rules.0.scope", 6)]
    )
    assert "unknown metric 'oeex'" in problems[("rules.1.metric", 9)]
    assert problems[("rules.2.condition", 13)] == "condition below needs a value"
    assert problems[("rules.2.colour", 15)].startswith("unknown key")
    assert "'oee_loss_breakdowns' has no target" in problems[("rules.3.condition", 18)]
    assert "spc only" in problems[("rules.5.condition", 24)]
    assert str(caught.value).startswith(f"{tmp_path / 'alerts.yaml'}:2: defaults.grain: ")


def test_spc_scope_is_an_inspection_dimension() -> None:
    with pytest.raises(ConfigError, match=r"rules\.0\.scope: 'product' is not one of"):
        parse_rules(
            {
                "rules": [
                    {
                        "name": "s",
                        "metric": "cpk",
                        "scope": ["product"],
                        "condition": {"type": "spc"},
                    }
                ]
            }
        )
    (rule,) = parse_rules(
        {"rules": [{"name": "s", "metric": "cpk", "scope": ["line"], "condition": {"type": "spc"}}]}
    )
    assert rule.scope == ("line",)


def test_rule_names_are_unique() -> None:
    rule = {"name": "same", "metric": "oee", "condition": {"type": "target"}}
    with pytest.raises(ConfigError, match="rule names must be unique: same repeat"):
        parse_rules({"rules": [rule, rule]})


def test_no_file_means_no_rules(tmp_path: Path) -> None:
    assert load_rules(tmp_path) == []


def test_committed_schema_is_current() -> None:
    assert SCHEMA.path == DEFAULT_DIR / SCHEMA_FILE
    assert SCHEMA.is_current(), f"{SCHEMA.path} is stale: run `python -m app.schemas`"
    first = (DEFAULT_DIR / "alerts.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={SCHEMA_FILE}"


def test_schema_checks_the_yaml_as_an_editor_would() -> None:
    """The exported schema accepts the demo file and flags what the model refuses."""
    import json

    import jsonschema
    import yaml

    schema = json.loads(SCHEMA.path.read_text(encoding="utf-8"))
    demo = yaml.safe_load((DEFAULT_DIR / "alerts.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(demo, schema)
    checker = jsonschema.Draft202012Validator(schema)
    bad = {
        "rules": [
            {"name": "a", "metric": "oee", "condition": {"type": "below"}},  # no value
            {"name": "b", "metric": "oee", "condition": {"type": "target"}, "colour": "red"},
            {
                "name": "c",
                "metric": "oee",
                "condition": {"type": "above", "value": 1, "rules": [1]},
            },
        ]
    }
    flagged = sorted(tuple(error.absolute_path)[:2] for error in checker.iter_errors(bad))
    assert flagged == [("rules", 0), ("rules", 1), ("rules", 2)]
