"""Telling a contact about an alert event: the title, the chat-robot markdown and the HTML
e-mail (every text escaped — metric and entity labels come from the data), in the contact's
language, as messages for the durable outbox (delivery.py sends and retries them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import quote

from app.reports.alerts.transitions import AlertEvent
from app.reports.definitions import Contact
from app.reports.delivery import About, Deliverer, owner_of
from app.reports.state import Outgoing
from metrics.i18n import t
from metrics.registry import Metric

HEADLINE = {"fired": "alert", "cleared": "cleared", "escalated": "escalated"}  # i18n keys
FONT = '"Noto Sans CJK SC","Microsoft YaHei",Arial,sans-serif'


@dataclass(frozen=True)
class Notice:
    title: str
    markdown: str  # chat robots, and the plain-text part of the e-mail
    html: str
    link: str | None  # the acknowledgement link (none once an alert cleared)


def render(
    event: AlertEvent, *, rule: str, metric: Metric, contact: Contact, app_url: str
) -> Notice:
    """The notice of a fired, cleared or escalated alert for `contact`."""
    lang = contact.lang
    title = f"[Andon] {t(HEADLINE[event.kind], lang)}: {metric.label(lang)} · {event.entity}"
    link = (
        f"{app_url}/reports?ack={quote(event.token)}"
        if event.token and event.kind != "cleared"
        else None
    )
    context = f"{rule} · {event.period or ''}"
    owner = f"{t('owner', lang)}: {contact.name}"
    lines = [f"### {title}", f"> {context}", "", event.message, owner]
    if link:
        lines.append(f"[{t('acknowledge', lang)}]({link})")
    action = f'<p><a href="{escape(link)}">{escape(t("acknowledge", lang))}</a></p>' if link else ""
    html = (
        f"<html><body style='font-family:{escape(FONT)}'>"
        f"<h3>{escape(title)}</h3>"
        f"<p style='color:#57606a'>{escape(context)}</p>"
        f"<p>{escape(event.message)}</p>"
        f"<p>{escape(owner)}</p>"
        f"{action}</body></html>"
    )
    return Notice(title, "\n".join(lines), html, link)


def outgoing(
    deliverer: Deliverer, notice: Notice, contact: Contact, record: dict
) -> list[Outgoing]:
    """The notice by e-mail and/or the contact's webhook; `record` is the event as its history
    row (its id keys the messages). Given up, the contact hears of it on the other channel."""
    about = About(
        kind="alert",
        key=f"alert|{record['id']}",
        label=f"{record['rule']} · {record['entity']} · {record['event']}",
        deadline=deliverer.policy.deadline(datetime.fromisoformat(record["at"])),
        owner=owner_of(contact),
        alert_event_id=record["id"],
    )
    data = {"event": f"alert_{record['event']}", **record}
    return deliverer.to_contact(
        about,
        owner_of(contact) or {},
        notice.title,
        notice.html,
        notice.markdown,
        notice.link,
        data,
    )
