"""SMTP e-mail with attachments: plain, STARTTLS or implicit TLS, credentials from channels.yaml
(which reads them from the environment). Each message's Message-ID comes from its stable
outbox key, so a message sent again after a crash (see README) carries the same Message-ID
and mail systems that de-duplicate by it show it once."""

from __future__ import annotations

import hashlib
import mimetypes
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from app.reports.retry import PermanentError


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 25
    security: str = "none"  # none | starttls | ssl
    username: str | None = None
    password: str | None = None
    sender: str = "andon@example.com"
    timeout_s: float = 20.0

    @classmethod
    def from_config(cls, spec: dict | None) -> SmtpSettings:
        spec = spec or {}
        security = str(spec.get("security") or "none").lower()
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(f"email.security {security!r}: use none, starttls or ssl")
        return cls(
            host=str(spec.get("host") or ""),
            port=int(spec.get("port") or 25),
            security=security,
            username=spec.get("username") or None,
            password=spec.get("password") or None,
            sender=str(spec.get("sender") or "andon@example.com"),
            timeout_s=float(spec.get("timeout_s") or 20),
        )


def message_id(key: str) -> str:
    """The Message-ID of the message with this outbox key: the same on every attempt."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@andon.local>"


def build_message(
    settings: SmtpSettings,
    to: list[str],
    subject: str,
    html: str,
    text: str,
    attachments: list[Path] = (),  # type: ignore[assignment]
    message_id: str | None = None,
) -> EmailMessage:
    """The MIME message; PermanentError when an attachment no longer exists."""
    message = EmailMessage(policy=_policy_for(subject))
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or make_msgid(domain="andon.local")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for path in attachments:
        if not path.is_file():
            raise PermanentError(f"attachment {path} no longer exists")
        kind, _ = mimetypes.guess_type(path.name)
        main, sub = (kind or "application/octet-stream").split("/", 1)
        message.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=path.name)
    return message


UNFOLDED = policy.default.clone(max_line_length=998)  # RFC 5322's limit for any line


def _policy_for(subject: str) -> policy.EmailPolicy:
    """The default policy, unless its folding would lose a space of `subject`: Python folds a
    long non-ASCII subject into encoded words at a space that readers then drop (RFC 2047
    ignores white space between encoded words, so "停机 · 东莞" reads "停机 ·东莞"); such a
    subject is written on one line instead."""
    folded = EmailMessage()
    folded["Subject"] = subject
    parsed = message_from_bytes(bytes(folded), policy=policy.default)
    return policy.default if parsed["Subject"] == subject else UNFOLDED


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send one message; raises on any SMTP or network error (the caller retries)."""
    if not settings.host:
        raise PermanentError("no SMTP host configured (email.host in channels.yaml / env)")
    context = ssl.create_default_context()
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_s, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
    with client:
        if settings.security == "starttls":
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password or "")
        refused = client.send_message(message)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


SERVER_DOWN = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
)


def server_down(error: BaseException) -> bool:
    """True when the server could not be reached or refused the session (not one message):
    the other messages for it wait for the next tick instead of each timing out."""
    return isinstance(error, SERVER_DOWN)
