from __future__ import annotations

import pytest
from video_pipeline.logic.retry import Backoff, call_with_retries


class Flaky:
    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


def test_transient_failures_are_retried_with_growing_bounded_delays():
    delays: list[float] = []
    flaky = Flaky(3, TimeoutError("slow"))
    result = call_with_retries(flaky, is_transient=lambda _e: True, backoff=Backoff(attempts=4), sleep=delays.append)
    assert result == "ok" and flaky.calls == 4 and len(delays) == 3
    backoff = Backoff(attempts=4, base_seconds=0.25, cap_seconds=4.0)
    assert backoff.delay(1, draw=lambda: 1.0) == 0.5
    assert backoff.delay(10, draw=lambda: 1.0) == 4.0
    assert backoff.delay(3, draw=lambda: 0.0) == 0.0


def test_the_last_transient_failure_propagates():
    flaky = Flaky(10, TimeoutError("slow"))
    with pytest.raises(TimeoutError):
        call_with_retries(flaky, is_transient=lambda _e: True, backoff=Backoff(attempts=3), sleep=lambda _s: None)
    assert flaky.calls == 3


def test_permanent_failures_are_not_retried():
    flaky = Flaky(1, ValueError("bad"))
    with pytest.raises(ValueError):
        call_with_retries(flaky, is_transient=lambda _e: False, backoff=Backoff(), sleep=lambda _s: None)
    assert flaky.calls == 1
