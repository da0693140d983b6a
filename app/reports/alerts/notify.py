"""Telling a contact about an alert event, entirely in their language: what (the metric), where
(the plant and line by their names in the warehouse, "东莞工厂 · 总装1线"), the value against
the condition, when (in the plant's time zone), whose it is and the acknowledgement link —
as a Message that each channel writes in its own format (e-mail as plain text and HTML,
WeCom and DingTalk markdown, a Feishu card; app/reports/messages.py), queued in the durable
outbox (delivery.py sends and retries it)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from app.reports.alerts.rules import SPC_SERIES, AlertRule
from app.reports.alerts.transitions import AlertEvent, Escalated
from app.reports.alerts.wording import relation, shown, status_of, subject, verdict_of
from app.reports.definitions import Contact
from app.reports.delivery import About, Deliverer, owner_of
from app.reports.messages import Fact, Message, period_of_key
from app.reports.names import SEPARATOR, Names, entity_keys
from app.reports.state import Outgoing
from metrics.formatting import format_datetime
from metrics.i18n import t
from metrics.registry import Metric

HEADLINE = {"fired": "alert", "cleared": "cleared", "escalated": "escalated"}  # i18n keys
TONE = {"fired": "alert", "cleared": "cleared", "escalated": "escalated"}


def entity_dims(rule: AlertRule) -> tuple[str, ...]:
    """The dimensions an entity key of the rule names, in order."""
    return (*rule.scope, *SPC_SERIES) if rule.condition.type == "spc" else tuple(rule.scope)


def place(event: AlertEvent, rule: AlertRule, names: Names | None, lang: str) -> str:
    """Where the alert is, by name: "东莞工厂 · 总装1线" (keys where no name is known)."""
    keys = event.keys or tuple(entity_keys(event.entity, entity_dims(rule)))
    if not keys:
        return t("alert_everywhere", lang) if event.entity == "all" else event.entity
    if names is None:
        return SEPARATOR.join(key for _, key in keys)
    return names.place(keys, lang)


def render(
    event: AlertEvent,
    *,
    rule: AlertRule,
    metric: Metric,
    contact: Contact,
    app_url: str,
    lang: str | None = None,
    names: Names | None = None,
    timezone: str | None = None,
) -> Message:
    """The notice of a fired, cleared or escalated alert for `contact`, in `lang` (default:
    the contact's), with times in `timezone` (the plant's)."""
    lang = lang or contact.lang
    where = place(event, rule, names, lang)
    what = f"{metric.label(lang)}{SEPARATOR}{where}"
    title = t("alert_title", lang, headline=t(HEADLINE[event.kind], lang), what=what)
    verdict = event.verdict or verdict_of(rule, metric, event.value)
    breached = event.kind != "cleared"
    facts = (
        Fact(t("alert_where", lang), where),
        Fact(
            subject(verdict, metric, lang),
            shown(verdict, metric, event.value, lang),
            status=status_of(verdict, metric, breached),
            note=relation(verdict, metric, breached, lang),
        ),
        Fact(t("alert_when", lang), format_datetime(event.at, lang, timezone)),
    )
    paragraphs = ()
    if isinstance(event, Escalated):
        minutes = f"{event.minutes:g}"
        paragraphs = (t("alert_not_acked", lang, minutes=minutes, level=event.level + 1),)
    link = (
        f"{app_url}/reports?ack={quote(event.token)}"
        if event.token and event.kind != "cleared"
        else None
    )
    period = period_of_key(event.period, lang)
    return Message(
        title=title,
        lang=lang,
        subtitle=t("fact", lang, label=t("reporting_period", lang), value=period) if period else "",
        facts=facts,
        paragraphs=paragraphs,
        footer=(t("fact", lang, label=t("owner", lang), value=contact.name),),
        link=link,
        link_label=t("acknowledge", lang),
        tone=TONE[event.kind],
    )


def outgoing(
    deliverer: Deliverer,
    message: Message,
    contact: Contact,
    record: dict,
    timezone: str | None = None,
) -> list[Outgoing]:
    """The notice by e-mail and/or the contact's webhook; `record` is the event as its history
    row (its id keys the messages). Given up, the contact hears of it on the other channel,
    in the same language."""
    about = About(
        kind="alert",
        key=f"alert|{record['id']}",
        label=f"{record['rule']} · {record['entity']} · {record['event']}",
        deadline=deliverer.policy.deadline(datetime.fromisoformat(record["at"])),
        owner=owner_of(contact, message.lang, timezone),
        alert_event_id=record["id"],
    )
    data = {"event": f"alert_{record['event']}", **record}
    return deliverer.to_contact(about, about.owner or {}, message, data)
