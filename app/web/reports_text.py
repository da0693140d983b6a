"""The Reports & alerts page's words in the reader's language: alert rule conditions, the
alert engine's messages (kept in the state store in English, as app/reports/alerts words
them), alert entities as plant and line names, run periods as dates, and the listings'
labels of what a delivery is about.

Every text of a fixed form is rebuilt from the catalogue; text of another form (a message a
newer engine wrote, an error) is shown as it is.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field
from datetime import date

from app.reports.alerts.rules import Condition
from app.reports.alerts.wording import SPC_RULE_TEXT
from metrics.formatting import format_date, format_value
from metrics.i18n import LANGS, catalogue, join, t
from metrics.registry import Metric, Registry

ALERT_EVENTS = ("fired", "refreshed", "cleared", "escalated", "acknowledged")
DETAIL = "alert_detail"  # "{metric} {value}, {relation}" (app/reports/alerts/wording.py)
RELATIONS = "alert_rel_"  # the catalogue keys of its relations
ACKED_BY = re.compile(r"acknowledged by (?P<who>.+)")
# what the alert engine wrote before its words came from the catalogue (older state stores)
LEGACY = (
    (re.compile(r"(?P<value>[^:]+?) vs target (?P<target>.+)"), "target"),
    (re.compile(r"(?P<value>[^:]+?) below limit (?P<limit>.+)"), "alert_rel_below_limit"),
    (re.compile(r"(?P<value>[^:]+?) above limit (?P<limit>.+)"), "alert_rel_above_limit"),
    (
        re.compile(
            r"(?P<value>[^:]+?) vs (?P<previous>[^:]+?) before \((?P<change>[+-]?[\d.,]+%)\)"
        ),
        "alert_rel_change",
    ),
)
LEGACY_SPC = {
    "no control limits (fewer than two points or no spread)": "alert_rel_spc_no_limits",
    "in control": "alert_rel_spc_ok",
}
LEGACY_RULES = "WE rules broken: "
PERIOD_KEY = re.compile(r"(?P<start>\d{4}-\d{2}-\d{2})(?:\.\.(?P<end>\d{4}-\d{2}-\d{2}))?")


@dataclass(frozen=True)
class Names:
    """The reader's names of the keys an alert entity or a delivery label holds:
    {dimension: {key: name}} (plant, line, equipment), in the page's language."""

    by_dimension: dict[str, dict[str, str]] = field(default_factory=dict)

    def of(self, dimension: str, key: str) -> str:
        return self.by_dimension.get(dimension, {}).get(key, key)


def condition_text(condition: Condition, metric: Metric, lang: str) -> str:
    """An alert rule's condition in words: "worse than its target", "below 60.0%"."""
    if condition.type == "spc":
        rules = join(condition.spc_rules, lang)
        return t("cond_spc", lang, rules=rules, days=condition.lookback)
    if condition.type == "target":
        return t("cond_target", lang, target=format_value(metric, metric.target, lang=lang))
    if condition.value is None:
        return condition.type
    if condition.type == "change_pct":
        return t("cond_change_pct", lang, value=f"{condition.value:g}")
    return t(f"cond_{condition.type}", lang, value=format_value(metric, condition.value, lang=lang))


def entity_text(entity: str, names: Names, lang: str) -> str:
    """An alert's entity ("plant=DG/line=DG-ASSY1") as names ("Dongguan Plant / SMT Line 1")."""
    if entity in ("", "all"):
        return t("all", lang)
    parts = []
    for piece in entity.split("/"):
        dimension, sep, key = piece.partition("=")
        parts.append(names.of(dimension, key) if sep else piece)
    return " / ".join(parts)


def _spc_rule_keys() -> dict[str, str]:
    """{English text of a Western Electric rule: its catalogue key}."""
    return {t(key, "en"): key for key in SPC_RULE_TEXT.values()}


@functools.cache
def _template(key: str, metric_labels: tuple[str, ...] = ()) -> re.Pattern[str]:
    """A pattern matching the English text of catalogue entry `key`, one named group per
    placeholder; {metric} matches only one of `metric_labels` (a label may hold spaces)."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(t(key, "en")):
        parts.append(re.escape(literal))
        if name == "metric" and metric_labels:
            parts.append(f"(?P<metric>{'|'.join(map(re.escape, metric_labels))})")
        elif name:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts))


def _relation_keys() -> list[str]:
    """The relations' keys, longest English text first (the most specific matches first)."""
    keys = [key for key in catalogue() if key.startswith(RELATIONS)]
    return sorted(keys, key=lambda key: len(t(key, "en")), reverse=True)


def _rules_text(english: str, lang: str) -> str | None:
    """Western Electric rules listed in English, in `lang` (None: not only such rules)."""
    known = _spc_rule_keys()
    rules = [part.strip() for part in re.split(r"[,;] ", english)]
    if not all(rule in known for rule in rules):
        return None
    return join((t(known[rule], lang) for rule in rules), lang)


def relation_text(english: str, lang: str) -> str | None:
    """How a value stands against a condition (an alert_rel_* text in English) in `lang`;
    None when it is none of them."""
    for key in _relation_keys():
        match = _template(key).fullmatch(english)
        if match is None:
            continue
        values = match.groupdict()
        if "rules" in values:
            rules = _rules_text(values["rules"], lang)
            if rules is None:
                continue
            values["rules"] = rules
        return t(key, lang, **values)
    return None


