"""Retries with exponential backoff: a flaky SMTP relay or robot endpoint gets a few more
chances, and every failed attempt keeps its reason for the delivery log."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


class PermanentError(RuntimeError):
    """A failure that retrying cannot fix (e.g. a channel without an address): log it once."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay_s: float = 2.0
    factor: float = 2.0
    max_delay_s: float = 60.0

    @classmethod
    def from_config(cls, spec: dict | None) -> RetryPolicy:
        spec = spec or {}
        return cls(
            attempts=max(1, int(spec.get("attempts", 4))),
            base_delay_s=float(spec.get("base_delay_s", 2.0)),
            factor=float(spec.get("factor", 2.0)),
            max_delay_s=float(spec.get("max_delay_s", 60.0)),
        )

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return min(self.base_delay_s * self.factor ** (attempt - 1), self.max_delay_s)


@dataclass
class Outcome:
    ok: bool
    errors: list[str] = field(default_factory=list)  # one per failed attempt

    @property
    def attempts(self) -> int:
        return len(self.errors) + (1 if self.ok else 0)

    @property
    def reason(self) -> str | None:
        return self.errors[-1] if self.errors else None


def with_retries(
    send: Callable[[], None],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    on_attempt: Callable[[int, bool, str | None], None] | None = None,
) -> Outcome:
    """Call `send` until it returns without raising or the attempts run out."""
    outcome = Outcome(ok=False)
    for attempt in range(1, policy.attempts + 1):
        try:
            send()
        except Exception as error:  # noqa: BLE001 - any failure is logged with its reason
            reason = f"{type(error).__name__}: {error}"
            outcome.errors.append(reason)
            if on_attempt:
                on_attempt(attempt, False, reason)
            if attempt < policy.attempts and not isinstance(error, PermanentError):
                sleep(policy.delay(attempt))
                continue
            return outcome
        outcome.ok = True
        if on_attempt:
            on_attempt(attempt, True, None)
        return outcome
    return outcome
