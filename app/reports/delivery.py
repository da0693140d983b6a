"""Sending through the configured channels with retries, logging every attempt (and the
reason of each failure) in the state store so nothing fails silently."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from app.reports import deliver_email, deliver_webhooks
from app.reports.retry import PermanentError, RetryPolicy, with_retries
from app.reports.state import StateStore, now_utc


class Deliverer:
    """The channels of channels.yaml bound to a state store, a clock and a sleep."""

    def __init__(
        self,
        channels: dict[str, Any],
        state: StateStore,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.channels = channels
        self.smtp = deliver_email.SmtpSettings.from_config(channels.get("email"))
        self.hooks = deliver_webhooks.webhooks_from_config(channels.get("webhooks"))
        self.policy = RetryPolicy.from_config(channels.get("retry"))
        self.state = state
        self.sleep = sleep
        self.clock = clock

    @property
    def app_url(self) -> str:
        return str(self.channels.get("app_url") or "http://localhost:8501").rstrip("/")

    def _logged(
        self,
        channel: str,
        target: str,
        send: Callable[[], None],
        run_id: int | None,
        alert_event_id: int | None,
    ) -> bool:
        def log(attempt: int, ok: bool, error: str | None) -> None:
            self.state.log_delivery(
                channel,
                target,
                attempt,
                ok,
                error,
                self.clock(),
                run_id=run_id,
                alert_event_id=alert_event_id,
            )

        return with_retries(send, self.policy, sleep=self.sleep, on_attempt=log).ok

    def email(
        self,
        to: list[str],
        subject: str,
        html: str,
        text: str,
        attachments: list[Path] = (),
        run_id: int | None = None,  # type: ignore[assignment]
        alert_event_id: int | None = None,
    ) -> bool:
        message = deliver_email.build_message(self.smtp, to, subject, html, text, list(attachments))
        return self._logged(
            "email",
            ", ".join(to),
            lambda: deliver_email.send_message(self.smtp, message),
            run_id,
            alert_event_id,
        )

    def webhook(
        self,
        name: str,
        title: str,
        markdown: str,
        link: str | None = None,
        data: dict | None = None,
        run_id: int | None = None,
        alert_event_id: int | None = None,
    ) -> bool:
        hook = self.hooks.get(name)
        if hook is None:

            def send() -> None:
                raise PermanentError(f"no webhook named {name!r} in channels.yaml")
        else:

            def send() -> None:
                deliver_webhooks.post(hook, title, markdown, link, data)

        return self._logged(
            f"webhook:{hook.kind if hook else '?'}", name, send, run_id, alert_event_id
        )
