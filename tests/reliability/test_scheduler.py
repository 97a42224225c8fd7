"""The simulation's scheduler: invocations interleave at AWS calls, one at a time, per seed."""

from __future__ import annotations

import random

import pytest

from simulation.clock import VirtualTime
from simulation.scheduler import Invocation, InvocationKilled, Scheduler


def _run(scheduler: Scheduler) -> None:
    while scheduler.live:
        runnable = scheduler.runnable()
        if runnable:
            scheduler.resume(scheduler.rng.choice(runnable))
        else:
            scheduler.clock.advance(scheduler.next_wake() - scheduler.clock.now)


def _trace(seed: int) -> tuple[list[str], Scheduler]:
    scheduler = Scheduler(VirtualTime(0.0), random.Random(seed))
    trace: list[str] = []

    def body(invocation: Invocation) -> None:
        for step in range(3):
            trace.append(f"{invocation.function}{step}")
            scheduler.switch()
        scheduler.sleep(10)
        trace.append(f"{invocation.function}@{scheduler.clock.now:g}")

    for name in "ab":
        scheduler.spawn(name, 60, body)
    _run(scheduler)
    return trace, scheduler


def test_two_invocations_interleave_and_overlap_in_virtual_time() -> None:
    traces = {tuple(_trace(seed)[0]) for seed in range(8)}
    assert len(traces) > 1  # the seed decides the interleaving
    trace, scheduler = _trace(3)
    assert trace == _trace(3)[0]  # ... deterministically
    assert scheduler.interleaved > 0
    a, b = scheduler.finished if scheduler.finished[0].function == "a" else reversed(scheduler.finished)
    assert a.started_at < b.ended_at and b.started_at < a.ended_at  # overlapping lifetimes
    assert {"a@10", "b@10"} <= set(trace)  # both slept on the virtual clock


def test_a_killed_or_timed_out_invocation_stops_at_its_next_switch_point() -> None:
    scheduler = Scheduler(VirtualTime(0.0), random.Random(1))
    reached: list[str] = []

    def body(invocation: Invocation) -> None:
        reached.append("before")
        scheduler.switch()
        reached.append("after")

    victim = scheduler.spawn("victim", 60, body)
    scheduler.resume(victim)
    scheduler.kill(victim, "injected")
    scheduler.resume(victim)
    assert reached == ["before"] and isinstance(victim.error, InvocationKilled)

    sleeper = scheduler.spawn("sleeper", 5, lambda _inv: scheduler.sleep(3600))
    _run(scheduler)
    assert isinstance(sleeper.error, InvocationKilled) and sleeper.ended_at == pytest.approx(5.0)
