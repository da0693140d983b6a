"""Delivery through the durable outbox: what is to be sent is queued in the state store first
(one row per message, channel and recipient, with the rendered message and a stable key),
then `deliver_due` sends each row that is due, once per scheduler tick, and records the
outcome in its own transaction. A failed row is retried on later ticks with backoff
(retry.py) until it is sent or its deadline passes; then it is given up, listed on the
Reports page and in `andon report status`, and its owner is told on another channel.

Channels: e-mail by SMTP, or (no SMTP host, an `outbox_folder` set) as .eml files in a
folder; chat webhooks. A channel nobody configured (no SMTP host and no folder, a webhook
without a URL) is not queued at all: nothing fails for it.

The guarantee: every queued row is sent once or given up visibly. One window remains: a
process killed after the server accepted a message and before the "sent" commit sends it
again once its lease (LEASE) runs out — with the same SMTP Message-ID and webhook
Idempotency-Key, so a receiver can drop the copy; the file outbox writes it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.reports import deliver_email, deliver_file, deliver_webhooks
from app.reports.messages import PREFIX, Message, as_html, as_text, chat_text
from app.reports.retry import PermanentError, RetryPolicy
from app.reports.state import Delivery, Outgoing, StateStore, now_utc
from metrics.formatting import format_datetime
from metrics.i18n import DEFAULT_LANG, t

LEASE = timedelta(minutes=10)  # a row claimed for sending is not attempted again before this


@dataclass(frozen=True)
class About:
    """What a set of messages is about: its kind, the stable prefix of its keys, a label for
    the listings, its deadline, whom to tell if it is given up, and what it belongs to."""

    kind: str  # report | alert | given_up
    key: str
    label: str
    deadline: datetime
    owner: dict[str, Any] | None = None
    run_id: int | None = None
    alert_event_id: int | None = None
    given_up_id: int | None = None

    def key_for(self, address: str) -> str:
        """The stable key of its message to `address` ("email|x@y" or "webhook|name")."""
        return f"{self.key}|{address}"

    def outgoing(self, channel: str, target: str, address: str, message: dict) -> Outgoing:
        return Outgoing(
            key=self.key_for(address),
            kind=self.kind,
            label=self.label,
            channel=channel,
            target=target,
            message=message,
            deadline=self.deadline,
            owner=self.owner,
            run_id=self.run_id,
            alert_event_id=self.alert_event_id,
            given_up_id=self.given_up_id,
        )


@dataclass(frozen=True)
class Attempt:
    """One attempt of `deliver_due`: the row as it was, and what became of it."""

    delivery: Delivery
    status: str  # sent | retrying | given_up
    error: str | None = None


def owner_of(
    contact: Any, lang: str | None = None, timezone: str | None = None
) -> dict[str, Any] | None:
    """A contact (definitions.Contact) as the outbox keeps it: whom to tell, how, in which
    language (`lang`: as chosen for them, app/reports/audience.py; default the contact's
    own) and time zone (their plant's)."""
    if contact is None:
        return None
    return {
        "name": contact.name,
        "lang": lang or contact.lang,
        "email": contact.email,
        "webhook": contact.webhook,
        "timezone": timezone,
    }


class Deliverer:
    """The channels of channels.yaml bound to a state store and a clock."""

    def __init__(
        self,
        channels: dict[str, Any],
        state: StateStore,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.channels = channels
        self.smtp = deliver_email.SmtpSettings.from_config(channels.get("email"))
        self.hooks = deliver_webhooks.webhooks_from_config(channels.get("webhooks"))
        self.policy = RetryPolicy.from_config(channels.get("retry"))
        folder = channels.get("outbox_folder")
        self.folder = (state.path.parent / folder) if folder else None  # absolute stays
        self.state = state
        self.clock = clock

    @property
    def app_url(self) -> str:
        return str(self.channels.get("app_url") or "http://localhost:8501").rstrip("/")

    # what is configured ------------------------------------------------------------------
    @property
    def email_channel(self) -> str | None:
        """How e-mail goes: "email" (SMTP), "file" (the outbox folder) or None (nowhere)."""
        if self.smtp.host:
            return "email"
        return "file" if self.folder else None

    def posts_to(self, name: str) -> bool:
        """False for a webhook channels.yaml lists without a URL (not configured); a name it
        does not list at all is queued, and given up with the reason."""
        hook = self.hooks.get(name)
        return hook is None or bool(hook.url)

    def describe(self) -> list[tuple[str, str]]:
        """(channel, how it is configured) for `andon report status`."""
        if self.smtp.host:
            email = f"SMTP {self.smtp.host}:{self.smtp.port} ({self.smtp.security})"
        elif self.folder:
            email = f"written as .eml files to {self.folder}"
        else:
            email = "not configured (no SMTP host, no outbox_folder): e-mails are not sent"
        rows = [("email", email)]
        for name, hook in self.hooks.items():
            how = f"{hook.kind} webhook" if hook.url else "not configured (no URL): not sent"
            rows.append((f"webhook {name}", how))
        return rows

    # queueing ----------------------------------------------------------------------------
    def email(
        self,
        about: About,
        to: Iterable[str],
        subject: str,
        html: str,
        text: str,
        attachments: Iterable[Path] = (),
    ) -> list[Outgoing]:
        """One message per recipient (each has its own delivery state); none when e-mail is
        not configured."""
        channel = self.email_channel
        if channel is None:
            return []
        files = [str(path) for path in attachments]
        items = []
        for address in to:
            message = {
                "to": [address],
                "subject": subject,
                "html": html,
                "text": text,
                "attachments": files,
                "message_id": deliver_email.message_id(about.key_for(f"email|{address}")),
            }
            items.append(about.outgoing(channel, address, f"email|{address}", message))
        return items

    def webhook(
        self, about: About, name: str, message: Message, data: dict | None = None
    ) -> list[Outgoing]:
        """The post to webhook `name`, written in that robot's own format (WeCom or DingTalk
        markdown, a Feishu card, plain text for JSON); none when it has no URL."""
        if not self.posts_to(name):
            return []
        hook = self.hooks.get(name)
        stored = {
            "title": message.title,
            "markdown": chat_text(message, hook.kind if hook else "json"),
            "link": message.link,
            "link_label": message.link_label,
            "tone": message.tone,
            "data": data or {},
        }
        return [about.outgoing("webhook", name, f"webhook|{name}", stored)]

    def to_contact(
        self,
        about: About,
        contact: dict[str, Any],
        message: Message,
        data: dict | None = None,
        skip: str | None = None,
    ) -> list[Outgoing]:
        """A notice to a contact (an owner dict) by e-mail (plain text and HTML) and webhook
        (its robot's format); `skip` names the channel not to use ("email" or
        "webhook:<name>")."""
        items = []
        if contact.get("email") and skip != "email":
            html, text = as_html(message), as_text(message)
            items += self.email(about, [contact["email"]], message.title, html, text)
        if contact.get("webhook") and skip != f"webhook:{contact['webhook']}":
            items += self.webhook(about, contact["webhook"], message, data)
        return items

    # sending -----------------------------------------------------------------------------
    def deliver_due(self, now: datetime | None = None) -> list[Attempt]:
        """Attempt every row that is due, once; given-up notices queued on the way are sent
        in the same call. A server found down is not tried again for its other rows in
        this call (they count a failed attempt with its reason)."""
        now = now or self.clock()
        attempts: list[Attempt] = []
        seen: set[int] = set()
        down: dict[str, str] = {}
        while rows := [row for row in self.state.due_deliveries(now) if row.id not in seen]:
            for row in rows:
                seen.add(row.id)
                if self.state.claim_delivery(row.id, now, now + LEASE):
                    attempts.append(self._attempt(row, now, down))
        return attempts

    def _attempt(self, row: Delivery, now: datetime, down: dict[str, str]) -> Attempt:
        attempt = row.attempts + 1
        server = {"email": "smtp", "webhook": f"webhook:{row.target}"}.get(row.channel)
        try:
            if server in down:
                raise ConnectionError(f"not tried: {down[server]}")
            self.send(row)
        except Exception as error:  # noqa: BLE001 - every failure is recorded with its reason
            reason = str(error) if server in down else f"{type(error).__name__}: {error}"
            permanent = isinstance(error, PermanentError)
            reachable = row.channel == "email" and not deliver_email.server_down(error)
            if server and not (permanent or reachable):
                down.setdefault(server, reason)
            retry_at = self.policy.after_failure(now, attempt, row.deadline, permanent)
            if retry_at is None:
                notices = self._given_up_notices(row, attempt, reason, now)
                self.state.delivery_given_up(row.id, reason, now, notices)
                return Attempt(row, "given_up", reason)
            self.state.delivery_failed(row.id, reason, now, retry_at)
            return Attempt(row, "retrying", reason)
        self.state.delivery_sent(row.id, now)
        return Attempt(row, "sent")

    def send(self, row: Delivery) -> None:
        """One attempt at sending the row as stored, without any bookkeeping: raises when it
        did not arrive (deliver_due records the outcome)."""
        message = row.message
        if row.channel in ("email", "file"):
            mail = deliver_email.build_message(
                self.smtp,
                message["to"],
                message["subject"],
                message["html"],
                message["text"],
                [Path(path) for path in message["attachments"]],
                message["message_id"],
            )
            if row.channel == "email":
                deliver_email.send_message(self.smtp, mail)
                return
            if self.folder is None:
                raise PermanentError("no outbox_folder in channels.yaml any more")
            name = deliver_file.file_name(row.label, row.target, row.key)
            deliver_file.write_message(self.folder, name, mail)
            return
        hook = self.hooks.get(row.target)
        if hook is None:
            raise PermanentError(f"no webhook named {row.target!r} in channels.yaml")
        deliver_webhooks.post(
            hook,
            message["title"],
            message["markdown"],
            message["link"],
            message["data"],
            delivery_id=deliver_webhooks.idempotency_key(row.key),
            link_label=message.get("link_label") or "Andon",
            tone=message.get("tone") or "info",
        )

    def _given_up_notices(
        self, row: Delivery, attempts: int, reason: str, now: datetime
    ) -> list[Outgoing]:
        """The notice to the row's owner on another channel than the one that failed (none
        for a notice itself, or when the owner has no other channel)."""
        if row.kind == "given_up" or not row.owner:
            return []
        lang = row.owner.get("lang") or DEFAULT_LANG
        values = {
            "what": _what(row),
            "target": row.target,
            "channel": t(f"channel_{row.channel}", lang),
            "attempts": attempts,
            "since": format_datetime(row.created_at, lang, row.owner.get("timezone")),
            "error": reason,
        }
        link = f"{self.app_url}/reports"
        about = About(
            kind="given_up",
            key=f"given_up|{row.key}",
            label=f"{t('given_up', lang)} · {row.label}",
            deadline=self.policy.deadline(now),
            given_up_id=row.id,
        )
        message = Message(
            title=t("given_up_title", lang, **values),
            lang=lang,
            paragraphs=(t("given_up_body", lang, **values),),
            link=link,
            link_label=t("open_reports_page", lang),
            tone="warning",
        )
        data = {"event": "delivery_given_up", "about": row.label, "error": reason}
        skip = "email" if row.channel in ("email", "file") else f"webhook:{row.target}"
        return self.to_contact(about, row.owner, message, data, skip=skip)


def _what(row: Delivery) -> str:
    """What was not delivered, as its reader saw it: the message's own subject or title
    (in their language, with proper names) without the "[Andon] " prefix; else its label."""
    title = str(row.message.get("subject") or row.message.get("title") or "").strip()
    return title.removeprefix(PREFIX).strip() or row.label
