"""Alert rules (reports/alerts.yaml) as a typed model: what to watch, on which grain, whom to
tell and how long to wait for an acknowledgement.

The file is validated by `AlertRulesFile` (unknown keys refused, every problem named with
its file, key and line) and its JSON Schema, exported from the same model, sits beside it as
reports/alerts.schema.json (`SCHEMA`). After editing the model, refresh it with

    python -m app.schemas
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from app.reports.definitions import DEFAULT_DIR, reports_dir
from metrics.registry import load_registry
from metrics.spc import LOOKBACK_DAYS as DEFAULT_LOOKBACK_DAYS
from metrics.spc import RULES as DEFAULT_SPC_RULES
from warehouse.config import SchemaFile, StrictModel, load_model, validate

RULES_FILE = "alerts.yaml"
SCHEMA_FILE = "alerts.schema.json"
SCHEMA_TITLE = "Andon alert rules"
SPC_FACT = "fct_inspections"
SPC_SERIES = ("product", "characteristic")  # an SPC series is always one of these pairs

Grain = Literal["day", "week", "month"]
ConditionType = Literal["target", "below", "above", "change_pct", "spc"]
SpcRule = Literal[1, 2, 3, 4]

# The period a rule judges ends at the as-of date (the newest data day, still filling), as a
# report's does: the day before it, or the week / month to date before it.
GRAIN_PERIOD: dict[str, str] = {
    "day": "yesterday",
    "week": "week_to_date",
    "month": "month_to_date",
}
WITH_VALUE = ("below", "above", "change_pct")


class Condition(StrictModel):
    """When a rule's entity is in breach."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"type": {"enum": list(WITH_VALUE)}}},
                    "then": {"required": ["value"]},
                },
                {
                    "if": {"properties": {"type": {"not": {"const": "spc"}}}},
                    "then": {
                        "not": {"anyOf": [{"required": ["rules"]}, {"required": ["lookback_days"]}]}
                    },
                },
            ]
        }
    )

    type: ConditionType = Field(
        description="target: worse than the metric's registry target; below / above: a fixed "
        "limit; change_pct: worse than the previous period by more than `value` percent; "
        "spc: Western Electric rules on the inspections' measured values."
    )
    value: float | None = Field(
        default=None,
        description="The limit (below, above), or the percent change (change_pct, above 0).",
    )
    rules: tuple[SpcRule, ...] | None = Field(
        default=None,
        description="spc: the Western Electric rules to check (default 1, 2, 3, 4).",
    )
    lookback_days: int | None = Field(
        default=None,
        ge=1,
        description="spc: days of measurements before the period that set the control "
        f"limits (default {DEFAULT_LOOKBACK_DAYS}).",
    )

    @model_validator(mode="after")
    def _fits_type(self) -> Condition:
        if self.type in WITH_VALUE and self.value is None:
            raise ValueError(f"condition {self.type} needs a value")
        if self.type not in WITH_VALUE and self.value is not None:
            raise ValueError(f"condition {self.type} takes no value")
        if self.type == "change_pct" and self.value is not None and self.value <= 0:
            raise ValueError("condition change_pct needs a value above 0 (percent)")
        if self.type != "spc" and (self.rules is not None or self.lookback_days is not None):
            raise ValueError("rules and lookback_days belong to condition spc only")
        if self.rules == ():
            raise ValueError("rules: name at least one Western Electric rule (1 to 4)")
        return self

    @property
    def spc_rules(self) -> tuple[int, ...]:
        return tuple(self.rules or DEFAULT_SPC_RULES)

    @property
    def lookback(self) -> int:
        return self.lookback_days or DEFAULT_LOOKBACK_DAYS

    def describe(self) -> str:
        """The condition in a few words, as the Reports page lists it."""
        if self.type == "spc":
            rules = ", ".join(map(str, self.spc_rules))
            return f"spc rules {rules} ({self.lookback} days)"
        if self.value is None:
            return self.type
        return f"{self.type} {self.value:g}"


def _as_filters(value: Any) -> Any:
    """{dimension: key or [keys]} with every key as text (YAML may read 100 as a number)."""
    if not isinstance(value, dict):
        return value
    return {
        dim: [str(key) for key in (keys if isinstance(keys, list | tuple) else [keys])]
        for dim, keys in value.items()
    }


_KEY_SCHEMA = {"type": ["string", "number"]}
Filters = Annotated[
    dict[str, tuple[str, ...]],
    BeforeValidator(_as_filters),
    WithJsonSchema(
        {
            "type": "object",
            "additionalProperties": {
                "anyOf": [_KEY_SCHEMA, {"type": "array", "items": _KEY_SCHEMA, "minItems": 1}]
            },
        }
    ),
]