def _legacy_detail(english: str, metric: Metric) -> tuple[str, str | None, str] | None:
    """(value, relation key, English relation) of what the engine wrote before, if it is."""
    for pattern, key in LEGACY:
        match = pattern.fullmatch(english)
        if match is None:
            continue
        values = {name: text for name, text in match.groupdict().items() if name != "value"}
        if key == "target":
            higher = metric.direction == "higher_is_better"
            key = "alert_rel_below_target" if higher else "alert_rel_above_target"
        return match["value"], key, t(key, "en", **values)
    if english in LEGACY_SPC:
        return "", LEGACY_SPC[english], t(LEGACY_SPC[english], "en")
    if english.startswith(LEGACY_RULES):
        relation = t("alert_rel_spc_broken", "en", rules=english.removeprefix(LEGACY_RULES))
        return "", "alert_rel_spc_broken", relation.replace("; ", ", ")
    return None


def detail_text(detail: str, metric: Metric, lang: str) -> str | None:
    """What an alert found, as the engine wrote it in English ("OEE 79.8%, below the target
    85.0%"; older stores: "79.8% vs target 85.0%"), in `lang`; None when it is not such a
    text. `metric` is the alert rule's."""
    text = detail.strip()
    if match := ACKED_BY.fullmatch(text):
        who = match["who"]
        return t("alert_acked_by", lang, who=t("alert_someone", lang) if who == "unknown" else who)
    subjects = {metric.label("en"): metric.label(lang)}
    subjects[t("alert_last_measurement", "en")] = t("alert_last_measurement", lang)
    match = _template(DETAIL, tuple(sorted(subjects, key=len, reverse=True))).fullmatch(text)
    if match is not None:
        relation = relation_text(match["relation"], lang)
        if relation is not None:
            return t(
                DETAIL,
                lang,
                metric=subjects[match["metric"]],
                value=match["value"],
                relation=relation,
            )
    legacy = _legacy_detail(text, metric)
    if legacy is None:
        return None
    value, _, english = legacy
    relation = relation_text(english, lang)
    if relation is None:
        return None
    if not value:
        return relation
    return t(DETAIL, lang, metric=metric.label(lang), value=value, relation=relation)


def message_text(
    message: str | None, entity: str, metric: Metric | None, names: Names, lang: str
) -> str:
    """An alert's message as the engine stored it ("<place>: <finding>" or "<finding>"),
    the place named from the entity and the finding in `lang`; as it is when it is neither
    (or the rule is gone: `metric` None)."""
    if not message or metric is None:
        return message or ""
    translated = detail_text(message, metric, lang)
    if translated is not None:
        return translated
    _, sep, finding = message.partition(": ")
    if sep:
        translated = detail_text(finding, metric, lang)
        if translated is not None:
            place = entity_text(entity, names, lang)
            return f"{place}{t('label_separator', lang)}{translated}"
    return message


def event_text(event: str, lang: str) -> str:
    """An alert history event ("fired", "cleared" …) in `lang`."""
    return t(f"alert_event_{event}", lang) if event in ALERT_EVENTS else event


def period_text(key: str | None, lang: str) -> str:
    """A run's period key ("2026-10-05", "2026-10-01..2026-10-31") as dates in `lang`."""
    if not key:
        return ""
    match = PERIOD_KEY.fullmatch(key)
    if match is None:
        return key
    start = date.fromisoformat(match["start"])
    if match["end"] is None:
        return format_date(start, lang)
    end = date.fromisoformat(match["end"])
    return t("period_range", lang, start=format_date(start, lang), end=format_date(end, lang))


def _piece_text(piece: str, names: Names, lang: str) -> str:
    if piece in ALERT_EVENTS:
        return event_text(piece, lang)
    if PERIOD_KEY.fullmatch(piece):
        return period_text(piece, lang)
    if "=" in piece:
        return entity_text(piece, names, lang)
    if piece == "all":
        return t("scope_all_plants", lang)
    if any(piece == t("given_up", other) for other in LANGS):
        return t("given_up", lang)
    return names.of("plant", piece)


def delivery_label(label: str, names: Names, lang: str) -> str:
    """What a delivery is about, as the outbox labels it ("daily_plant_kpis · SZ ·
    2026-10-05", "oee_low · plant=SZ · fired"), its parts in `lang`; the first part (a
    report or rule name) is kept."""
    pieces = label.split(" · ")
    if len(pieces) < 2:
        return label
    first = pieces[0]
    if any(first == t("given_up", other) for other in LANGS):
        rest = delivery_label(" · ".join(pieces[1:]), names, lang)
        return f"{t('given_up', lang)} · {rest}"
    return " · ".join([first, *(_piece_text(piece, names, lang) for piece in pieces[1:])])


def grain_text(registry: Registry, grain: str, lang: str) -> str:
    """A time grain ("day") as the registry names it in `lang` (English when it has no
    name in that language)."""
    labels = registry.grains.get(grain, {})
    return str(labels.get(f"label_{lang}") or labels.get("label_en") or grain)
