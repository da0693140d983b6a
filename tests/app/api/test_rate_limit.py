"""The per-token bucket on a clock the test moves: burst, refill, Retry-After, one bucket
per token. (The live server's 429 is in test_api.)"""

import pytest

from app.api import runtime
from app.api.problems import Problem
from app.api.runtime import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(runtime.time, "monotonic", moved)
    return moved


def test_a_burst_then_one_request_per_refill(clock: Clock) -> None:
    limiter = RateLimiter(rate=0.5, burst=2)  # one request every 2 s, 2 at once
    limiter.take("a")
    limiter.take("a")
    with pytest.raises(Problem) as refused:
        limiter.take("a")
    assert refused.value.status == 429
    assert refused.value.headers == {"Retry-After": "2"}  # empty bucket, 0.5 a second
    limiter.take("b")  # another token has its own bucket
    clock.now += 1.0  # half a request refilled: still refused, 1 s left
    with pytest.raises(Problem) as again:
        limiter.take("a")
    assert again.value.headers == {"Retry-After": "1"}
    clock.now += 1.0
    limiter.take("a")
    clock.now += 60.0  # a long pause refills to the burst, never beyond
    limiter.take("a")
    limiter.take("a")
    with pytest.raises(Problem):
        limiter.take("a")
