"""The fault-injection suite of docs/reliability.md, at CI's size: every scenario through the real
handlers, invoked concurrently as deployed, against moto and the Rekognition fake in virtual time.
`benchmarks/reliability.py` prints the same figures at a thousand uploads.

Scenarios that today's runtime fails are marked `xfail(strict=True)` with the promise they break:
when the runtime is fixed they pass, and the strict mark fails the run until it is removed.
"""

from __future__ import annotations

import pytest
from moto import mock_aws

from simulation import Figures, Simulation
from simulation.scenarios import CI, scenarios

SCENARIOS = {scenario.name: scenario for scenario in scenarios(**CI)}
# Scenario -> the promise today's runtime breaks in it (see docs/reliability.md, "Fault-injection suite").
# Scenarios a known defect breaks, each a strict xfail naming the promise: none now.
KNOWN_BROKEN: dict[str, str] = {}


@pytest.fixture(scope="module")
def figures() -> dict[str, Figures]:
    results = {}
    for name, scenario in SCENARIOS.items():
        with mock_aws():
            results[name] = Simulation(scenario).run()
    return results


def _known(name: str) -> list[pytest.MarkDecorator]:
    reason = KNOWN_BROKEN.get(name)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


CASES = [pytest.param(name, marks=_known(name), id=name) for name in SCENARIOS]


@pytest.mark.parametrize("name", CASES)
def test_every_promise_holds(figures: dict[str, Figures], name: str) -> None:
    result, scenario = figures[name], SCENARIOS[name]
    # Nothing lost: every surviving video has all its analyses SUCCEEDED with every detection stored.
    assert result.lost == 0 and result.succeeded > 0, result
    # Nothing duplicated: one job per object version and analysis, each detection stored once.
    assert result.duplicated_jobs == 0 and result.duplicated_detections == 0, result
    # In flight never above the quota, counted outside the pipeline (the fake's limit is higher).
    assert result.max_in_flight <= scenario.quota, result
    # The pipeline itself never provokes LimitExceededException.
    assert result.pipeline_limit_exceeded == 0, result
    # Nothing dead-lettered, not even uploads waiting hours for a quota held by another workload.
    assert result.dead_letters == 0, result
    # A deleted video leaves no detection item and no archived page behind.
    assert result.orphans == 0, result
    # A late or forged removal event never erases the current video's results.
    assert result.damaged == 0, result
    # No UTC day starts more video minutes than its budget (where one is set).
    assert result.over_budget_minutes == 0, result


def test_the_handlers_really_run_concurrently(figures: dict[str, Figures]) -> None:
    """Guards the simulation itself: it must never silently become serial again."""
    burst = figures["burst"]
    assert burst.interleaved > 0, burst  # an invocation resumed while another was mid-handler
    assert burst.max_concurrent["starter"] == 2, burst  # the deployed maximum concurrency is reached
    assert burst.max_concurrent["collector"] > 1, burst


def test_a_burst_drains_close_to_the_ideal(figures: dict[str, Figures]) -> None:
    burst = figures["burst"]
    assert burst.max_in_flight == SCENARIOS["burst"].quota  # the quota was used, not just respected
    # Virtual time: the ratio measures pacing (how fast a freed slot is taken), not machine speed.
    assert 1.0 <= burst.drain_ratio < 1.25, burst


def test_the_faults_were_really_injected(figures: dict[str, Figures]) -> None:
    assert figures["lost notifications"].reconciled > 0
    assert figures["crashes"].killed > 0
    assert any("partial" in note for note in figures["partial batch writes"].notes)
    assert any("forged FAILED" in note for note in figures["forged FAILED notices"].notes)
    assert figures["quota held elsewhere"].limit_exceeded > 0
    budget = figures["budget exceeded, then raised"]
    # The budget held part of the burst back until the raise; the rest started after it (nothing lost).
    assert 0 < budget.started_before_raise < budget.jobs, budget


def test_poison_input_writes_nothing(figures: dict[str, Figures]) -> None:
    assert figures["poison input"].poison_writes == 0
