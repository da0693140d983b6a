"""The retry rule, in one place: a delivery (or a scheduled fire) that failed is tried again on
a later scheduler tick after an exponentially growing wait, until it succeeds or its deadline
passes, the last attempt at the deadline itself. Nothing here sleeps: the durable outbox in
the state store remembers when each one is due.

The deadline defaults to the report's next fire (the next copy supersedes this one); alert
notifications and reports without a schedule get DEFAULT_WINDOW. `retry.deadline_hours` in
channels.yaml sets one fixed window for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_WINDOW = timedelta(hours=24)


class PermanentError(RuntimeError):
    """A failure that retrying cannot fix (e.g. an attachment that no longer exists, a webhook
    name channels.yaml does not define): the delivery is given up at once."""


@dataclass(frozen=True)
class RetryPolicy:
    base_delay_s: float = 60.0
    factor: float = 2.0
    max_delay_s: float = 1800.0
    deadline_hours: float | None = None

    @classmethod
    def from_config(cls, spec: dict | None) -> RetryPolicy:
        spec = spec or {}
        hours = spec.get("deadline_hours")
        return cls(
            base_delay_s=float(spec.get("base_delay_s", cls.base_delay_s)),
            factor=float(spec.get("factor", cls.factor)),
            max_delay_s=float(spec.get("max_delay_s", cls.max_delay_s)),
            deadline_hours=float(hours) if hours is not None else None,
        )

    def delay(self, attempt: int) -> timedelta:
        """The wait after failed attempt number `attempt` (1-based)."""
        seconds = self.base_delay_s * self.factor ** max(attempt - 1, 0)
        return timedelta(seconds=min(seconds, self.max_delay_s))

    def deadline(self, now: datetime, next_fire: datetime | None = None) -> datetime:
        """Until when something queued `now` is retried: a fixed window when configured, else
        the report's next fire, else DEFAULT_WINDOW."""
        if self.deadline_hours is not None:
            return now + timedelta(hours=self.deadline_hours)
        if next_fire is not None and next_fire > now:
            return next_fire
        return now + DEFAULT_WINDOW

    def after_failure(
        self, now: datetime, attempt: int, deadline: datetime, permanent: bool = False
    ) -> datetime | None:
        """When to try again after failed attempt `attempt` at `now`, or None to give up
        (a permanent failure, or the attempt at or after the deadline failed)."""
        if permanent or now >= deadline:
            return None
        return min(now + self.delay(attempt), deadline)
