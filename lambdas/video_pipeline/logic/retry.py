"""Bounded exponential back-off with full jitter for transient failures."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Retry schedule: `attempts` calls in all, with growing random pauses between them."""

    attempts: int = 4
    base_seconds: float = 0.25
    cap_seconds: float = 4.0

    def delay(self, attempt: int, draw: Callable[[], float] = random.random) -> float:
        """Delay before retry number `attempt` (1-based): uniform in [0, min(cap, base * 2^attempt)]."""
        ceiling: float = min(self.cap_seconds, self.base_seconds * 2.0**attempt)
        return draw() * ceiling


DEFAULT_BACKOFF = Backoff()


def call_with_retries(
    call: Callable[[], T],
    *,
    is_transient: Callable[[Exception], bool],
    backoff: Backoff,
    sleep: Callable[[float], None] | None = None,
    on_retry: Callable[[Exception, int], None] | None = None,
) -> T:
    """Run `call`, retrying transient failures; the last failure propagates."""
    pause = sleep or time.sleep
    for attempt in range(1, backoff.attempts + 1):
        try:
            return call()
        except Exception as error:
            if attempt == backoff.attempts or not is_transient(error):
                raise
            if on_retry is not None:
                on_retry(error, attempt)
            pause(backoff.delay(attempt))
    raise AssertionError("unreachable: the loop returns or raises")
