from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from video_pipeline.logic.pacing import (
    LONGEST_WAIT_SECONDS,
    SHORTEST_WAIT_SECONDS,
    redelivery_seconds,
    slot_wait_seconds,
)


@given(waits=st.integers(1, 10_000), backlog=st.integers(0, 1_000_000), draw=st.floats(0, 1))
def test_slot_waits_stay_within_what_sqs_allows(waits: int, backlog: int, draw: float) -> None:
    assert SHORTEST_WAIT_SECONDS <= slot_wait_seconds(waits, backlog, lambda: draw) <= LONGEST_WAIT_SECONDS


def test_a_longer_backlog_waits_longer_so_the_request_rate_stays_flat() -> None:
    middle = lambda: 0.5  # noqa: E731
    assert slot_wait_seconds(1, 1, middle) == SHORTEST_WAIT_SECONDS
    assert slot_wait_seconds(1, 50, middle) < slot_wait_seconds(1, 200, middle) <= LONGEST_WAIT_SECONDS


def test_uploads_that_waited_longer_ask_sooner() -> None:
    middle = lambda: 0.5  # noqa: E731
    delays = [slot_wait_seconds(waits, 300, middle) for waits in (1, 5, 9, 13, 100)]
    assert delays == sorted(delays, reverse=True) and delays[0] > delays[-1]


def test_transient_failures_back_off_further_each_time_up_to_the_cap() -> None:
    top = lambda: 1.0  # noqa: E731
    delays = [redelivery_seconds(count, top) for count in range(1, 10)]
    assert delays == sorted(delays) and delays[0] == 30 and delays[-1] == 900


def test_a_backlog_beyond_the_delay_cap_is_still_spread_out() -> None:
    """Thousands waiting: their waits must not all be SQS's 15-minute maximum, or they come back together."""
    draws = [index / 100 for index in range(100)]
    waits = {slot_wait_seconds(1, 5_000, lambda draw=draw: draw) for draw in draws}
    assert max(waits) <= LONGEST_WAIT_SECONDS and min(waits) <= 0.8 * LONGEST_WAIT_SECONDS and len(waits) > 50
