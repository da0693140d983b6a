"""What an alert condition found, as numbers (`Verdict`), and how each language says it: "below
the limit 60.0%", "低于目标 85.0%", "vi phạm quy tắc Western Electric: …".

Findings carry a Verdict so that every notice can be written in its reader's language; the
text kept in the alert history (`detail`) is the English one. An escalation, which has only
the alert's stored value, rebuilds what it can from the rule (`verdict_of`).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.reports.alerts.rules import AlertRule
from metrics.formatting import format_number, format_value
from metrics.i18n import join, t
from metrics.registry import Metric
from metrics.status import target_status

SPC_RULE_TEXT = {1: "spc_rule_1", 2: "spc_rule_2", 3: "spc_rule_3", 4: "spc_rule_4"}
SPC_DECIMALS = 3  # measurements are shown to three decimals, as on the Quality page


@dataclass(frozen=True)
class Verdict:
    """What a rule's condition found for one entity."""

    condition: str  # target | below | above | change_pct | spc
    value: float | None
    bound: float | None = None  # the target (target) or the limit (below, above)
    previous: float | None = None  # change_pct: the period before
    threshold: float | None = None  # change_pct: the percent allowed
    rules: tuple[int, ...] = ()  # spc: the Western Electric rules broken
    limits: bool = True  # spc: whether control limits could be set

    @property
    def change_pct(self) -> float | None:
        if self.value is None or not self.previous:
            return None
        return (self.value - self.previous) / abs(self.previous) * 100


def verdict_of(rule: AlertRule, metric: Metric, value: float | None) -> Verdict:
    """The verdict an alert's stored value and its rule give (for an escalation): the limit
    or target, but neither the previous value nor the rules broken."""
    condition = rule.condition
    if condition.type == "target":
        return Verdict("target", value, bound=metric.target)
    if condition.type in ("below", "above"):
        return Verdict(condition.type, value, bound=condition.value)
    if condition.type == "change_pct":
        return Verdict("change_pct", value, threshold=condition.value)
    return Verdict("spc", value)


def shown(verdict: Verdict, metric: Metric, value: float | None, lang: str) -> str:
    """A value of the verdict's series as the reader reads it (measurements: 3 decimals)."""
    if verdict.condition == "spc":
        return format_number(value, lang, SPC_DECIMALS)
    return format_value(metric, value, lang=lang)


def subject(verdict: Verdict, metric: Metric, lang: str) -> str:
    """What the value is: the metric's name, or for SPC the last measurement."""
    return t("alert_last_measurement", lang) if verdict.condition == "spc" else metric.label(lang)


def relation(verdict: Verdict, metric: Metric, breached: bool, lang: str) -> str:
    """How the value stands against the condition, e.g. "below the limit 60.0%"."""
    bound = shown(verdict, metric, verdict.bound, lang)
    if verdict.condition == "target":
        if not breached:
            return t("alert_rel_target_met", lang, target=bound)
        higher = metric.direction == "higher_is_better"
        key = "alert_rel_below_target" if higher else "alert_rel_above_target"
        return t(key, lang, target=bound)
    if verdict.condition == "below":
        key = "alert_rel_below_limit" if breached else "alert_rel_not_below_limit"
        return t(key, lang, limit=bound)
    if verdict.condition == "above":
        key = "alert_rel_above_limit" if breached else "alert_rel_not_above_limit"
        return t(key, lang, limit=bound)
    if verdict.condition == "change_pct":
        threshold = f"{verdict.threshold:g}" if verdict.threshold is not None else ""
        change = verdict.change_pct
        if change is None:
            return t("alert_rel_change_unknown", lang, threshold=threshold)
        values = {
            "change": f"{change:+.1f}%",
            "previous": shown(verdict, metric, verdict.previous, lang),
            "threshold": threshold,
        }
        return t("alert_rel_change_worse" if breached else "alert_rel_change", lang, **values)
    if not verdict.limits:
        return t("alert_rel_spc_no_limits", lang)
    if not breached:
        return t("alert_rel_spc_ok", lang)
    if not verdict.rules:
        return t("alert_rel_spc_out", lang)
    rules = join((t(SPC_RULE_TEXT[n], lang) for n in sorted(verdict.rules)), lang)
    return t("alert_rel_spc_broken", lang, rules=rules)


def detail(verdict: Verdict, metric: Metric, breached: bool, lang: str = "en") -> str:
    """The finding in one sentence, e.g. "OEE 53.8%, below the limit 60.0%"."""
    return t(
        "alert_detail",
        lang,
        metric=subject(verdict, metric, lang),
        value=shown(verdict, metric, verdict.value, lang),
        relation=relation(verdict, metric, breached, lang),
    )


def status_of(verdict: Verdict, metric: Metric, breached: bool) -> str:
    """The colour its value is shown in: the target status for a target condition (green,
    amber or red, with the metric's own amber band), else red when breached, green when not."""
    if verdict.condition == "target":
        return target_status(metric, verdict.value)
    return "red" if breached else "green"