class RuleDefaults(StrictModel):
    """Values every rule takes unless it sets its own."""

    grain: Grain | None = None
    ack_timeout_minutes: float | None = Field(default=None, gt=0)
    owner: str | None = None
    scope: tuple[str, ...] | None = None
    filters: Filters | None = None


class AlertRule(StrictModel):
    """One rule: a metric judged per entity of its scope, on the period of its grain."""

    name: str = Field(min_length=1, description="Unique; names the rule in messages and state.")
    metric: str = Field(description="A metric of metrics/registry.yaml.")
    condition: Condition
    scope: tuple[str, ...] = Field(
        default=(),
        description="Dimensions that make an entity (one alert per rule and entity), e.g. "
        "[plant, line]; empty: the whole company.",
    )
    filters: Filters = Field(
        default_factory=dict,
        description="{dimension: key or [keys]}: judge only rows with these keys.",
    )
    grain: Grain = Field(
        default="day",
        description="day: the day before the as-of date (the newest data day); week / month: the "
        "week or month to that day.",
    )
    ack_timeout_minutes: float = Field(
        default=120,
        gt=0,
        description="Minutes without an acknowledgement before the next contact is told.",
    )
    owner: str | None = Field(
        default=None,
        description="The role (contacts.yaml) to tell; default: the metric's registry owner.",
    )

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, name: str) -> str:
        if name not in load_registry().metrics:
            raise ValueError(f"unknown metric {name!r} (see metrics/registry.yaml)")
        return name

    @field_validator("condition")
    @classmethod
    def _metric_has_target(cls, condition: Condition, info: ValidationInfo) -> Condition:
        metric = load_registry().metrics.get(info.data.get("metric", ""))
        if condition.type == "target" and metric is not None and metric.target is None:
            raise ValueError(f"condition target: metric {metric.name!r} has no target")
        return condition

    @field_validator("scope", "filters")
    @classmethod
    def _dimensions_fit(cls, dims: Any, info: ValidationInfo) -> Any:
        """Scope and filter dimensions the rule can be judged by: the metric's dimensions,
        or for spc those of the inspections (product × characteristic always make a series)."""
        registry = load_registry()
        metric = registry.metrics.get(info.data.get("metric", ""))
        condition = info.data.get("condition")
        if metric is None or condition is None:
            return dims  # reported on `metric` / `condition`
        if condition.type == "spc":
            allowed = set(registry.facts[SPC_FACT].dimensions)
            if info.field_name == "scope":
                allowed -= set(SPC_SERIES)
            what = f"the dimensions of {SPC_FACT}"
        else:
            allowed = set(metric.dimensions)
            what = f"the dimensions of metric {metric.name!r}"
        for dim in dims:
            if dim not in allowed:
                raise ValueError(f"{dim!r} is not one of {what}: {', '.join(sorted(allowed))}")
        return dims

    @property
    def where(self) -> dict[str, tuple[str, ...]]:
        return dict(self.filters)

    @property
    def period_name(self) -> str:
        return GRAIN_PERIOD[self.grain]

    def role(self) -> str:
        """Whom to tell: `owner`, else the metric's owner in the registry."""
        return self.owner or load_registry().metric(self.metric).owner


class AlertRulesFile(StrictModel):
    """reports/alerts.yaml: defaults, then the rules (each may override a default)."""

    model_config = ConfigDict(title=SCHEMA_TITLE)

    defaults: RuleDefaults = Field(default_factory=RuleDefaults)
    rules: tuple[AlertRule, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        """Fill each rule's missing keys from `defaults` (a bad default is reported once,
        at `defaults`, and not again in every rule)."""
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            return data
        try:
            defaults = RuleDefaults.model_validate(data.get("defaults") or {})
        except ValidationError:
            return data
        given = defaults.model_dump(exclude_none=True)
        rules = [{**given, **rule} if isinstance(rule, dict) else rule for rule in data["rules"]]
        return {**data, "rules": rules}

    @model_validator(mode="after")
    def _unique_names(self) -> AlertRulesFile:
        names = [rule.name for rule in self.rules]
        doubled = sorted({name for name in names if names.count(name) > 1})
        if doubled:
            raise ValueError(f"rule names must be unique: {', '.join(doubled)} repeat")
        return self


def parse_rules(data: Any, source: str | Path = "<alerts>") -> list[AlertRule]:
    """Rules from already-read YAML data; ConfigError naming each bad key."""
    return list(validate(AlertRulesFile, {} if data is None else data, source).rules)


def load_rules(folder: Path | None = None) -> list[AlertRule]:
    """The rules of `folder`/alerts.yaml (default: the reports folder); none without a file."""
    path = (folder or reports_dir()) / RULES_FILE
    if not path.exists():
        return []
    return list(load_model(path, AlertRulesFile).rules)


SCHEMA = SchemaFile(AlertRulesFile, SCHEMA_TITLE, DEFAULT_DIR / SCHEMA_FILE)
