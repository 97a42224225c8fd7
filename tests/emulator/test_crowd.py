"""The fake's crowd: who is in the frame at an instant, found by entry time, is exactly who walks then."""

from __future__ import annotations

from emulator.crowd import Crowd


def test_the_walkers_present_at_an_instant_are_exactly_those_whose_walk_spans_it_in_id_order() -> None:
    crowd = Crowd(seed=11, duration_ms=20 * 60_000)
    assert len(crowd.walkers) > 500
    for timestamp in range(-5_000, crowd.duration_ms + 5_000, 997):
        walking = [walker for walker in crowd.walkers if walker.enter_ms <= timestamp < walker.leave_ms]
        assert crowd.present(timestamp) == walking, timestamp


def test_an_instant_at_an_entry_or_a_departure_counts_the_entering_walker_and_not_the_leaving_one() -> None:
    crowd = Crowd(seed=3, duration_ms=5 * 60_000)
    for walker in crowd.walkers[:50]:
        assert walker in crowd.present(walker.enter_ms)
        assert walker not in crowd.present(walker.leave_ms)
